// Who may do what, end to end: a bystander's close and ack refused privately and logged with who
// tried; Slack's membership events let someone help; a private incident's room is named for its
// type and its title never leaves the room (announcement, pages, DMs); typed mentions ping nobody;
// people are invited when they get involved (a role, a user group to notify); a squatted room name
// never receives a post; a newline in a command cannot forge a log line; a burst from one person is
// slowed down; the declarer leads, so a P1 can be resolved at once.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World, sleep, messageText as text } from './harness.mjs';
import { startPagerDuty } from '../slack_sim/paging_fakes.mjs';

const ephemeralText = (ack) => JSON.stringify(ack?.payload ?? {});
const dms = (w, user) => [...w.sim.channels.values()].filter((c) => c.is_im && c.user === user).flatMap((c) => c.messages);

describe('authority', { timeout: 90000 }, () => {
  test('a bystander cannot close or acknowledge; once in the room they help; the IC closes', async () => {
    const w = await World.create();
    try {
      const bot = await w.start();
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P1 type:outage Checkout errors' }).ack);
      const room = await w.waitForRoom(1);
      const close = await w.sim.slashCommand({ user: 'U444', text: 'close 1 whatever' }).ack;
      assert.match(ephemeralText(close), /only the Incident Commander \(@U111\), the declarer \(@U111\) or an incident admin can close INC-1/);
      const ack = await w.sim.slashCommand({ user: 'U444', text: 'ack 1' }).ack;
      assert.match(ephemeralText(ack), /only the people in INC-1's war room can change it: join #inc-1-checkout-errors first/);
      await bot.waitForLog(/refused: U444 close on INC-1/);
      await bot.waitForLog(/refused: U444 ack on INC-1/);
      assert.ok(!room.messages.some((m) => /U444/.test(text(m))), 'nothing about the refusals in the room');

      await w.join('U444', room);
      const acked = await w.sim.slashCommand({ user: 'U444', text: 'ack 1' }).ack;
      assert.doesNotMatch(ephemeralText(acked), /only/);
      await w.sim.waitFor(() => room.messages.some((m) => /acknowledged by <@U444>/.test(m.text)), 10000, 'acknowledged');
      const still = await w.sim.slashCommand({ user: 'U444', channel: room.id, text: 'close not needed' }).ack;
      assert.match(ephemeralText(still), /only the Incident Commander/);
      // The declarer leads: a P1 resolved right after it was declared.
      const resolved = await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'resolve Rolled back the deploy' }).ack;
      assert.doesNotMatch(ephemeralText(resolved), /needs an Incident Commander/);
      await w.sim.waitFor(() => room.messages.some((m) => /RESOLVED - Checkout errors/.test(m.text)), 10000, 'resolved');
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'close fixed in minutes' }).ack);
      await w.sim.waitFor(() => room.messages.some((m) => /INC-1 closed by <@U111>/.test(m.text)), 10000, 'closed');
    } finally {
      await w.close();
    }
  });

  test("a private incident: a neutral room name, and its title stays in its room (announcement, page, DM)", async () => {
    const pd = await startPagerDuty();
    const w = await World.create({
      config: `[paging]\nvendor = "pagerduty"\nurl = "${pd.url}"\n[[oncall.rotations]]\nname = "sec"\nmembers = ["U222", "U333"]\nstart = "2026-01-05T09:00Z"\n`,
    });
    try {
      await w.start({ env: { WARROOM_PAGING_KEY: 'R0UTINGKEY0000000000000000000001' } });
      const title = 'Payroll export posted to a public bucket';
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: `declare P0 type:security ${title}` }).ack);
      const room = await w.waitForRoom(1);
      assert.equal(room.name, 'inc-1-security');
      assert.ok(room.is_private);
      await w.sim.waitFor(() => room.messages.some((m) => text(m).includes(title)), 10000, 'the title in the room');
      const trigger = await pd.waitFor((e) => e.body.event_action === 'trigger', 10000);
      assert.doesNotMatch(JSON.stringify(trigger.body), /Payroll/, 'the page names the type, not the title');
      const primary = trigger.body.payload.custom_details.responder;
      await w.sim.waitFor(() => dms(w, primary).some((m) => /Paging/.test(m.text)), 10000, 'page DM');
      assert.ok(!dms(w, primary).some((m) => text(m).includes('Payroll')), 'the DM names the type, not the title');
      assert.match(text(dms(w, primary).find((m) => /Paging/.test(m.text))), /Security Breach \(private\)/);
      const announced = await w.sim.waitFor(() => w.sim.channelByName('incidents').messages.find((m) => /INC-1/.test(text(m))), 10000, 'announced');
      assert.doesNotMatch(text(announced), /Payroll/);
      // Outside, for someone not in the room: nothing, not even the status.
      const status = await w.sim.slashCommand({ user: 'U444', text: 'status 1' }).ack;
      assert.match(ephemeralText(status), /INC-1 is private: only its war room's members and the incident admins/);
      assert.doesNotMatch(ephemeralText(status), /Payroll/);
      const form = await w.sim.slashCommand({ user: 'U444', text: 'update 1' }).ack;
      assert.match(ephemeralText(form), /INC-1 is private/);
      await sleep(300);
      assert.equal(w.calls('views.open').length, 0, 'no form was opened for an outsider');
    } finally {
      await w.close();
      await pd.close();
    }
  });

  test('typed mentions ping nobody; the people involved are invited; a user group to notify is expanded', async () => {
    const w = await World.create({
      config: '[severity.P1]\nescalation = [{ after = "0s", target = "sre", label = "SRE notified", notify = ["@S0SRE"] }]\n',
    });
    w.sim.addUserGroup({ id: 'S0SRE', handle: 'sre', name: 'SRE', users: ['U333', 'U444'] });
    try {
      await w.start();
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P1 type:outage Search down' }).ack);
      const room = await w.waitForRoom(1);
      const step = await w.sim.waitFor(() => room.messages.find((m) => /SRE notified/.test(m.text)), 10000, 'the step');
      assert.match(text(step), /<!subteam\^S0SRE>/, 'the bot\'s own mention of the group pings it');
      await w.sim.waitFor(() => room.members.has('U333') && room.members.has('U444'), 10000, 'the group\'s members invited');

      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'update status:identified Ask @U0EVE and @S0ALL to check' }).ack);
      const update = await w.sim.waitFor(() => room.messages.find((m) => /UPDATE - Search down/.test(m.text)), 10000, 'update');
      assert.match(text(update), /@U0EVE/);
      assert.doesNotMatch(text(update), /<@U0EVE>|subteam\^S0ALL/, 'typed mentions stay text');

      assert.ok(!room.members.has('U222'));
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'assign sme @U222' }).ack);
      await w.sim.waitFor(() => room.members.has('U222'), 10000, 'the new SME is invited');
    } finally {
      await w.close();
    }
  });

  test('a private incident: an admin by user group acts from anywhere; a group by handle and a contact by e-mail are invited', async () => {
    const w = await World.create({
      config: '[access]\nincident_admins = ["@S0ADM"]\n[type.security]\ncontacts = ["carol@example.com"]\n' +
        '[severity.P1]\nescalation = [{ after = "0s", target = "sre", label = "SRE notified", notify = ["@sre"] }]\n',
    });
    w.sim.addUserGroup({ id: 'S0ADM', handle: 'incident-admins', name: 'Incident admins', users: ['U444'] });
    w.sim.addUserGroup({ id: 'S0SRE', handle: 'sre', name: 'SRE', users: ['U222'] });
    try {
      await w.start();
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P1 type:security Session tokens in the access log' }).ack);
      const room = await w.waitForRoom(1);
      assert.ok(room.is_private);
      await w.sim.waitFor(() => room.members.has('U333'), 10000, 'the contact given by e-mail is invited');
      const step = await w.sim.waitFor(() => room.messages.find((m) => /SRE notified/.test(m.text)), 10000, 'the step');
      assert.match(text(step), /<!subteam\^S0SRE>/, 'the handle is resolved to the group');
      await w.sim.waitFor(() => room.members.has('U222'), 10000, 'the group named by handle is invited');
      assert.ok(!room.members.has('U444'));

      // The admin is in no room and named only through the group, yet may see and lead; outside the
      // room even they are shown the type, not the title.
      const status = await w.sim.slashCommand({ user: 'U444', text: 'status 1' }).ack;
      assert.match(ephemeralText(status), /INC-1 · Security Breach \(private\)/);
      assert.doesNotMatch(ephemeralText(status), /Session tokens|is private: only/);
      const assigned = await w.sim.slashCommand({ user: 'U444', text: 'assign 1 ic @U333' }).ack;
      assert.doesNotMatch(ephemeralText(assigned), /only|private|⚠️/);
      await w.sim.waitFor(() => room.messages.some((m) => /Incident Commander.*<@U333>/.test(text(m))), 10000, 'a new IC');
      assert.ok(!room.members.has('U444'), 'acting did not put the admin in the room');
      // The invited contact acts as a member once Slack says they joined.
      const theirs = await w.sim.slashCommand({ user: 'U333', channel: room.id, text: 'update status:identified Rotated the keys' }).ack;
      assert.doesNotMatch(ephemeralText(theirs), /only|private/);
      await w.sim.waitFor(() => room.messages.some((m) => /Rotated the keys/.test(text(m))), 10000, 'their update');
    } finally {
      await w.close();
    }
  });

  test('an outage found to be a security incident moves to a new private room with its people; the old is archived', async () => {
    const w = await World.create();
    try {
      await w.start();
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P1 type:outage Strange logins on the admin panel' }).ack);
      const old = await w.waitForRoom(1);
      await w.join('U222', old);
      await w.sim.waitFor(() => old.messages.length >= 3, 10000, 'declared');
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: old.id, text: 'type security' }).ack);
      const room = await w.sim.waitFor(() => w.sim.channelByName('inc-1-security'), 10000, 'the private room');
      assert.ok(room.is_private);
      await w.sim.waitFor(() => room.members.has('U111') && room.members.has('U222'), 10000, 'everyone came along');
      await w.sim.waitFor(() => old.is_archived, 10000, 'the old room archived');
      assert.ok(old.messages.some((m) => /continues in a private war room/.test(m.text)), 'the old room points on');
      await w.sim.waitFor(() => room.messages.some((m) => /Security Breach/.test(text(m))), 10000, 'the security runbook');
      // The incident lives on in the new room.
      const status = await w.sim.slashCommand({ user: 'U222', channel: room.id, text: 'status' }).ack;
      assert.match(ephemeralText(status), /INC-1/);
      const announced = w.sim.channelByName('incidents').messages.find((m) => /INC-1/.test(text(m)));
      await w.sim.waitFor(() => !/Strange logins/.test(text(announced)), 10000, 'the announcement no longer names it');
    } finally {
      await w.close();
    }
  });

  test('a room name someone squatted on every candidate: a random one, and nothing posted to a squatter', async () => {
    // Twenty refused creates in a row: Slack's tiers scaled up, so the test does not wait out Tier 2.
    const w = await World.create({ sim: { rateLimits: { scale: 20 } }, config: '[slack]\nrate_limit_scale = 20\n' });
    const squatted = ['inc-1-db-down', ...Array.from({ length: 19 }, (_, k) => `inc-1-db-down-${k + 2}`)];
    for (const name of squatted) w.sim.addChannel({ name, members: ['U444', w.sim.botUserId], creator: 'U444' });
    try {
      await w.start();
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P1 type:outage DB down' }).ack);
      const room = await w.sim.waitFor(() => [...w.sim.channels.values()].find((c) => /^inc-1-db-down-[a-z2-9]{5}$/.test(c.name)), 15000, 'a room of its own');
      assert.equal(room.creator, w.sim.botUserId);
      await w.sim.waitFor(() => room.messages.length >= 3, 10000, 'posts in its own room');
      await sleep(500);
      for (const name of squatted) {
        assert.equal(w.sim.channelByName(name).messages.length, 0, `nothing posted to #${name}`);
      }
    } finally {
      await w.close();
    }
  });

  test('a newline in a command is escaped in the log: no line can be forged', async () => {
    const w = await World.create();
    try {
      const bot = await w.start();
      await w.sim.slashCommand({ user: 'U111', text: 'status\n2026-12-01T00:00:00.000Z info FORGED admin granted' }).ack;
      await bot.waitForLog(/status\\n2026-12-01T00:00:00\.000Z/);
      assert.ok(!bot.lines.some((l) => l.startsWith('2026-12-01T00:00:00.000Z info FORGED')), 'no forged line');
    } finally {
      await w.close();
    }
  });

  test('one person declaring in a burst is slowed down, with a clear reply; someone else is not', async () => {
    const w = await World.create({ config: '[limits]\ndeclares_per_minute = 2\n' });
    try {
      await w.start();
      const replies = [];
      for (let k = 1; k <= 3; k += 1) {
        replies.push(await w.sim.slashCommand({ user: 'U222', text: `declare P3 type:performance Burst ${k}` }).ack);
      }
      assert.match(ephemeralText(replies[0]), /Declared INC-1/);
      assert.match(ephemeralText(replies[2]), /slow down: too many incidents declared from you in the last minute; nothing was done/);
      const other = await w.sim.slashCommand({ user: 'U333', text: 'declare P3 type:performance Not a burst' }).ack;
      assert.match(ephemeralText(other), /Declared INC-/);
      await sleep(500);
      assert.equal(w.rooms(4).length, 0, 'no fourth war room');
    } finally {
      await w.close();
    }
  });
});
