// The announcement in #incidents is one message per incident, edited (chat.update) when anything
// changes, so the channel is not flooded: it always says what the incident is now, carries no
// buttons (those act on the incident and belong in its war room), and each update is posted in
// its thread. Times are <!date> tokens so every reader sees their own local time.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World } from './harness.mjs';

describe('announcement kept current', { timeout: 60000 }, () => {
  test('severity status and phase changes edit the one announcement', async () => {
    const w = await World.create();
    try {
      await w.start();
      await (await w.sim.slashCommand({ user: 'U111', text: 'declare P2 type:performance Search is slow' })).ack;
      const room = await w.waitForRoom(1);
      const incidents = w.sim.channelByName('incidents');
      const announcement = await w.sim.waitFor(() => incidents.messages.find((m) => /Search is slow/.test(m.text)), 10000, 'announcement');
      const cmd = (text) => w.sim.slashCommand({ user: 'U111', channel: room.id, text }).ack;
      await cmd('severity P1');
      await w.sim.waitFor(() => /P1 INCIDENT/.test(announcement.text), 10000, 'severity edit');
      await cmd('update status:identified Index rebuild stuck');
      await w.sim.waitFor(() => JSON.stringify(announcement.blocks).includes('Index rebuild stuck'), 10000, 'update edit');
      assert.match(JSON.stringify(announcement.blocks), /Identified/);
      await cmd('assign ic @U222');
      await cmd('advance');
      await w.sim.waitFor(() => JSON.stringify(announcement.blocks).includes('Investigation'), 10000, 'phase edit');
      const topLevel = incidents.messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
      assert.equal(topLevel.filter((m) => /Search is slow/.test(m.text)).length, 1, 'one announcement');
      assert.ok(w.calls('chat.update').filter((c) => c.args.ts === announcement.ts && c.response.ok).length >= 3);

      // Turned private: the update the channel heard in the thread loses its words, and so does the announcement.
      const reply = incidents.messages.find((m) => m.thread_ts === announcement.ts && m.ts !== announcement.ts);
      assert.ok(reply, 'the update was posted in the thread');
      await cmd('type security');
      await w.sim.waitFor(() => /now private/.test(reply.text), 10000, 'thread reply redacted');
      assert.doesNotMatch(JSON.stringify(reply.blocks ?? []) + reply.text, /Index rebuild stuck|Search is slow/);
      await w.sim.waitFor(() => !/Search is slow/.test(announcement.text), 10000, 'announcement redacted');
    } finally {
      await w.close();
    }
  });

  for (const mode of ['edit', 'channel']) {
    test(`announce_updates = "${mode}": where the channel hears an update, and turning private leaves no words there`, async () => {
      const w = await World.create({ config: `[slack]\nannounce_updates = "${mode}"\n` });
      try {
        await w.start();
        assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P2 type:performance Search is slow' }).ack);
        const room = await w.waitForRoom(1);
        const incidents = w.sim.channelByName('incidents');
        const announcement = await w.sim.waitFor(() => incidents.messages.find((m) => /Search is slow/.test(m.text)), 10000, 'announcement');
        const cmd = (text) => w.sim.slashCommand({ user: 'U111', channel: room.id, text }).ack;
        await cmd('update status:identified Index rebuild stuck');
        await w.sim.waitFor(() => JSON.stringify(announcement.blocks).includes('Index rebuild stuck'), 10000, 'announcement edited');
        await w.sim.waitFor(() => room.messages.some((m) => /Index rebuild stuck/.test(JSON.stringify(m.blocks ?? []))), 10000, 'update in the room');
        const others = () => incidents.messages.filter((m) => m !== announcement);
        if (mode === 'edit') {
          assert.equal(others().length, 0, 'only the announcement, edited');
        } else {
          await w.sim.waitFor(() => others().length === 1, 10000, 'the update as a channel message');
          assert.equal(others()[0].thread_ts, undefined, 'in the channel, not a thread');
        }
        await cmd('type security');
        await w.sim.waitFor(() => !/Search is slow/.test(announcement.text), 10000, 'announcement redacted');
        if (mode === 'channel') await w.sim.waitFor(() => /now private/.test(others()[0].text), 10000, 'the update redacted');
        assert.equal(others().length, mode === 'edit' ? 0 : 1, 'redacting posts nothing new');
        for (const m of incidents.messages) {
          assert.doesNotMatch(`${m.text} ${JSON.stringify(m.blocks ?? [])}`, /Index rebuild stuck|Search is slow/);
        }
      } finally {
        await w.close();
      }
    });
  }

  test('after resolve, advance, close and reopen the announcement matches the incident and has no buttons', async () => {
    const w = await World.create({ config: '[access]\nincident_admins = ["@U111"]\n' });
    try {
      await w.start();
      await (await w.sim.slashCommand({ user: 'U111', text: 'declare P1 impact:"EU checkout fails" Checkout down' })).ack;
      const room = await w.waitForRoom(1);
      const incidents = w.sim.channelByName('incidents');
      const announcement = await w.sim.waitFor(() => incidents.messages.find((m) => /Checkout down/.test(m.text)), 10000, 'announcement');
      const blocks = () => JSON.stringify(announcement.blocks);
      const noButtons = (when) => assert.doesNotMatch(blocks(), /"type":"(actions|button)"/, `no buttons ${when}`);
      noButtons('at declaration');
      assert.match(blocks(), /<!date\^\d+\^\{date_short_pretty\} \{time\}\|\d\d:\d\d UTC>/, 'times are date tokens');
      const cmd = (text) => w.sim.slashCommand({ user: 'U111', channel: room.id, text }).ack;

      await cmd('update status:identified impact:"all checkouts" Payment provider timeouts');
      const reply = await w.sim.waitFor(
        () => incidents.messages.find((m) => m.thread_ts === announcement.ts && m.ts !== announcement.ts), 10000, 'update in the thread');
      assert.match(JSON.stringify(reply.blocks), /Payment provider timeouts/);
      assert.match(JSON.stringify(reply.blocks), /all checkouts/);
      await w.sim.waitFor(() => blocks().includes('all checkouts'), 10000, 'the new impact on the announcement');

      await cmd('resolve Switched to the backup provider');
      await w.sim.waitFor(() => /RESOLVED/.test(announcement.text), 10000, 'resolved');
      assert.match(blocks(), /Resolved/);
      assert.match(blocks(), /none now \(resolved\)/, 'no stale impact');
      noButtons('after resolve');

      await cmd('advance');
      await w.sim.waitFor(() => blocks().includes('Recovery'), 10000, 'advanced');
      assert.match(announcement.text, /RESOLVED/, 'still resolved after advance');
      assert.doesNotMatch(blocks(), /all checkouts/, 'the impact does not come back');
      noButtons('after advance');

      await cmd('close done here');
      await w.sim.waitFor(() => /CLOSED/.test(announcement.text), 10000, 'closed');
      assert.match(blocks(), /Closed/);
      noButtons('after close');

      await cmd('reopen the provider failed again');
      await w.sim.waitFor(() => /P1 INCIDENT/.test(announcement.text), 10000, 'reopened');
      assert.match(blocks(), /Investigating/);
      noButtons('after reopen');

      assert.equal(incidents.messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts).filter((m) => /Checkout down/.test(m.text)).length, 1, 'one announcement');
    } finally {
      await w.close();
    }
  });
});
