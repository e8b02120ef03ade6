// Slack's Web API down for a while (503 pages, or connections reset) while Socket Mode stays up:
// commands are still acked and recorded, and when the API is back the durable outbox delivers
// everything once, each war room's posts in order (the declaration first).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World, sleep } from './harness.mjs';

// The numbered war room's posts as kinds, in the order Slack stored them.
function kinds(room, n) {
  return room.messages.map((m) => {
    if (new RegExp(`INCIDENT - .*\\(INC-${n}\\)`).test(m.text)) return 'declaration';
    if (/Runbook/.test(m.text)) return 'runbook';
    if (/checklist/i.test(m.text)) return 'checklist';
    return m.text.slice(0, 40);
  });
}

describe('Slack API outage', { timeout: 60000 }, () => {
  // The incidents come in the second half of the outage: each lane then fails 3 or 4 times. (With
  // more failures the bot's own conversations.create budget runs out; see the next test.)
  test('3 incidents declared during a 5 s API outage: acked at once, delivered once and in order after', async (t) => {
    const w = await World.create();
    try {
      await w.start();
      w.sim.apiDown = true;
      const downAt = Date.now();
      await sleep(2500);
      const acks = [];
      for (const k of [1, 2, 3]) {
        const text = `declare P2 type:performance Region ${k} unreachable`;
        acks.push(await w.sim.slashCommand({ user: 'U111', text }).ack);
        await sleep(300);
      }
      assert.ok(acks.every((a) => a && a.latencyMs < 1000), `acked at once: ${acks.map((a) => a?.latencyMs)}`);
      assert.deepEqual(acks.map((a) => /Declared INC-(\d+)/.exec(a.payload.text)?.[1]), ['1', '2', '3']);
      await w.sim.waitFor(() => w.sim.calls.filter((c) => c.status === 503).length >= 3, 5000, 'the outbox trying');
      await sleep(5000 - (Date.now() - downAt));
      w.sim.apiDown = false;
      const upAt = Date.now();

      for (const n of [1, 2, 3]) {
        const room = await w.waitForRoom(n, 15000);
        await w.sim.waitFor(() => room.messages.length >= 3, 15000, `room ${n} filled`);
      }
      await w.sim.waitFor(() => w.announcements().length >= 3, 15000, 'announcements');
      const refused = w.sim.calls.filter((c) => c.status === 503).length;
      t.diagnostic(`drained ${Date.now() - upAt} ms after the API came back; ${refused} calls refused meanwhile`);
      await sleep(1000);

      assert.equal(w.sim.connectionLog.length, 1, 'Socket Mode stayed up');
      const created = w.calls('conversations.create').filter((c) => c.status === 200);
      assert.equal(created.length, 3, 'each room created once');
      for (const n of [1, 2, 3]) {
        assert.equal(w.rooms(n).length, 1, `one room for INC-${n}`);
        const room = w.room(n);
        assert.deepEqual(kinds(room, n), ['declaration', 'runbook', 'checklist'], `INC-${n}'s posts`);
        assert.ok(room.pins.has(room.messages[0].ts), 'the declaration is pinned');
      }
      assert.deepEqual([...w.announcements()].sort(), [1, 2, 3], 'each announced once');
    } finally {
      await w.close();
    }
  });

  // Calls Slack refused with a 503 were never processed: they must not use up the bot's own
  // per-method budget (conversations.create: 20 a minute), or a short outage delays war rooms by a minute.
  test('5 incidents declared at the start of a 6 s outage: all delivered within 15 s of the API coming back', async (t) => {
    const w = await World.create();
    try {
      await w.start();
      w.sim.apiDown = true;
      const downAt = Date.now();
      for (const k of [1, 2, 3, 4, 5]) {
        await w.sim.slashCommand({ user: 'U111', text: `declare P2 type:performance Zone ${k} dark` }).ack;
      }
      await sleep(6000 - (Date.now() - downAt));
      w.sim.apiDown = false;
      const upAt = Date.now();
      try {
        await w.sim.waitFor(() => [1, 2, 3, 4, 5].every((n) => w.room(n)?.messages.length >= 3)
          && w.announcements().length >= 5, 15000, 'all rooms filled and announced');
      } finally {
        const refused = w.calls('conversations.create').filter((c) => c.status === 503).length;
        const rooms = [1, 2, 3, 4, 5].map((n) => `INC-${n}: ${w.room(n) ? w.room(n).messages.length : 'no room'}`);
        t.diagnostic(`${Date.now() - upAt} ms after the API came back: ${rooms.join(', ')}; `
          + `${refused} conversations.create refused during the outage`);
      }
      assert.equal(w.calls('conversations.create').filter((c) => c.status === 200).length, 5);
    } finally {
      await w.close();
    }
  });

  test('announcements of incidents declared during an outage come out in declaration order', async (t) => {
    const w = await World.create();
    try {
      await w.start();
      w.sim.apiDown = true;
      for (const k of [1, 2, 3]) {
        await w.sim.slashCommand({ user: 'U111', text: `declare P2 type:performance Cluster ${k} lost` }).ack;
        await sleep(200);
      }
      await sleep(2000);
      w.sim.apiDown = false;
      await w.sim.waitFor(() => w.announcements().length >= 3, 15000, 'announcements');
      t.diagnostic(`announced in the order ${w.announcements().join(', ')}`);
      assert.deepEqual(w.announcements(), [1, 2, 3]);
    } finally {
      await w.close();
    }
  });

  test('connections reset by the API for 3 s: the incident is delivered once afterwards', async () => {
    const w = await World.create();
    try {
      await w.start();
      w.sim.apiDown = { reset: true };
      const a = await w.sim.slashCommand({ text: 'declare P2 type:integration Webhooks failing' }).ack;
      assert.ok(a && a.latencyMs < 1000);
      await w.sim.waitFor(() => w.sim.calls.some((c) => c.status === 0), 5000, 'a reset call');
      await sleep(3000);
      w.sim.apiDown = false;
      const room = await w.waitForRoom(1, 15000);
      await w.sim.waitFor(() => room.messages.length >= 3 && w.announcements().length >= 1, 15000, 'room filled');
      await sleep(1000);
      assert.equal(w.rooms(1).length, 1);
      assert.deepEqual(kinds(room, 1), ['declaration', 'runbook', 'checklist']);
      assert.deepEqual(w.announcements(), [1]);
      assert.ok(w.bots[0].running(), 'still running');
    } finally {
      await w.close();
    }
  });
});
