// Scheduled maintenance, end to end through Slack and the status page of a real `warroom run`: only
// the maintainers schedule; bad input gets one line; a window shows ahead of time on the page and in
// upcoming.json, its component is under maintenance while it lasts (active.json, summary.json), then
// it is completed and the component operational again, each change with a new ETag and nothing
// published in between. The daemon runs on the wall clock, so the window is a few seconds long and
// each wait for its edges has a deadline.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { World, envelopeFrame, repeatedAcks, statusPageBase as pageBase } from './harness.mjs';

const config = `[status_page]
listen = "127.0.0.1:0"
name = "Example Status"
url = "https://status.example.com"
maintainers = ["@U333"]
[[status_page.components]]
name = "API"
[[status_page.components]]
name = "Website"
`;

// Statuspage's public scheduled-maintenances lists: the fields its clients read.
const fromSim = createRequire(new URL('../slack_sim/package.json', import.meta.url));
const Ajv = fromSim('ajv').default;
const addFormats = fromSim('ajv-formats').default;
const time = { type: 'string', format: 'date-time' };
const maintenanceList = {
  type: 'object',
  required: ['page', 'scheduled_maintenances'],
  properties: {
    scheduled_maintenances: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'status', 'created_at', 'updated_at', 'monitoring_at', 'resolved_at', 'impact', 'shortlink',
          'started_at', 'page_id', 'incident_updates', 'components', 'scheduled_for', 'scheduled_until'],
        properties: {
          id: { type: 'string' }, name: { type: 'string' }, status: { enum: ['scheduled', 'in_progress', 'verifying', 'completed'] },
          created_at: time, updated_at: time, scheduled_for: time, scheduled_until: time, impact: { const: 'maintenance' },
          resolved_at: { anyOf: [time, { type: 'null' }] },
          incident_updates: {
            type: 'array', minItems: 1,
            items: { type: 'object', required: ['id', 'status', 'body', 'incident_id', 'created_at', 'display_at'] },
          },
          components: { type: 'array', items: { type: 'object', required: ['id', 'name', 'status'] } },
        },
      },
    },
  },
};
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
const validMaintenances = ajv.compile(maintenanceList);
function checkShape(path, body) {
  assert.ok(validMaintenances(body), `${path}: ${ajv.errorsText(validMaintenances.errors)}`);
  return body;
}

const ephemeralText = (ack) => JSON.stringify(ack?.payload ?? {});
// Whole seconds in UTC, as the command reads them: 2026-12-07T13:05:09Z.
const iso = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

async function get(base, path) {
  const r = await fetch(base + path, { signal: AbortSignal.timeout(5000) });
  assert.equal(r.status, 200, path);
  return { etag: r.headers.get('etag'), body: await r.text() };
}
const json = async (base, path) => {
  const body = JSON.parse((await get(base, path)).body);
  return path.includes('scheduled-maintenances') ? checkShape(path, body) : body;
};

// Polls until `check` holds, at most `ms`: the window's edges come on the wall clock.
async function until(what, ms, check) {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got) return got;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('scheduled maintenance', { timeout: 90000 }, () => {
  test('scheduled through Slack: upcoming, in progress, completed on the status page', async () => {
    const w = await World.create({ config });
    try {
      const bot = await w.start();
      const base = await pageBase(bot);

      // Not a maintainer: refused, nothing scheduled.
      const from = Date.now() + 6000;
      const to = from + 5000;
      const command = `maintenance API ${iso(from)} ${iso(to)} Database upgrade; writes pause for a minute`;
      const refused = await w.sim.slashCommand({ user: 'U111', text: command }).ack;
      assert.match(ephemeralText(refused), /only the maintainers \(\[status_page\] maintainers\) and the incident admins can schedule maintenance/);
      // Bad input: one line each, nothing scheduled.
      const unknown = await w.sim.slashCommand({ user: 'U333', text: `maintenance Web ${iso(from)} +5s x` }).ack;
      assert.match(ephemeralText(unknown), /unknown component 'Web' \(API, Website\)/);
      const backwards = await w.sim.slashCommand({ user: 'U333', text: `maintenance API ${iso(to)} ${iso(from)} x` }).ack;
      assert.match(ephemeralText(backwards), /the maintenance ends \([^)]*\) before it begins/);
      const over = await w.sim.slashCommand({ user: 'U333', text: 'maintenance API 2020-01-01T00:00Z +1h x' }).ack;
      assert.match(ephemeralText(over), /that window is already over: it ended 2020-01-01 01:00 UTC/);
      const unreadable = await w.sim.slashCommand({ user: 'U333', text: 'maintenance API next-tuesday +1h x' }).ack;
      assert.match(ephemeralText(unreadable), /cannot read the start 'next-tuesday'/);
      const empty = await get(base, '/');
      assert.ok(!empty.body.includes('Scheduled maintenance'), 'nothing scheduled yet');
      assert.deepEqual((await json(base, '/api/v2/scheduled-maintenances/upcoming.json')).scheduled_maintenances, []);

      const ok = await w.sim.slashCommand({ user: 'U333', text: command }).ack;
      assert.match(ephemeralText(ok), /MNT-1 scheduled: API under maintenance/);

      // Ahead of time.
      const upcoming = await get(base, '/');
      assert.notEqual(upcoming.etag, empty.etag);
      assert.match(upcoming.body, /<h2 id="maintenance">Scheduled maintenance<\/h2>/);
      assert.match(upcoming.body, /Database upgrade; writes pause for a minute/);
      const [planned] = (await json(base, '/api/v2/scheduled-maintenances/upcoming.json')).scheduled_maintenances;
      assert.equal(planned.id, 'mnt-1');
      assert.equal(planned.status, 'scheduled');
      assert.equal(planned.scheduled_for, new Date(Math.floor(from / 1000) * 1000).toISOString());
      assert.equal(planned.scheduled_until, new Date(Math.floor(to / 1000) * 1000).toISOString());
      assert.equal(planned.components[0].name, 'API');
      assert.equal((await json(base, '/api/v2/summary.json')).scheduled_maintenances.length, 1);
      const listed = await w.sim.slashCommand({ user: 'U111', text: 'maintenance' }).ack;
      assert.match(ephemeralText(listed), /MNT-1 API, /);

      // In progress: the component is under maintenance, with nothing published in between.
      const during = await until('the window to begin', 15000, async () => {
        const s = await json(base, '/api/v2/summary.json');
        return s.components.find((c) => c.name === 'API').status === 'under_maintenance' ? s : null;
      });
      assert.equal(during.status.indicator, 'maintenance');
      assert.equal(during.components.find((c) => c.name === 'Website').status, 'operational');
      const [active] = (await json(base, '/api/v2/scheduled-maintenances/active.json')).scheduled_maintenances;
      assert.equal(active.status, 'in_progress');
      assert.deepEqual((await json(base, '/api/v2/scheduled-maintenances/upcoming.json')).scheduled_maintenances, []);
      const inProgress = await get(base, '/');
      assert.notEqual(inProgress.etag, upcoming.etag);
      assert.match(inProgress.body, /<strong>In progress<\/strong>/);
      assert.match(inProgress.body, /API<\/span><span class="st"><span aria-hidden="true">⚙<\/span> Under Maintenance/);

      // Over: completed, the component operational again, and no downtime counted.
      const after = await until('the window to end', 15000, async () => {
        const s = await json(base, '/api/v2/summary.json');
        return s.components.find((c) => c.name === 'API').status === 'operational' ? s : null;
      });
      assert.equal(after.status.indicator, 'none');
      assert.deepEqual(after.scheduled_maintenances, []);
      const [done] = (await json(base, '/api/v2/scheduled-maintenances.json')).scheduled_maintenances;
      assert.equal(done.status, 'completed');
      const completed = await get(base, '/');
      assert.notEqual(completed.etag, inProgress.etag);
      assert.ok(!completed.body.includes('<h2 id="maintenance">'), 'no longer announced');
      assert.match(completed.body, /100\.00% uptime/);
      assert.match((await get(base, '/history.atom')).body, /:maintenance-1-completed<\/id>/);

      // Over already: cancelling says so.
      const late = await w.sim.slashCommand({ user: 'U333', text: 'maintenance cancel MNT-1' }).ack;
      assert.match(ephemeralText(late), /MNT-1 is already over/);
    } finally {
      await w.close();
    }
  });

  test('a window cancelled before it begins leaves the page; a retried command schedules once', async () => {
    const w = await World.create({ config });
    try {
      const bot = await w.start();
      const base = await pageBase(bot);
      const from = Date.now() + 3600_000;
      const text = `maintenance Website ${iso(from)} +1h Moving the CDN`;
      // The same envelope twice (Slack's redelivery): both acked, one window scheduled.
      const { envelopeId, ack } = w.sim.slashCommand({ user: 'U333', text });
      const { frame, connection } = envelopeFrame(w.sim, envelopeId);
      w.sim.sendRaw(frame, { connection });
      assert.match(ephemeralText(await ack), /MNT-1 scheduled/);
      const [again] = await w.sim.waitFor(() => {
        const r = repeatedAcks(w.sim, envelopeId);
        return r.length > 0 && r;
      }, 5000, 'ack of the second delivery');
      assert.doesNotMatch(again.data, /MNT-2/);
      const scheduled = await until('the window on the page', 10000, async () => {
        const list = (await json(base, '/api/v2/scheduled-maintenances/upcoming.json')).scheduled_maintenances;
        return list.length > 0 ? list : null;
      });
      assert.equal(scheduled.length, 1);
      const cancel = await w.sim.slashCommand({ user: 'U333', text: 'maintenance cancel 1' }).ack;
      assert.match(ephemeralText(cancel), /MNT-1 cancelled: it is off the status page/);
      assert.deepEqual((await json(base, '/api/v2/scheduled-maintenances.json')).scheduled_maintenances, []);
      assert.ok(!(await get(base, '/')).body.includes('Moving the CDN'));
    } finally {
      await w.close();
    }
  });
});
