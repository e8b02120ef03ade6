// SIGTERM (and SIGINT) drain: the Socket Mode connection is closed, the outbox stops between calls,
// and the process exits 0 within a few seconds, also while the outbox is waiting on a failing
// Slack or on a long Retry-After. What was left is delivered by the next start, promptly and once.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World, sleep } from './harness.mjs';

const STOP_MS = 5000; // "a few seconds"

async function timedStop(bot, signal = 'SIGTERM') {
  const began = Date.now();
  const result = signal === 'SIGTERM' ? await bot.stop(15000) : await (bot.child.kill(signal), bot.exit);
  return { ...result, ms: Date.now() - began };
}

describe('shutdown', { timeout: 60000 }, () => {
  test('SIGTERM with nothing pending: exit 0 at once, the socket closed cleanly', async (t) => {
    const w = await World.create();
    try {
      const bot = await w.start();
      const a = await w.sim.slashCommand({ text: 'declare P2 type:performance Before shutdown' }).ack;
      assert.match(a.payload.text, /Declared INC-1/);
      const room = await w.waitForRoom(1);
      await w.sim.waitFor(() => room.messages.length >= 3 && w.announcements().length === 1, 10000, 'room filled');
      const { code, signal, ms } = await timedStop(bot);
      t.diagnostic(`exit ${code} after ${ms} ms`);
      assert.deepEqual({ code, signal }, { code: 0, signal: null });
      assert.ok(ms < 2000, `stopped in ${ms} ms`);
      assert.ok(w.sim.connectionLog[0].closedAt, 'the socket is closed');
    } finally {
      await w.close();
    }
  });

  test('SIGTERM closes the Socket Mode connection with a close frame', async () => {
    const w = await World.create();
    try {
      const bot = await w.start();
      assert.deepEqual(await bot.stop(), { code: 0, signal: null });
      await w.sim.waitFor(() => w.sim.connectionLog[0].closedAt, 2000, 'closed');
      assert.equal(w.sim.connectionLog[0].how, 'client_closed_1000');
    } finally {
      await w.close();
    }
  });

  test('SIGINT stops it the same way', async () => {
    const w = await World.create();
    try {
      const bot = await w.start();
      const { code, signal, ms } = await timedStop(bot, 'SIGINT');
      assert.deepEqual({ code, signal }, { code: 0, signal: null });
      assert.ok(ms < STOP_MS, `stopped in ${ms} ms`);
    } finally {
      await w.close();
    }
  });

  // Two incidents whose delivery is failing (Slack's API down) when SIGTERM arrives.
  async function stopWhileSlackIsDown(w, t) {
    const bot = await w.start();
    w.sim.apiDown = true;
    for (const k of [1, 2]) {
      const a = await w.sim.slashCommand({ text: `declare P2 type:performance Stuck ${k}` }).ack;
      assert.match(a.payload.text, new RegExp(`Declared INC-${k}`));
    }
    // Let the lanes fail a few times, into their backoff.
    await w.sim.waitFor(() => w.sim.calls.filter((c) => c.status === 503).length >= 4, 10000, 'failing calls');
    await sleep(1500);
    const { code, signal, ms } = await timedStop(bot);
    t.diagnostic(`exit ${code} after ${ms} ms`);
    assert.deepEqual({ code, signal }, { code: 0, signal: null });
    assert.ok(ms < STOP_MS, `stopped in ${ms} ms`);
    assert.match(bot.log(), /outbox: stopped with [1-9]\d* entries still to deliver/);
    assert.equal([...w.sim.channels.values()].filter((c) => c.name.startsWith('inc-')).length, 0);
    w.sim.apiDown = false;
  }

  test('SIGTERM while the outbox waits on a Slack that is down: exit 0 in a few seconds', async (t) => {
    const w = await World.create();
    try {
      await stopWhileSlackIsDown(w, t);
    } finally {
      await w.close();
    }
  });

  test('after such a SIGTERM the restart delivers what was left, promptly and once', async (t) => {
    const w = await World.create();
    try {
      await stopWhileSlackIsDown(w, t);
      const restarted = Date.now();
      await w.start();
      try {
        await w.sim.waitFor(() => [1, 2].every((n) => w.room(n)?.messages.length >= 3) && w.announcements().length >= 2,
          10000, 'both rooms filled and announced');
      } finally {
        const state = [1, 2].map((n) => `INC-${n} ${w.room(n)?.messages.length ?? 'no room'}`);
        t.diagnostic(`${Date.now() - restarted} ms after the restart: ${state.join(', ')}`);
      }
      await sleep(1000);
      for (const n of [1, 2]) {
        assert.equal(w.rooms(n).length, 1);
        assert.equal(w.room(n).messages.filter((m) => /INCIDENT - Stuck/.test(m.text)).length, 1);
      }
      assert.deepEqual([...w.announcements()].sort(), [1, 2]);
    } finally {
      await w.close();
    }
  });

  test('SIGTERM during a 30 s Retry-After: exit 0 in a few seconds', async (t) => {
    const w = await World.create();
    try {
      const bot = await w.start();
      w.sim.failNext('chat.postMessage', { status: 429, retryAfter: 30 });
      w.sim.slashCommand({ text: 'declare P2 type:performance Rate limited' });
      const room = await w.waitForRoom(1, 10000, { posted: false });
      await w.sim.waitFor(() => w.calls('chat.postMessage').length === 1, 10000, 'the 429');
      await sleep(500);
      const { code, signal, ms } = await timedStop(bot);
      t.diagnostic(`exit ${code} after ${ms} ms`);
      assert.deepEqual({ code, signal }, { code: 0, signal: null });
      assert.ok(ms < STOP_MS, `stopped in ${ms} ms`);
      assert.equal(room.messages.length, 0, 'nothing posted before the Retry-After');
      assert.equal(w.calls('chat.postMessage').length, 1);
    } finally {
      await w.close();
    }
  });
});
