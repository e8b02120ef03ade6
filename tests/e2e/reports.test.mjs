// The procedures' weekly summary from `warroom run`: a week that ended while warroom was down is
// posted once when it starts (a Markdown file and a PNG chart, files v2 upload), and not again after
// a restart on the same store. The dashboard asks for its bearer token; in a real browser (Debian's
// chromium, headless, JavaScript off) it shows the open incidents and its charts, never a private
// incident's title, fits a phone's width, and axe-core finds no serious or critical violation.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { assertLooksLike } from './screenshot.mjs';
import { World, binary, sleep } from './harness.mjs';

// The test-only packages live with the simulator's (tests/slack_sim/package.json and its lock).
const fromSim = createRequire(new URL('../slack_sim/package.json', import.meta.url));
const puppeteer = fromSim('puppeteer-core');
const axeSource = readFileSync(fromSim.resolve('axe-core/axe.min.js'), 'utf8');
// The laptop-width screenshot the dashboard is compared with (and the README shows); UPDATE_GOLDEN=1 records it again.
const reference = new URL('./dashboard.png', import.meta.url);

const token = 'dash-e2e-token-7f3a';
const isWeekly = (f) => /^weekly-incident-summary-week-of-\d{4}-\d{2}-\d{2}(-chart-1\.png|\.md)$/.test(f.filename);
const weeklyFiles = (w) => [...w.sim.files.values()].filter((f) => f.uploaded && isWeekly(f));

describe('scheduled reports and the dashboard', { timeout: 90000 }, () => {
  test('a missed weekly summary is posted once with its chart, also across a restart; the dashboard needs its token', async () => {
    const w = await World.create({ config: '[reports]\nchannel = "#incident-reports"\n' });
    try {
      const reports = w.sim.addChannel({ name: 'incident-reports' });
      // Two weeks ago, in the console on the same store: an incident, acknowledged and resolved.
      const twoWeeksAgo = new Date(Date.now() - 14 * 24 * 3600 * 1000).toISOString().slice(0, 16) + 'Z';
      execFileSync(binary, ['console', '--clock', twoWeeksAgo], {
        env: w.env(),
        input: '/incident declare P2 Search slow\n/incident ack 1\n/clock +30m\n/incident resolve 1 Reindexed\n',
        encoding: 'utf8',
      });

      await w.start({ env: { WARROOM_DASHBOARD_TOKEN: token } });
      const shared = await w.sim.waitFor(
        () => reports.messages.find((m) => m.files?.some((f) => /weekly-incident-summary/.test(f.name))), 20000,
        'the weekly summary shared in #incident-reports');
      assert.match(shared.text, /Weekly incident summary — week of \d{4}-\d{2}-\d{2}: \d+ incidents?/);
      const files = weeklyFiles(w);
      assert.equal(files.length, 2, 'one Markdown file and one chart');
      const md = files.find((f) => f.filename.endsWith('.md'));
      const png = files.find((f) => f.filename.endsWith('.png'));
      assert.match(md.bytes.toString('utf8'), /^# Weekly incident summary — week of /);
      assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.ok(png.bytes.length > 8000, `a chart, not a blank image (${png.bytes.length} bytes)`);
      // The same Markdown as `warroom report --weekly` (the figures as of now match: nothing changed since).
      const printed = execFileSync(binary, ['report', '--weekly'], { env: w.env(), encoding: 'utf8' });
      assert.equal(md.bytes.toString('utf8').split('\n')[0], printed.split('\n')[0]);

      const base = await w.bots[0].httpBase();
      const bare = await fetch(`${base}/dashboard`);
      assert.equal(bare.status, 401);
      assert.match(bare.headers.get('www-authenticate') ?? '', /^Bearer/);
      const wrong = await fetch(`${base}/dashboard.json`, { headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.status, 401);
      const page = await fetch(`${base}/dashboard`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<h1>Incident dashboard<\/h1>/);
      assert.match(html, /<svg [^>]*role="img"/);
      const data = await (await fetch(`${base}/dashboard.json`, { headers: { authorization: `Bearer ${token}` } })).json();
      assert.equal(data.weeks.length, 12);
      assert.equal(data.weeks.reduce((n, x) => n + x.incidents, 0), 1);

      // Restarted on the same store: the week is claimed, nothing is posted again.
      assert.deepEqual(await w.bots[0].stop(), { code: 0, signal: null });
      await w.start({ env: { WARROOM_DASHBOARD_TOKEN: token } });
      // The restarted bot takes work, and its scheduler (which ticks at least once a second) has had
      // two seconds to find the week claimed.
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P3 Typo on the pricing page' }).ack);
      await w.waitForRoom(2);
      await sleep(2000);
      assert.equal(weeklyFiles(w).length, 2, 'no second weekly summary');
      assert.equal(reports.messages.filter((m) => m.files?.some((f) => /weekly-incident-summary/.test(f.name))).length, 1);
    } finally {
      await w.close();
    }
  });

  test('the dashboard in a browser: open incidents and charts without JavaScript, no private title, no serious axe violation', async () => {
    const w = await World.create();
    let browser;
    try {
      await w.start({ env: { WARROOM_DASHBOARD_TOKEN: token } });
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P1 Checkout database lost its disk' }).ack);
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P1 type:security Token of ACME leaked' }).ack);
      await w.waitForRoom(2);
      const base = await w.bots[0].httpBase();

      // Chromium refuses to run as root inside its sandbox; the page is ours and local.
      browser = await puppeteer.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu'],
        timeout: 30000,
      });
      const page = await browser.newPage();
      await page.setExtraHTTPHeaders({ authorization: `Bearer ${token}` });
      await page.setJavaScriptEnabled(false);
      await page.setViewport({ width: 390, height: 844 });
      const response = await page.goto(`${base}/dashboard`, { waitUntil: 'load', timeout: 15000 });
      assert.equal(response.status(), 200);
      assert.equal(await page.$eval('h1', (h) => h.textContent), 'Incident dashboard');
      const body = await page.$eval('body', (b) => b.innerText);
      assert.match(body, /Open incidents \(2\)/);
      assert.match(body, /Checkout database lost its disk/);
      assert.match(body, /private incident/);
      assert.doesNotMatch(body, /ACME|leaked/);
      assert.ok((await page.$$('svg[role="img"]')).length >= 2, 'the charts render without script');
      assert.equal(await page.$eval('html', (h) => h.lang), 'en');
      assert.ok(await page.$('main'), 'a main landmark');
      // Readable on a phone: wide tables scroll inside their box, the page itself does not.
      assert.ok(await page.$eval('html', (h) => h.scrollWidth <= 390), 'no horizontal scrolling at 390px');

      // The screenshot at a laptop's width, with what depends on the clock (the time, ages, week
      // labels) held still.
      await page.setViewport({ width: 1024, height: 768 });
      await page.evaluate(() => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          n.textContent = n.textContent
            .replace(/As of \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/, 'As of 2026-03-02 09:00 UTC')
            .replace(/^\d{2}-\d{2}$/, '01-01')
            .replace(/^\d+s$/, '2s');
        }
      });
      await assertLooksLike(page, reference);
      await page.setViewport({ width: 390, height: 844 });

      // axe-core needs script: the same page, with JavaScript on for the check only.
      await page.setJavaScriptEnabled(true);
      await page.goto(`${base}/dashboard`, { waitUntil: 'load', timeout: 15000 });
      await page.evaluate(axeSource);
      const result = await page.evaluate(async () => await globalThis.axe.run(document, { resultTypes: ['violations'] }));
      const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(serious.map((v) => `${v.id}: ${v.help}`), []);
    } finally {
      if (browser) await browser.close();
      await w.close();
    }
  });
});
