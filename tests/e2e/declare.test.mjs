// Declaring in Slack opens the war room: created (private for security and privacy), the declarer
// invited, the topic set, the declaration pinned, the runbook posted, the announcement linking the
// room; the command's reply is ephemeral, in the ack. Over plain sockets and over TLS.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World } from './harness.mjs';

for (const tls of [false, true]) {
  describe(`declare over ${tls ? 'TLS' : 'plain sockets'}`, { timeout: 60000 }, () => {
    test('a declaration opens and fills the war room and announces it', async () => {
      const w = await World.create({ tls });
      try {
        const bot = await w.start();
        // The first thing on the log says which configuration and which store this run uses.
        await bot.waitForLog(new RegExp(`config=${w.configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} store=sqlite://\\S+warroom\\.db`));
        const { ack } = w.sim.slashCommand({ user: 'U111', channel: 'incidents', text: 'declare P1 type:outage API down' });
        const a = await ack;
        assert.ok(a, 'acked');
        assert.ok(a.latencyMs < 3000);
        assert.equal(a.payload.response_type, 'ephemeral');
        assert.match(a.payload.text, /Declared INC-1/);
        const room = await w.waitForRoom(1);
        assert.equal(room.name, 'inc-1-api-down');
        assert.equal(room.is_private, false);
        // The invite follows the creation (and precedes the posts): look once the posts are there.
        await w.sim.waitFor(() => room.pins.size === 1 && room.messages.length >= 3, 10000, 'posts');
        assert.ok(room.members.has('U111'));
        assert.match(room.topic.value, /P1 · Investigating/);
        const pinned = room.messages.find((m) => room.pins.has(m.ts));
        assert.match(pinned.text, /P1 INCIDENT - API down \(INC-1\)/);
        const incidents = w.sim.channelByName('incidents');
        const announcement = await w.sim.waitFor(() => incidents.messages.find((m) => JSON.stringify(m.blocks).includes(`<#${room.id}>`)), 10000, 'announcement');
        assert.ok(announcement);
        assert.equal(w.calls('conversations.create').length, 1);
      } finally {
        await w.close();
      }
    });
  });
}
