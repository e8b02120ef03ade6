// Slack delivers again what it believes was not handled (slack-protocol.md §1.7): an event whose
// ack was lost comes back as a new envelope with retry_attempt 1 and the same event_id; a
// duplicated envelope carries the same envelope_id. Either way warroom acks every delivery and
// acts once.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { World, binary, binaryReady, envelopeFrame, repeatedAcks, sleep } from './harness.mjs';

// The incident report (Markdown) as `warroom report` prints it from the same store.
async function report(w, n) {
  await binaryReady();
  return execFileSync(binary, ['report', String(n)], { env: w.env(), encoding: 'utf8' });
}

// The wire loses the bot's next ack of each envelope in `ids`: the simulator never reads it, as if
// the frame died on the way. Returns the acks that were lost.
function loseAcks(sim, ids) {
  const lost = [];
  for (const conn of sim.socketMode.connections.values()) {
    const listeners = conn.ws.listeners('message');
    conn.ws.removeAllListeners('message');
    conn.ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString('utf8');
      const id = text.startsWith('{') ? JSON.parse(text).envelope_id : undefined;
      if (ids.has(id)) {
        ids.delete(id);
        lost.push({ envelopeId: id, at: Date.now() });
        return;
      }
      for (const l of listeners) l(data, isBinary);
    });
  }
  return lost;
}

describe('redelivery', { timeout: 60000 }, () => {
  test('an event whose ack was lost is redelivered with retry_attempt 1 and handled once', async () => {
    // Debug level: the bot logs each event it handles, which is how "once" is seen for an event
    // warroom has no other use for.
    const w = await World.create({ sim: { ackTimeoutMs: 1000 }, config: '[log]\nlevel = "debug"\n' });
    try {
      await w.start();
      const incidents = w.sim.channelByName('incidents');
      const ids = new Set();
      const lost = loseAcks(w.sim, ids);
      const first = w.sim.event({ type: 'message', channel: incidents.id, user: 'U222', text: 'is the API down?' });
      ids.add(first.envelopeId);
      assert.equal(await first.ack, null, 'the first ack never reached Slack');
      assert.equal(lost.length, 1, 'the bot did ack the first delivery');

      const retry = await w.sim.waitFor(() => w.sim.envelopes.find((e) => e.retryAttempt === 1), 5000, 'redelivery');
      const original = w.sim.envelopes.find((e) => e.envelopeId === first.envelopeId);
      assert.notEqual(retry.envelopeId, first.envelopeId);
      assert.equal(retry.retryReason, 'timeout');
      assert.equal(retry.payload.event_id, original.payload.event_id);
      const ack = await w.sim.waitFor(() => w.sim.acks.find((a) => a.envelopeId === retry.envelopeId), 3000,
        'ack of the retry');
      assert.ok(ack.latencyMs < 1000, `retry acked in ${ack.latencyMs} ms`);

      // No third delivery: the retry's ack was taken.
      await sleep(1500);
      assert.equal(w.sim.envelopes.filter((e) => e.payload.event_id === original.payload.event_id).length, 2);
      assert.deepEqual(w.sim.timeouts, []);

      const eventId = original.payload.event_id;
      const about = w.bots[0].lines.filter((l) => l.includes(eventId));
      const again = about.filter((l) => /again|already/.test(l));
      const handled = about.filter((l) => !/again|already/.test(l));
      assert.equal(handled.length, 1, `handled once:\n${about.join('\n')}`);
      assert.equal(again.length, 1, `the retry is recognised:\n${about.join('\n')}`);
      assert.match(again[0], /attempt 1/);
      assert.ok(again[0].includes(retry.envelopeId));
    } finally {
      await w.close();
    }
  });

  test('a timeline reaction whose ack was lost is redelivered and lands on the timeline once', async () => {
    const w = await World.create({ sim: { ackTimeoutMs: 1000 } });
    try {
      await w.start();
      await w.sim.slashCommand({ text: 'declare P2 type:performance Disk pressure' }).ack;
      const room = await w.waitForRoom(1);
      await w.sim.waitFor(() => room.pins.size === 1, 10000, 'declaration pinned');
      await w.join('U444', room);
      const found = w.sim.userMessage({ user: 'U222', channel: room.id, text: 'Root cause: log rotation stopped' });
      await Promise.all(found.deliveries.map((d) => d.ack));

      const ids = new Set();
      const lost = loseAcks(w.sim, ids);
      const first = w.sim.event({ type: 'reaction_added', user: 'U444', reaction: 'pushpin', item_user: 'U222',
        item: { type: 'message', channel: room.id, ts: found.ts }, event_ts: found.ts });
      ids.add(first.envelopeId);
      assert.equal(await first.ack, null);
      assert.equal(lost.length, 1, 'the bot acked the first delivery');
      const eventId = w.sim.envelopes.find((e) => e.envelopeId === first.envelopeId).payload.event_id;
      const retry = await w.sim.waitFor(() => w.sim.envelopes.find((e) => e.retryAttempt === 1
        && e.payload.event_id === eventId), 5000, 'redelivery');
      await w.sim.waitFor(() => w.sim.acks.find((a) => a.envelopeId === retry.envelopeId), 3000, 'ack of the retry');
      await sleep(1500);
      assert.equal(w.sim.envelopes.filter((e) => e.payload.event_id === eventId).length, 2, 'no third delivery');

      const text = await report(w, 1);
      const entries = text.split('\n').filter((l) => l.includes('Root cause: log rotation stopped'));
      assert.equal(entries.length, 1, `on the timeline once:\n${entries.join('\n')}`);
    } finally {
      await w.close();
    }
  });

  test('a slash command delivered twice with the same envelope_id opens one incident; both acked', async () => {
    const w = await World.create();
    try {
      await w.start();
      const { envelopeId, ack } = w.sim.slashCommand({ text: 'declare P2 type:performance Checkout errors' });
      // The same frame again, on the same connection, right behind the first.
      const { frame, connection } = envelopeFrame(w.sim, envelopeId);
      w.sim.sendRaw(frame, { connection });
      const a = await ack;
      assert.ok(a, 'first delivery acked');
      assert.match(a.payload.text, /Declared INC-1/);
      const [again] = await w.sim.waitFor(() => {
        const r = repeatedAcks(w.sim, envelopeId);
        return r.length > 0 && r;
      }, 5000, 'ack of the second delivery');
      assert.doesNotMatch(again.data, /INC-2/);

      const room = await w.waitForRoom(1);
      await w.sim.waitFor(() => room.messages.length >= 3 && w.announcements().length >= 1, 10000, 'room filled');
      await sleep(1000); // room for a second incident to show up
      assert.equal(w.calls('conversations.create').length, 1);
      const rooms = [...w.sim.channels.values()].filter((c) => c.name.startsWith('inc-')).map((c) => c.name);
      assert.deepEqual(rooms, ['inc-1-checkout-errors']);
      assert.deepEqual(w.announcements(), [1]);
      assert.equal(repeatedAcks(w.sim, envelopeId).length, 1);
      assert.deepEqual(w.sim.timeouts, []);
    } finally {
      await w.close();
    }
  });

  test('a slash command delivered again after a restart is still handled once', async () => {
    const w = await World.create();
    try {
      const first = await w.start();
      const { envelopeId, ack } = w.sim.slashCommand({ text: 'declare P2 type:performance Login broken' });
      assert.match((await ack).payload.text, /Declared INC-1/);
      const room = await w.waitForRoom(1);
      await w.sim.waitFor(() => room.messages.length >= 3 && w.announcements().length >= 1, 10000, 'room filled');
      assert.deepEqual(await first.stop(), { code: 0, signal: null });

      // A new process has no memory of the envelope but the store has.
      await w.start();
      const { frame } = envelopeFrame(w.sim, envelopeId);
      w.sim.sendRaw(frame);
      await w.sim.waitFor(() => repeatedAcks(w.sim, envelopeId).length === 1, 5000, 'ack of the second delivery');
      assert.doesNotMatch(repeatedAcks(w.sim, envelopeId)[0].data, /INC-2/);
      await sleep(1500);
      assert.equal(w.calls('conversations.create').length, 1);
      assert.equal([...w.sim.channels.values()].filter((c) => c.name.startsWith('inc-')).length, 1);
      assert.deepEqual(w.announcements(), [1]);
      assert.equal(room.messages.filter((m) => /INCIDENT - Login broken/.test(m.text)).length, 1);
    } finally {
      await w.close();
    }
  });
});
