// The procedures' clock, end to end with short cadences from the config: update nudges, the
// escalation matrix, post-incident reminders and action-item DMs, each fired exactly once — across a
// SIGKILL and with two replicas on one store.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World, sleep, messageText as text } from './harness.mjs';

const hasAction = (m, id) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${id}"`);
const isNudge = (m) => /Update due for INC-/.test(m.text);
const atOf = (m) => Number(m.ts.split('.')[0]) * 1000 + Number(m.ts.split('.')[1]) / 1000;
const nudges = (room) => room.messages.filter(isNudge);
// The simulator's ts carries its own clock: when it stored the message.
const postedAt = (w, m) => w.sim.calls.find((c) => c.method === 'chat.postMessage' && c.response?.ts === m.ts)?.at ?? atOf(m);
const dms = (w, user) => [...w.sim.channels.values()].filter((c) => c.is_im && c.user === user).flatMap((c) => c.messages);

// Each returns when the command was sent: its events are stamped no earlier, so a reminder due a
// cadence after them is posted at least a cadence after this, to the millisecond.
async function declare(w, text, user = 'U111') {
  const sent = Date.now();
  const { ack } = w.sim.slashCommand({ user, text: `declare ${text}` });
  assert.ok(await ack, 'declare acked');
  return sent;
}

async function inRoom(w, room, text, user = 'U111') {
  const sent = Date.now();
  assert.ok(await w.sim.slashCommand({ user, channel: room.id, text }).ack, `${text} acked`);
  return sent;
}

describe('update nudges', { timeout: 90000 }, () => {
  test('a nudge comes after update_every and not before; an update resets it, Snooze delays it, resolve stops it', async () => {
    const w = await World.create({ config: '[severity.P1]\nupdate_every = "4s"\n[post_incident]\nsnooze = "6s"\n' });
    try {
      await w.start();
      const declared = await declare(w, 'P1 Checkout slow');
      const room = await w.waitForRoom(1);
      await sleep(3000);
      assert.equal(nudges(room).length, 0, 'no nudge before the cadence');
      const first = await w.sim.waitFor(() => nudges(room)[0], 12000, 'first nudge');
      const late = postedAt(w, first) - declared;
      assert.ok(late >= 4000 && late < 8000, `first nudge ${late} ms after declaration`);
      assert.match(text(first), /<@U111>/, 'the nudge mentions the declarer (no IC yet)');
      assert.ok(hasAction(first, 'post_update') && hasAction(first, 'snooze'), 'Post update and Snooze buttons');

      await inRoom(w, room, 'assign ic @U222');
      const updated = await inRoom(w, room, 'update status:identified Found the slow query', 'U222');
      await sleep(3000);
      assert.equal(nudges(room).length, 1, 'the update reset the clock');
      const second = await w.sim.waitFor(() => nudges(room)[1], 12000, 'second nudge');
      const after = postedAt(w, second) - updated;
      assert.ok(after >= 4000 && after < 8000, `second nudge ${after} ms after the update`);
      assert.match(text(second), /<@U222>/, 'the nudge mentions the IC');

      assert.ok(await w.sim.blockAction({ user: 'U222', channel: room.id, messageTs: second.ts, actionId: 'snooze' }).ack);
      const snoozed = Date.now();
      await w.sim.waitFor(() => room.messages.some((m) => /snoozed by <@U222>/.test(m.text)), 12000, 'snooze recorded');
      await sleep(4500);
      assert.equal(nudges(room).length, 2, 'snoozed: no nudge at the usual cadence');
      const third = await w.sim.waitFor(() => nudges(room)[2], 12000, 'nudge after the snooze');
      assert.ok(postedAt(w, third) - snoozed >= 5000, 'the snooze lasted its 6 s');

      await inRoom(w, room, 'resolve Rolled back the index change', 'U222');
      await w.sim.waitFor(() => room.messages.some((m) => /RESOLVED/.test(text(m))), 12000, 'resolution posted');
      const count = nudges(room).length;
      await sleep(6000);
      assert.equal(nudges(room).length, count, 'no nudge after resolution');
    } finally {
      await w.close();
    }
  });
});

const escalationConfig = `
[severity.P0]
update_every = "none"
escalation = [
  { after = "0s", target = "on-call", label = "On-call engineer paged" },
  { after = "2s", target = "engineering-manager", label = "Engineering manager notified", notify = ["@U222", "@S0GROUP1", "dave@example.com"], dm = true },
  { after = "4s", target = "vp-engineering", label = "VP Engineering notified", notify = ["@U333"], dm = false },
  { after = "12s", target = "customer-communication", label = "Customer communication required" },
  { after = "14s", target = "executives", label = "Executive team notified" },
]
`;

describe('escalation matrix', { timeout: 90000 }, () => {
  test('steps fire in order at their offsets, escalate takes the next one now, and resolution stops the rest', async () => {
    const w = await World.create({ config: escalationConfig });
    try {
      await w.start();
      const declared = await declare(w, 'P0 Everything is down');
      const room = await w.waitForRoom(1);
      const step = (label) => room.messages.find((m) => m.text.includes(`Escalation — INC-1 (P0): ${label}`));
      const vp = await w.sim.waitFor(() => step('VP Engineering notified'), 12000, 'VP step');
      const em = step('Engineering manager notified');
      // No rotation and no paging here: the on-call step says nobody was paged.
      const oncall = step('the on-call step is due, but nobody is on call to page');
      assert.ok(oncall && em, 'earlier steps fired');
      assert.ok(postedAt(w, oncall) - declared < 1500, 'the 0-minute step fires at declaration');
      assert.ok(postedAt(w, em) - declared >= 1000 && postedAt(w, em) - declared < 6000, 'EM step at 2 s');
      assert.ok(postedAt(w, vp) - declared >= 3000 && postedAt(w, vp) - declared < 9000, 'VP step at 4 s');
      assert.ok(postedAt(w, oncall) < postedAt(w, em) && postedAt(w, em) < postedAt(w, vp), 'in order');
      assert.match(text(em), /<@U222>/, 'user contact mentioned');
      assert.match(text(em), /<!subteam\^S0GROUP1>/, 'user group mentioned as a group');
      await w.sim.waitFor(() => dms(w, 'U222').some((m) => /Engineering manager notified/.test(m.text)), 12000, 'DM to the EM');
      // A contact given by e-mail address is DMed as the Slack user who has it.
      await w.sim.waitFor(() => dms(w, 'U444').some((m) => /Engineering manager notified/.test(m.text)), 12000, 'DM by e-mail');
      assert.equal(dms(w, 'U333').length, 0, 'a step with dm = false only mentions');

      await inRoom(w, room, 'escalate the database is not coming back');
      const manual = await w.sim.waitFor(() => step('Customer communication required'), 12000, 'manual step');
      assert.match(text(manual), /manual: the database is not coming back/);
      const notice = await w.sim.waitFor(() => room.messages.find((m) => hasAction(m, 'approve_notice')), 12000, 'customer notice draft');
      assert.match(text(notice), /Customer notice \(draft\)/);
      await inRoom(w, room, 'assign comms @U444');
      assert.ok(await w.sim.blockAction({ user: 'U333', channel: room.id, messageTs: notice.ts, actionId: 'approve_notice' }).ack);
      await w.sim.waitFor(() => w.sim.responses.some((r) => /Communications Lead/.test(JSON.stringify(r.body))), 12000, 'only the comms lead approves');
      assert.ok(await w.sim.blockAction({ user: 'U444', channel: room.id, messageTs: notice.ts, actionId: 'approve_notice' }).ack);
      await w.sim.waitFor(() => w.sim.channelByName('incidents').messages.some((m) => /Customer notice for INC-1 approved by <@U444>/.test(m.text)), 12000, 'approved notice announced');

      await inRoom(w, room, 'assign ic @U111');
      await inRoom(w, room, 'resolve Failed over to the standby');
      await sleep(Math.max(0, declared + 16000 - Date.now()));
      assert.equal(step('Executive team notified'), undefined, 'no step after resolution');
      const timeline = room.messages.filter((m) => /Escalation — INC-1/.test(m.text)).length;
      assert.equal(timeline, 4, 'each step once');
    } finally {
      await w.close();
    }
  });
});

describe('exactly once', { timeout: 120000 }, () => {
  test('SIGKILL just before a nudge is due and a restart after: it fires once, promptly', async () => {
    const w = await World.create({ config: '[severity.P1]\nupdate_every = "5s"\n' });
    try {
      const bot = await w.start();
      const declared = await declare(w, 'P1 Search returns nothing');
      const room = await w.waitForRoom(1);
      await w.sim.waitFor(() => room.messages.length >= 3, 12000, 'declaration posted');
      await sleep(Math.max(0, declared + 4000 - Date.now()));
      bot.kill();
      await bot.exit;
      await sleep(Math.max(0, declared + 6500 - Date.now()));
      assert.equal(nudges(room).length, 0, 'nothing while down');
      const restarted = Date.now();
      await w.start();
      const nudge = await w.sim.waitFor(() => nudges(room)[0], 12000, 'nudge after restart');
      assert.ok(postedAt(w, nudge) - restarted < 3000, 'fired promptly after the restart');
      await sleep(2000);
      assert.equal(nudges(room).length, 1, 'fired once');
    } finally {
      await w.close();
    }
  });

  test('two replicas on one store fire each reminder exactly once over many incidents', async () => {
    const w = await World.create({ config: '[severity.P1]\nupdate_every = "3s"\n' });
    try {
      await w.start();
      await w.start();
      const count = 8;
      for (let k = 1; k <= count; ++k) await declare(w, `P1 Replica incident ${k}`, k % 2 ? 'U111' : 'U222');
      for (let k = 1; k <= count; ++k) await w.waitForRoom(k);
      await sleep(10000);
      for (const bot of w.bots) assert.equal((await bot.stop()).code, 0);
      for (let k = 1; k <= count; ++k) {
        // Each nudge says how long there has been no update, and carries its outbox entry in its
        // metadata: a nudge fired twice, or delivered twice, would repeat one of them.
        const got = nudges(w.room(k));
        assert.ok(got.length >= 2, `incident ${k} was nudged (${got.length})`);
        const texts = got.map((m) => m.text);
        assert.equal(new Set(texts).size, texts.length, `incident ${k}: a nudge came twice: ${texts.join(' | ')}`);
        const entries = got.map((m) => m.metadata?.event_payload?.entry);
        assert.ok(entries.every((e) => e !== undefined), 'nudges carry their outbox entry');
        assert.equal(new Set(entries).size, entries.length, `incident ${k}: an outbox entry was posted twice`);
      }
      const ids = w.sim.calls.filter((c) => c.method === 'conversations.create' && c.response.ok).map((c) => c.args.name);
      assert.equal(new Set(ids).size, ids.length, 'one war room each');
    } finally {
      await w.close();
    }
  });
});

describe('post-incident clocks', { timeout: 90000 }, () => {
  test('action items DM their owner when due; report and post-mortem reminders come after resolution with buttons', async () => {
    // Reminded at midnight (UTC) of the due date, so an item due today is due now.
    const w = await World.create({
      config: '[post_incident]\nreport_due = "2s"\npostmortem_within = "3s"\n[action_items]\nremind_at = "00:00"\n',
    });
    try {
      await w.start();
      await declare(w, 'P1 Emails delayed');
      const room = await w.waitForRoom(1);
      const today = new Date().toISOString().slice(0, 10);
      await inRoom(w, room, `action Add a queue depth alert @U333 due:${today}`);
      const dm = await w.sim.waitFor(() => dms(w, 'U333').find((m) => /Action item #1/.test(m.text)), 12000, 'action DM');
      assert.ok(hasAction(dm, 'done'), 'Mark done on the DM');
      const imChannel = [...w.sim.channels.values()].find((c) => c.is_im && c.user === 'U333');
      assert.ok(await w.sim.blockAction({ user: 'U333', channel: imChannel.id, messageTs: dm.ts, actionId: 'done' }).ack);
      await w.sim.waitFor(() => room.messages.some((m) => /Action item #1 done \(@U333\)|Action item #1 done \(<@U333>\)/.test(m.text)), 12000, 'done recorded');

      await inRoom(w, room, 'assign ic @U111');
      const resolved = await inRoom(w, room, 'resolve Drained the backlog');
      const report = await w.sim.waitFor(() => room.messages.find((m) => /Report due by .* — INC-1/.test(m.text)), 12000, 'report reminder');
      // 2 s to write the report: reminded half-way, with time left to act.
      assert.ok(postedAt(w, report) - resolved >= 1000, 'report reminder ahead of report_due, not at once');
      assert.ok(hasAction(report, 'report'), 'Generate report button');
      const pm = await w.sim.waitFor(() => room.messages.find((m) => /Post-mortem due by .* — INC-1/.test(m.text)), 12000, 'post-mortem reminder');
      assert.ok(hasAction(pm, 'check'), 'Mark post-mortem held button');
      assert.ok(await w.sim.blockAction({ user: 'U111', channel: room.id, messageTs: pm.ts, actionId: 'check' }).ack);
      await w.sim.waitFor(() => room.messages.some((m) => /checked "Post-mortem/.test(m.text)), 12000, 'post-mortem marked held');
      await sleep(3000);
      assert.equal(room.messages.filter((m) => /Report due by .* — INC-1/.test(m.text)).length, 1, 'report reminder once');
      assert.equal(room.messages.filter((m) => /Post-mortem due by .* — INC-1/.test(m.text)).length, 1, 'post-mortem reminder once');
    } finally {
      await w.close();
    }
  });

  test('a privacy incident starts the regulator clock and its reminder can be marked done', async () => {
    const w = await World.create({ config: '[post_incident]\nregulator_notice = "4s"\n' });
    try {
      await w.start();
      await declare(w, 'P1 type:privacy Customer list exported');
      const room = await w.waitForRoom(1);
      await w.join('U222', room);
      const reminder = await w.sim.waitFor(() => room.messages.find((m) => /Regulator notification — INC-1/.test(m.text)), 12000, 'regulator reminder');
      assert.ok(hasAction(reminder, 'regulator_notified'));
      assert.ok(await w.sim.blockAction({ user: 'U222', channel: room.id, messageTs: reminder.ts, actionId: 'regulator_notified' }).ack);
      await w.sim.waitFor(() => room.messages.some((m) => /Regulator notification of INC-1 recorded by <@U222>/.test(m.text)), 12000, 'recorded');
    } finally {
      await w.close();
    }
  });
});
