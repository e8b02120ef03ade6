// On-call and paging, end to end: the rotation's primary is invited and paged (in Slack and through
// PagerDuty or Opsgenie, local fakes that check every payload against the vendor's schema), an
// unacknowledged page goes to the secondary, PagerDuty's signed webhook acknowledges, resolution
// resolves the vendor's alert; one dedup key per incident throughout. Hand-offs and `/incident oncall`.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World, sleep, messageText as text, freePort } from './harness.mjs';
import { startPagerDuty, startOpsgenie, sendPagerDutyWebhook } from '../slack_sim/paging_fakes.mjs';

const dms = (w, user) => [...w.sim.channels.values()].filter((c) => c.is_im && c.user === user).flatMap((c) => c.messages);
const weekAgo = () => new Date(Date.now() - 7 * 86400 * 1000 + 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function config({ vendor, url, port, respond = '3s', extra = '' }) {
  return `
[http]
listen = "127.0.0.1:${port}"
[paging]
vendor = "${vendor}"
url = "${url}"
service_id = "PF9KMXH"
users = { U222 = "bob@example.com", U333 = "carol@example.com" }
[severity.P0]
respond_within = "${respond}"
update_every = "none"
escalation = [{ after = "0s", target = "on-call", label = "On-call engineer paged" }]
[[oncall.rotations]]
name = "platform"
members = ["U222", "U333"]
start = "${weekAgo()}"
length = "bi-weekly"
${extra}`;
}

async function declare(w, title) {
  assert.ok(await w.sim.slashCommand({ user: 'U111', text: `declare P0 ${title}` }).ack);
  return w.waitForRoom(1);
}

describe('paging through PagerDuty', { timeout: 90000 }, () => {
  test('primary paged and invited, secondary paged when unacknowledged, the webhook acknowledges, resolve resolves', async () => {
    const pd = await startPagerDuty();
    const port = await freePort();
    const secret = 'whsec-test-0123456789';
    const w = await World.create({ config: config({ vendor: 'pagerduty', url: pd.url, port }) });
    try {
      await w.start({ env: { WARROOM_PAGING_KEY: 'R0UTINGKEY0000000000000000000001', WARROOM_PAGING_WEBHOOK_SECRET: secret } });
      const room = await declare(w, 'Database unreachable');
      const trigger = await pd.waitFor((e) => e.body.event_action === 'trigger', 8000);
      assert.equal(trigger.body.dedup_key, 'warroom-inc-1');
      assert.equal(trigger.body.payload.severity, 'critical');
      assert.match(trigger.body.payload.summary, /INC-1 P0: Database unreachable/);
      assert.equal(trigger.body.payload.custom_details.responder, 'U222');
      await w.sim.waitFor(() => room.members.has('U222'), 5000, 'the primary is invited');
      await w.sim.waitFor(() => dms(w, 'U222').some((m) => /Paging <@U222> \(primary on call\)/.test(m.text)), 5000, 'primary DM');
      assert.ok(room.messages.some((m) => /Paging <@U222> \(primary on call\)/.test(m.text)), 'page shown in the war room');

      const second = await pd.waitFor((e) => e.body.event_action === 'trigger' && e.body.payload.custom_details.position === 'secondary', 8000);
      assert.equal(second.body.dedup_key, 'warroom-inc-1', 'the same alert escalates');
      assert.equal(second.body.payload.custom_details.responder, 'U333');
      assert.ok(second.at - trigger.at >= 3000, 'secondary only after respond_within');
      await w.sim.waitFor(() => dms(w, 'U333').some((m) => /secondary on call/.test(m.text)), 5000, 'secondary DM');

      const bad = await sendPagerDutyWebhook(`http://127.0.0.1:${port}/webhooks/pagerduty`, 'wrong-secret', { incidentKey: 'warroom-inc-1' });
      assert.equal(bad.status, 401, 'a webhook with a bad signature is refused');
      const ok = await sendPagerDutyWebhook(`http://127.0.0.1:${port}/webhooks/pagerduty`, secret, { incidentKey: 'warroom-inc-1', agentName: 'Carol' });
      assert.equal(ok.status, 200);
      await w.sim.waitFor(() => room.messages.some((m) => /INC-1 acknowledged by/.test(m.text)), 5000, 'acknowledged from PagerDuty');
      await pd.waitFor((e) => e.body.event_action === 'acknowledge', 5000);
      const again = await sendPagerDutyWebhook(`http://127.0.0.1:${port}/webhooks/pagerduty`, secret, { incidentKey: 'warroom-inc-1' });
      assert.equal(again.status, 200, 'a repeated webhook is accepted and changes nothing');

      // Only what warroom paged, of its own service, and not a replay of an old delivery.
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P3 type:performance Slow admin page' }).ack);
      const hook = (options) => sendPagerDutyWebhook(`http://127.0.0.1:${port}/webhooks/pagerduty`, secret, options);
      const never = await hook({ incidentKey: 'warroom-inc-2', agentName: 'Mallory' });
      assert.equal(never.status, 200);
      assert.match(JSON.stringify(never.body), /ignored/);
      const other = await hook({ incidentKey: 'warroom-inc-1', serviceId: 'POTHER1' });
      assert.match(JSON.stringify(other.body), /ignored: not warroom's service/);
      const stale = await hook({ incidentKey: 'warroom-inc-1', occurredAt: new Date(Date.now() - 3600 * 1000) });
      assert.equal(stale.status, 400, 'an hour-old delivery is a replay');
      const early = await hook({ incidentKey: 'warroom-inc-1', occurredAt: new Date(Date.now() + 3600 * 1000) });
      assert.equal(early.status, 400, 'a delivery dated an hour ahead is refused too');
      const undated = await hook({ incidentKey: 'warroom-inc-1', occurredAt: null });
      assert.equal(undated.status, 400, 'a delivery without occurred_at cannot be told from a replay');
      assert.match(JSON.stringify(undated.body), /occurred_at is missing or outside/);
      const room2 = await w.waitForRoom(2);
      await sleep(500);
      assert.ok(!room2.messages.some((m) => /acknowledged by/.test(m.text)), 'the never-paged incident is not acknowledged');
      await w.bots[0].waitForLog(/PagerDuty acknowledgement of INC-2 refused: the paging integration may only acknowledge/);

      await w.sim.slashCommand({ user: 'U333', channel: room.id, text: 'assign ic @U333' }).ack;
      await w.sim.slashCommand({ user: 'U333', channel: room.id, text: 'resolve Restarted the primary' }).ack;
      await pd.waitFor((e) => e.body.event_action === 'resolve', 5000);
      const shown = room.messages.length;
      const late = await hook({ incidentKey: 'warroom-inc-1', agentName: 'Dave' });
      assert.equal(late.status, 200, 'an acknowledgement after the resolution is answered, so PagerDuty stops sending it');
      await sleep(500);
      assert.equal(room.messages.length, shown, 'and changes nothing in the room');
      assert.ok(!room.messages.some((m) => /Dave/.test(text(m))));
      assert.deepEqual(pd.rejected, [], 'every payload was schema-valid');
      assert.deepEqual([...new Set(pd.events.map((e) => e.body.dedup_key))], ['warroom-inc-1'], 'one dedup key');
      assert.equal(pd.events.filter((e) => e.body.event_action === 'acknowledge').length, 1, 'acknowledged once');
      assert.equal(pd.alerts.get('warroom-inc-1').status, 'resolved');
    } finally {
      await w.close();
      await pd.close();
    }
  });

  test('an acknowledged page does not go to the secondary, and PagerDuty being down delays the page without losing it', async () => {
    const pd = await startPagerDuty();
    const port = await freePort();
    const w = await World.create({ config: config({ vendor: 'pagerduty', url: pd.url, port, respond: '4s' }) });
    try {
      await w.start({ env: { WARROOM_PAGING_KEY: 'R0UTINGKEY0000000000000000000001' } });
      const unconfigured = await sendPagerDutyWebhook(`http://127.0.0.1:${port}/webhooks/pagerduty`, 'any-secret', { incidentKey: 'warroom-inc-1' });
      assert.equal(unconfigured.status, 404, 'without a webhook secret the endpoint does not exist');
      pd.fail(2, 503);
      const room = await declare(w, 'Queue backlog');
      const trigger = await pd.waitFor((e) => e.body.event_action === 'trigger', 15000);
      assert.equal(pd.rejected.length, 2, 'two 503s, then delivered');
      const prompt = await w.sim.waitFor(() => room.messages.find((m) => /Paging <@U222>/.test(m.text)), 5000, 'page prompt');
      assert.ok(await w.sim.blockAction({ user: 'U222', channel: room.id, messageTs: prompt.ts, actionId: 'acknowledge' }).ack);
      await pd.waitFor((e) => e.body.event_action === 'acknowledge', 5000);
      await sleep(5000);
      assert.equal(pd.events.filter((e) => e.body.event_action === 'trigger').length, 1, 'no secondary page');
      assert.equal(trigger.body.dedup_key, 'warroom-inc-1');
    } finally {
      await w.close();
      await pd.close();
    }
  });
});

describe('paging through Opsgenie', { timeout: 60000 }, () => {
  test('the alert is created for the primary, the secondary added as responder, acknowledged and closed', async () => {
    const og = await startOpsgenie();
    const port = await freePort();
    const w = await World.create({ config: config({ vendor: 'opsgenie', url: og.url, port }) });
    try {
      await w.start({ env: { WARROOM_PAGING_KEY: 'genie-key-test' } });
      const room = await declare(w, 'Login broken');
      const create = await og.waitFor((r) => r.action === 'create', 8000);
      assert.equal(create.body.alias, 'warroom-inc-1');
      assert.equal(create.body.priority, 'P1');
      assert.deepEqual(create.body.responders, [{ type: 'user', username: 'bob@example.com' }]);
      const added = await og.waitFor((r) => r.action === 'responders', 8000);
      assert.deepEqual(added.body.responder, { type: 'user', username: 'carol@example.com' });
      assert.equal(added.identifierType, 'alias');
      const prompt = room.messages.find((m) => /Paging <@U333>/.test(m.text));
      assert.ok(await w.sim.blockAction({ user: 'U333', channel: room.id, messageTs: prompt.ts, actionId: 'acknowledge' }).ack);
      await og.waitFor((r) => r.action === 'acknowledge', 5000);
      await w.sim.slashCommand({ user: 'U333', channel: room.id, text: 'assign ic @U333' }).ack;
      await w.sim.slashCommand({ user: 'U333', channel: room.id, text: 'resolve Rotated the signing key' }).ack;
      await og.waitFor((r) => r.action === 'close', 5000);
      assert.deepEqual(og.rejected, [], 'every payload was schema-valid');
      assert.equal(og.alerts.get('warroom-inc-1').status, 'closed');
    } finally {
      await w.close();
      await og.close();
    }
  });
});

describe('on-call rotation', { timeout: 60000 }, () => {
  test('oncall shows now and next; a change of turn posts one hand-off', async () => {
    const start = new Date(Date.now() - 2000).toISOString().replace(/\.\d+Z$/, 'Z');
    const w = await World.create({ config: `
[[oncall.rotations]]
name = "platform"
members = ["U111", "U222", "U333"]
start = "${start}"
length = "6s"
` });
    try {
      await w.start();
      const { ack } = w.sim.slashCommand({ user: 'U444', text: 'oncall' });
      const reply = JSON.stringify((await ack).payload ?? '') + JSON.stringify(w.sim.responses.map((r) => r.body));
      assert.match(reply, /Now: <@U111> primary, <@U222> secondary/);
      assert.match(reply, /Next: <@U222> primary, <@U333> secondary/);
      const incidents = w.sim.channelByName('incidents');
      const handoff = await w.sim.waitFor(() => incidents.messages.find((m) => /On-call hand-off/.test(m.text)), 10000, 'hand-off');
      assert.match(text(handoff), /<@U222> is primary on call from now, taking over from <@U111>/);
      await sleep(1500);
      assert.equal(incidents.messages.filter((m) => /On-call hand-off/.test(m.text)).length, 1, 'once per change');
    } finally {
      await w.close();
    }
  });
});
