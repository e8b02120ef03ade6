// A page's full screenshot compared with a committed reference PNG: the same size, and at most 0.5%
// of its pixels different. UPDATE_GOLDEN=1 records the reference again.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fromSim = createRequire(new URL('../slack_sim/package.json', import.meta.url));
const { PNG } = fromSim('pngjs');
const pixelmatch = fromSim('pixelmatch');

export async function assertLooksLike(page, reference) {
  // Capturing beyond the viewport sizes the image from the last frame Chromium drew, which after a
  // change to the DOM (the tests hold the clock's text still) can be the taller page from before it.
  // Without it, puppeteer reads the document's height in the page, after layout, and sizes the viewport.
  const shot = PNG.sync.read(await page.screenshot({ fullPage: true, type: 'png', captureBeyondViewport: false }));
  if (process.env.UPDATE_GOLDEN) writeFileSync(reference, PNG.sync.write(shot));
  assert.ok(existsSync(reference), 'a reference screenshot is committed (UPDATE_GOLDEN=1 records one)');
  const want = PNG.sync.read(readFileSync(reference));
  // What was seen, kept where a failure says, to be looked at beside the reference.
  const seen = join(tmpdir(), `${basename(fileURLToPath(reference), '.png')}-${process.pid}-seen.png`);
  const kept = () => { writeFileSync(seen, PNG.sync.write(shot)); return `; seen: ${seen}`; };
  if (shot.width !== want.width || shot.height !== want.height) {
    // Where the height went, for a failure in a run whose temp dir is gone (CI): each block's height.
    const blocks = await page.evaluate(() =>
      [...document.querySelectorAll('body > *, main > *, section > *, li')]
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} ${Math.round(e.getBoundingClientRect().height)}`)
        .join(', ') +
      // And what may lie beyond them: the document's own height, and anything below the last block.
      `; document ${document.documentElement.scrollHeight} px, body ${document.body.scrollHeight} px; below ` +
      [...document.querySelectorAll('*')]
        .filter((e) => e.getBoundingClientRect().bottom > document.body.getBoundingClientRect().bottom)
        .map((e) => `${e.tagName.toLowerCase()} ${Math.round(e.getBoundingClientRect().bottom)}`)
        .join(', '));
    assert.fail(`the page keeps its size: ${shot.width}×${shot.height}, not ${want.width}×${want.height}${kept()}; blocks: ${blocks}`);
  }
  const differing = pixelmatch(shot.data, want.data, null, want.width, want.height, { threshold: 0.1 });
  if (differing > want.width * want.height * 0.005) assert.fail(`${differing} pixels differ from the reference${kept()}`);
}
