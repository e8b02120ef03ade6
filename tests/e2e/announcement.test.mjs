// The announcement in #incidents is one message per incident, edited (chat.update) when the
// severity, status or phase changes, so the channel is not flooded.
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
      assert.equal(incidents.messages.filter((m) => /Search is slow/.test(m.text)).length, 1, 'one announcement');
      assert.ok(w.calls('chat.update').filter((c) => c.args.ts === announcement.ts && c.response.ok).length >= 3);
    } finally {
      await w.close();
    }
  });
});
