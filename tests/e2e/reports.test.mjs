// The procedures' weekly summary from `warroom run`: a week that ended while warroom was down is
// posted once when it starts (a Markdown file and a PNG chart, files v2 upload), and not again after
// a restart on the same store. The dashboard asks for its bearer token.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { World, binary, sleep } from './harness.mjs';

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
});
