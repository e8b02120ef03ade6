// Atlassian Statuspage, end to end, against a local fake that refuses anything off Statuspage's
// documented schema (tests/slack_sim/paging_fakes.mjs): the first publication opens an incident, later
// ones PATCH it, the resolution resolves it and its components; a 429 is retried once, after its
// Retry-After; calls are a second apart; a private incident's title never leaves; a restart between
// publications PATCHes the same incident; an answer lost after the incident was opened is reconciled,
// not opened twice; the API key is in no log line; a maintenance window becomes a scheduled
// maintenance, completed when it is called off, before it begins or while it runs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World, sleep, messageText as text } from './harness.mjs';
import { startStatuspage } from '../slack_sim/paging_fakes.mjs';

const apiKey = 'sp-key-0123456789abcdef';
const api = '8kbf7d35c070';
const website = 'x1y2z3w4v5u6';

const config = (sp) => `[status_page]
maintainers = ["@U333"]
[status_page.statuspage]
page_id = "kctbh9vrtdwd"
api_url = "${sp.url}"
[[status_page.components]]
name = "API"
statuspage_id = "${api}"
[[status_page.components]]
name = "Website"
statuspage_id = "${website}"
[[status_page.components]]
name = "Exports"
`;

// "2026-12-07T14:00:00Z", as /incident maintenance takes it (whole seconds).
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const ephemeralText = (ack) => JSON.stringify(ack?.payload ?? {});

const hasAction = (m, id) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${id}"`);
const published = (room, n) => room.messages.filter((m) => /Published on the status page/.test(text(m))).length >= n;

async function world() {
  const sp = await startStatuspage({ apiKey, componentIds: [api, website] });
  const w = await World.create({ config: config(sp) });
  const start = () => w.start({ env: { WARROOM_STATUSPAGE_API_KEY: apiKey } });
  const close = async () => {
    await w.close();
    await sp.close();
    for (const bot of w.bots) assert.ok(!bot.log().includes(apiKey), 'the API key is in no log line');
  };
  return { sp, w, start, close };
}

// Every request the fake saw, accepted or refused, came at least a second after the one before it
// (a little less, for the time a first connection takes that a later one does not).
function assertPaced(sp) {
  const at = [...sp.requests.map((r) => r.at), ...sp.rejected.map((r) => r.at)].sort((a, b) => a - b);
  for (let k = 1; k < at.length; k += 1) assert.ok(at[k] - at[k - 1] >= 900, `calls a second apart: ${at}`);
}

describe('Statuspage', { timeout: 90000 }, () => {
  test('publish opens the incident, an update PATCHes it after a 429, the resolution resolves it', async () => {
    const { sp, w, start, close } = await world();
    try {
      await start();
      const title = 'Checkout database lost its disk';
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: `declare P1 component:API ${title}` }).ack);
      const room = await w.waitForRoom(1);
      const text1 = 'Checkout is failing for all customers; we are on it.';
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: `publish component:API status:major-outage ${text1}` }).ack);
      const opened = await sp.waitFor((r) => r.action === 'create', 10000);
      assert.deepEqual(opened.body, {
        incident: {
          name: title, status: 'investigating', body: text1, deliver_notifications: true,
          component_ids: [api], components: { [api]: 'major_outage' }, impact_override: 'critical',
          metadata: { warroom: { incident: 'INC-1' } },
        },
      });
      assert.equal(opened.headers.authorization, `OAuth ${apiKey}`);
      assert.equal(sp.components.get(api), 'major_outage');

      // Rate limited once: retried after Retry-After, through the outbox, and delivered.
      sp.fail(1, 429, 2);
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'update status:monitoring Failover done' }).ack);
      const text2 = 'A fix is in place and we are watching it.';
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: `publish ${text2}` }).ack);
      const updated = await sp.waitFor((r) => r.action === 'update', 15000);
      assert.equal(updated.id, opened.id, 'the same Statuspage incident');
      assert.deepEqual(updated.body.incident, {
        name: title, status: 'monitoring', body: text2, deliver_notifications: true, impact_override: 'critical',
      });
      assert.equal(sp.rejected.length, 1, 'one 429, then delivered');
      assert.equal(sp.rejected[0].status, 429);
      assert.ok(updated.at - sp.rejected[0].at >= 2000, 'retried no sooner than Retry-After');

      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'resolve Replaced the disk' }).ack);
      const offer = await w.sim.waitFor(() => room.messages.find((m) => hasAction(m, 'publish_resolution')), 10000, 'Publish resolution offered');
      await sleep(1500);
      assert.equal(sp.requests.filter((r) => r.action === 'update').length, 1, 'resolving alone publishes nothing');
      await w.sim.blockAction({ user: 'U111', channel: room.id, messageTs: offer.ts, actionId: 'publish_resolution' }).ack;
      const resolved = await sp.waitFor((r) => r.action === 'update' && r.body.incident.status === 'resolved', 10000);
      assert.deepEqual(resolved.body.incident.components, { [api]: 'operational' });
      const incident = sp.incidents.get(opened.id);
      assert.equal(incident.status, 'resolved');
      assert.deepEqual(incident.incident_updates.map((u) => u.status), ['resolved', 'monitoring', 'investigating']);
      assert.equal(sp.components.get(api), 'operational');
      assert.equal(sp.incidents.size, 1);
      assertPaced(sp);
    } finally {
      await close();
    }
  });

  test("a private incident's title never leaves, and after a restart the next publication PATCHes the same incident", async () => {
    const { sp, w, start, close } = await world();
    try {
      await start();
      const title = 'Payroll export of ACME posted to a public bucket';
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: `declare P1 type:security component:Website ${title}` }).ack);
      const room = await w.waitForRoom(1);
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'publish component:Website status:degraded-performance Some exports are delayed.' }).ack);
      const opened = await sp.waitFor((r) => r.action === 'create', 10000);
      assert.equal(opened.body.incident.name, 'Incident INC-1');
      assert.deepEqual(opened.body.incident.components, { [website]: 'degraded_performance' });
      await w.sim.waitFor(() => published(room, 1), 10000, 'publication told in the room');

      assert.deepEqual(await w.bots[0].stop(), { code: 0, signal: null });
      await start();
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'publish Exports are flowing again.' }).ack);
      const updated = await sp.waitFor((r) => r.action === 'update', 10000);
      assert.equal(updated.id, opened.id, 'the incident opened before the restart');
      assert.equal(sp.requests.filter((r) => r.action === 'create').length, 1);
      const sent = JSON.stringify(sp.requests.map((r) => [r.body, r.query])) + JSON.stringify(sp.rejected);
      assert.ok(!/ACME|Payroll|bucket/.test(sent), 'no word of the private title reached Statuspage');
    } finally {
      await close();
    }
  });

  test('a maintenance window is a scheduled maintenance; cancelled before or while it runs, it is completed', async () => {
    const { sp, w, start, close } = await world();
    try {
      await start();
      const from = Math.floor(Date.now() / 1000) * 1000 + 3600_000;
      const later = await w.sim.slashCommand({ user: 'U333', text: `maintenance API ${iso(from)} +30m Database upgrade` }).ack;
      assert.match(ephemeralText(later), /MNT-1 scheduled/);
      const opened = await sp.waitFor((r) => r.action === 'create', 10000);
      assert.deepEqual(opened.body, {
        incident: {
          name: 'Database upgrade', status: 'scheduled', body: 'Database upgrade',
          scheduled_for: new Date(from).toISOString(), scheduled_until: new Date(from + 1800_000).toISOString(),
          scheduled_auto_in_progress: true, scheduled_auto_completed: true, component_ids: [api],
          metadata: { warroom: { maintenance: 'MNT-1' } },
        },
      });

      // Begun already (a start in the past begins it at once), on a component Statuspage does not show.
      const now = Math.floor(Date.now() / 1000) * 1000 - 1000;
      const running = await w.sim.slashCommand({ user: 'U333', text: `maintenance Exports ${iso(now)} +1h Reindexing` }).ack;
      assert.match(ephemeralText(running), /MNT-2 scheduled/);
      const second = await sp.waitFor((r) => r.action === 'create' && r.body.incident.name === 'Reindexing', 10000);
      assert.equal(second.body.incident.component_ids, undefined, 'Exports is not on the Statuspage page');

      for (const [ref, made] of [['MNT-1', opened], ['MNT-2', second]]) {
        const cancel = await w.sim.slashCommand({ user: 'U333', text: `maintenance cancel ${ref}` }).ack;
        assert.match(ephemeralText(cancel), new RegExp(`${ref} (cancelled|ended early)`));
        const done = await sp.waitFor((r) => r.action === 'update' && r.id === made.id, 10000);
        assert.deepEqual(done.body, { incident: { status: 'completed', body: 'This maintenance was called off.' } });
        assert.equal(sp.incidents.get(made.id).status, 'completed');
      }
      assert.equal(sp.incidents.size, 2);
      assert.equal(sp.rejected.length, 0);
      assertPaced(sp);
    } finally {
      await close();
    }
  });

  test('an answer lost after the incident was opened is reconciled: found by its mark, not opened twice', async () => {
    const { sp, w, start, close } = await world();
    try {
      await start();
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P2 component:API Slow searches' }).ack);
      const room = await w.waitForRoom(1);
      sp.dropAnswers(1);
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'publish component:API status:degraded-performance Searches are slow.' }).ack);
      await sp.waitFor((r) => r.action === 'list', 15000);
      await sp.waitFor((r) => r.action === 'get', 10000);
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'publish Searches are fast again.' }).ack);
      const updated = await sp.waitFor((r) => r.action === 'update', 15000);
      assert.equal(sp.incidents.size, 1, 'opened once');
      assert.equal(updated.id, [...sp.incidents.keys()][0]);
      assert.deepEqual(sp.incidents.get(updated.id).incident_updates.map((u) => u.body),
        ['Searches are fast again.', 'Searches are slow.']);
      assertPaced(sp);
    } finally {
      await close();
    }
  });
});
