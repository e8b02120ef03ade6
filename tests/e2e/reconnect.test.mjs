// Socket Mode connections end: Slack refreshes them (disconnect/refresh_requested, slack-protocol.md
// §1.4 and §1.10) and networks drop them. warroom opens the replacement before letting the old
// connection go, keeps acking on the old one meanwhile, and after a drop reconnects at once and
// handles what Slack queued, each once. Over plain sockets and over TLS.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { World, garbageEnvelopeId, sleep } from './harness.mjs';
import { slashCommandPayload } from '../slack_sim/lib/payloads.mjs';

// Calls fn(newLog) when the simulator has just sent `hello` on a new connection (it sets the log
// entry's helloAt right after the send), before anything else happens on that connection.
function onNextHello(sim, fn) {
  const log = sim.connectionLog;
  const push = log.push;
  log.push = function (...items) {
    log.push = push;
    const entry = items[0];
    let helloAt = null;
    Object.defineProperty(entry, 'helloAt', {
      enumerable: true,
      get: () => helloAt,
      set: (v) => {
        helloAt = v;
        fn(entry);
      },
    });
    return push.apply(this, items);
  };
}

for (const tls of [false, true]) {
  describe(`reconnect over ${tls ? 'TLS' : 'plain sockets'}`, { timeout: 60000 }, () => {
    test('a refresh opens the new connection before closing the old; envelopes meanwhile acked at once', async (t) => {
      const w = await World.create({ tls });
      try {
        await w.start();
        const old = w.sim.requestRefresh({ closeAfterMs: 1000 });
        // Right behind the disconnect message, on the old connection, then every 100 ms through the handover.
        const sent = [];
        for (let k = 0; k < 12; k += 1) {
          sent.push(w.sim.slashCommand({ user: 'U222', text: 'help' }));
          await sleep(100);
        }
        const acks = await Promise.all(sent.map((s) => s.ack));
        assert.ok(acks.every(Boolean), `every envelope acked (${acks.filter(Boolean).length}/${acks.length})`);
        assert.equal(acks[0].connectionId, old, 'the first one went to the old connection');
        const latencies = acks.map((a) => a.latencyMs);
        assert.ok(Math.max(...latencies) < 750, `ack latencies ${latencies.join(', ')} ms`);
        assert.ok(acks.every((a) => /Commands|usage/i.test(JSON.stringify(a.payload))), 'each one answered');

        await w.sim.waitFor(() => w.sim.connectionLog.find((c) => c.id === old).closedAt, 5000, 'old one closed');
        const log = w.sim.connectionLog;
        assert.equal(log.length, 2, JSON.stringify(log));
        const [before, after] = log;
        assert.ok(after.helloAt, 'the new connection got its hello');
        assert.ok(after.helloAt < before.closedAt, `new hello at ${after.helloAt}, old closed at ${before.closedAt}`);
        t.diagnostic(`ack latencies ${latencies.join(', ')} ms; new hello ${before.closedAt - after.helloAt} ms `
          + `before the old closed (${before.how})`);
        assert.equal(after.closedAt, null);
        assert.equal(w.calls('apps.connections.open').length, 2);
        assert.deepEqual(w.sim.misroutedAcks, []);
        assert.deepEqual(w.sim.timeouts, []);

        // The new connection carries the next command.
        const { ack } = w.sim.slashCommand({ text: 'declare P2 type:performance After refresh' });
        const a = await ack;
        assert.equal(a.connectionId, after.id);
        assert.match(a.payload.text, /Declared INC-1/);
        await w.waitForRoom(1);
      } finally {
        await w.close();
      }
    });

    // Slack may deliver on the old connection until it is closed (§1.10): an envelope that arrives
    // there just after the new connection's hello must still be acked, so the old connection is to be
    // closed with a close handshake, reading and acking until it completes, not dropped.
    test('envelopes arriving on the old connection just after the new hello are acked', async (t) => {
      const w = await World.create({ tls });
      try {
        await w.start();
        const sent = [];
        for (let k = 0; k < 20; k += 1) {
          const old = w.sim.connections()[0].id;
          onNextHello(w.sim, () => {
            const id = randomUUID();
            sent.push(id);
            w.sim.sendRaw(JSON.stringify({
              envelope_id: id, type: 'slash_commands', accepts_response_payload: true,
              payload: slashCommandPayload(w.sim, { user: 'U222', text: 'help' }),
            }), { connection: old });
          });
          const n = w.sim.connectionLog.length;
          w.sim.requestRefresh({ closeAfterMs: 1000 });
          await w.sim.waitFor(() => w.sim.connectionLog[n]?.helloAt
            && w.sim.connectionLog.find((c) => c.id === old).closedAt, 5000, `refresh ${k + 1}`);
        }
        await sleep(500);
        // Hand-made envelopes are unknown to the simulator: their acks are filed as unknown_envelope.
        const acked = new Set(w.sim.garbage.filter((g) => g.reason === 'unknown_envelope').map(garbageEnvelopeId));
        const lost = sent.filter((id) => !acked.has(id));
        const seen = lost.filter((id) => w.bots[0].log().includes(id));
        const closes = w.sim.connectionLog.slice(0, -1).map((c) => c.how);
        t.diagnostic(`lost ${lost.length}/${sent.length} (${seen.length} of them seen by the bot); `
          + `old connections ended: ${closes.join(', ')}`);
        assert.equal(lost.length, 0, `${lost.length} of ${sent.length} envelopes never acked`);
      } finally {
        await w.close();
      }
    });

    test('after a reset the bot reconnects at once and handles the 3 commands queued meanwhile once', async (t) => {
      const w = await World.create({ tls });
      try {
        await w.start();
        const dropAt = Date.now();
        w.sim.dropConnections({ reset: true });
        await w.sim.waitFor(() => w.sim.connections().length === 0, 2000, 'connection gone');
        const sent = [1, 2, 3].map((k) => w.sim.slashCommand({ text: `declare P2 type:performance Outage number ${k}` }));
        assert.equal(w.sim.socketMode.queued, 3, 'the commands wait in the simulator');

        const acks = await Promise.all(sent.map((s) => s.ack));
        assert.ok(acks.every(Boolean), 'all acked');
        const reconnected = w.sim.connectionLog[1];
        assert.ok(reconnected?.helloAt, 'reconnected');
        assert.ok(reconnected.helloAt - dropAt < 1500, `reconnected ${reconnected.helloAt - dropAt} ms after the drop`);
        t.diagnostic(`reconnected ${reconnected.helloAt - dropAt} ms after the drop; `
          + `ack latencies ${acks.map((a) => a.latencyMs).join(', ')} ms`);
        const declared = acks.map((a) => /Declared INC-(\d+)/.exec(a.payload.text)?.[1]).sort();
        assert.deepEqual(declared, ['1', '2', '3']);

        for (const n of [1, 2, 3]) await w.waitForRoom(n);
        await w.sim.waitFor(() => w.announcements().length >= 3, 10000, 'announcements');
        await sleep(1000);
        assert.equal(w.calls('conversations.create').length, 3);
        assert.equal([...w.sim.channels.values()].filter((c) => c.name.startsWith('inc-')).length, 3);
        assert.deepEqual([...w.announcements()].sort(), [1, 2, 3]);
        // The three commands; Slack also tells the bot of each declarer joining their war room.
        const commands = w.sim.envelopes.filter((e) => e.type === 'slash_commands');
        assert.equal(commands.length, 3, 'nothing delivered twice');
        assert.equal(w.sim.acks.filter((a) => commands.some((e) => e.envelopeId === a.envelopeId)).length, 3);
        assert.equal(w.sim.acks.length, w.sim.envelopes.length, 'every envelope acked once');
        assert.deepEqual(w.sim.timeouts, []);
        assert.equal(w.sim.connectionLog.length, 2);
      } finally {
        await w.close();
      }
    });
  });
}
