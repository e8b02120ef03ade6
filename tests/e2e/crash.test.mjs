// kill -9 between a Slack call and its bookkeeping: Slack did the work, the bot never saw the
// answer. Restarted on the same store, warroom must find what it did rather than do it again: one
// war room per incident, each post once (it recognises its posts by their metadata). The same
// without a crash: Slack does the work and answers internal_error, which its docs say may happen
// after part of the operation succeeded.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { World, sleep } from './harness.mjs';

// How long a restarted bot may take to finish what the killed one left: the outbox polls every
// second and retries within a few; a minute of silence in a fresh war room is not acceptable.
const RESTART_DELIVERY_MS = 10000;

// SIGKILLs the bot when Slack has processed the first `method` call matching `when`, before the
// answer is written. Resolves with that call.
function killAfter(w, bot, method, when = () => true) {
  return new Promise((resolve) => {
    const remove = w.sim.afterCall(method, async (call) => {
      if (!when(call)) return;
      remove();
      await bot.kill();
      resolve(call);
    });
  });
}

// Slack processes the first `method` call matching `when` but answers internal_error. Resolves
// with the answer the bot should have had.
function failAfterDoing(w, method, when = () => true) {
  return new Promise((resolve) => {
    const remove = w.sim.afterCall(method, (call) => {
      if (!when(call)) return;
      remove();
      const real = structuredClone(call.response);
      for (const key of Object.keys(call.response)) delete call.response[key];
      Object.assign(call.response, { ok: false, error: 'internal_error' });
      resolve(real);
    });
  });
}

// Another process (the sqlite3 shell, as a second replica in a long transaction) takes the store's
// write lock, so the bot's commits wait for it. Resolves once the lock is held.
function holdWriteLock(file) {
  const shell = spawn('sqlite3', [file], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    shell.on('error', reject);
    shell.stdout.on('data', (d) => {
      if (String(d).includes('locked')) resolve({ release: () => shell.stdin.end('COMMIT;\n'), exit: new Promise((r) => shell.on('exit', r)) });
    });
    shell.stdin.write(".timeout 5000\nBEGIN IMMEDIATE;\nSELECT 'locked';\n");
  });
}

const declaredTitles = (file) =>
  execFileSync('sqlite3', [file, "SELECT json_extract(body, '$.title') FROM events WHERE type = 'declared' ORDER BY seq"])
    .toString().split('\n').filter(Boolean);

const isAnnouncement = (w) => (call) => {
  const channel = String(call.args.channel);
  return channel === w.sim.channelByName('incidents').id || channel.replace('#', '') === 'incidents';
};

async function roomFilled(w, room, timeoutMs) {
  await w.sim.waitFor(() => room.messages.length >= 3 && room.pins.size === 1 && w.announcements().length >= 1,
    timeoutMs, 'room filled and announced');
  await sleep(1000); // room for duplicates to show up
}

describe('crash or lost answer between a Slack call and its bookkeeping', { timeout: 60000 }, () => {
  test('killed after conversations.create: after the restart one war room gets its posts', async (t) => {
    const w = await World.create();
    try {
      const bot = await w.start();
      const killed = killAfter(w, bot, 'conversations.create');
      w.sim.slashCommand({ text: 'declare P2 type:performance Database failover' });
      const call = await killed;
      assert.equal(call.response.ok, true, 'Slack created the channel');
      assert.deepEqual(await bot.exit, { code: null, signal: 'SIGKILL' });
      const room = w.room(1);
      assert.equal(room.messages.length, 0);

      const restarted = Date.now();
      await w.start();
      try {
        await roomFilled(w, room, RESTART_DELIVERY_MS);
      } finally {
        const rooms = w.rooms(1).map((c) => `#${c.name} (${c.messages.length} posts)`);
        t.diagnostic(`${Date.now() - restarted} ms after the restart: rooms ${rooms.join(', ')}`);
      }
      assert.deepEqual(w.rooms(1).map((c) => c.name), ['inc-1-database-failover'], 'no second war room');
      assert.ok(room.members.has('U111'), 'the declarer invited');
      assert.match(room.topic.value, /P2/);
      assert.equal(room.messages.filter((m) => /INCIDENT - Database failover/.test(m.text)).length, 1);
      assert.deepEqual(w.announcements(), [1]);
      const announcement = w.sim.channelByName('incidents').messages.at(-1);
      assert.ok(JSON.stringify(announcement.blocks).includes(`<#${room.id}>`), 'the announcement links the room');
    } finally {
      await w.close();
    }
  });

  test('killed after the declaration was posted: after the restart it appears exactly once, pinned', async (t) => {
    const w = await World.create();
    try {
      const bot = await w.start();
      const killed = killAfter(w, bot, 'chat.postMessage');
      w.sim.slashCommand({ text: 'declare P2 type:performance Cache stampede' });
      const call = await killed;
      const room = w.room(1);
      assert.equal(call.args.channel, room.id);
      assert.equal(room.messages.length, 1, 'the declaration is in Slack');
      assert.equal(room.pins.size, 0, 'not pinned yet');

      const restarted = Date.now();
      await w.start();
      try {
        await roomFilled(w, room, RESTART_DELIVERY_MS);
      } finally {
        t.diagnostic(`${Date.now() - restarted} ms after the restart: ${room.messages.length} posts, `
          + `${w.announcements().length} announcements`);
      }
      const declarations = room.messages.filter((m) => /INCIDENT - Cache stampede/.test(m.text));
      assert.equal(declarations.length, 1, 'the declaration exactly once');
      assert.ok(room.pins.has(declarations[0].ts), 'the one there is pinned');
      assert.equal(room.messages.length, 3, room.messages.map((m) => m.text).join(' | '));
      assert.deepEqual(w.announcements(), [1]);
      assert.equal(w.rooms(1).length, 1);
    } finally {
      await w.close();
    }
  });

  test('conversations.create done but answered internal_error: one war room, with its posts', async () => {
    const w = await World.create();
    try {
      await w.start();
      const lost = failAfterDoing(w, 'conversations.create');
      w.sim.slashCommand({ text: 'declare P2 type:performance Storage latency' });
      const real = await lost;
      assert.equal(real.ok, true);
      const room = w.sim.channels.get(real.channel.id);
      await w.sim.waitFor(() => w.rooms(1).some((c) => c.messages.length >= 3) && w.announcements().length >= 1, 10000,
        'a room filled and announced');
      await sleep(1000);
      assert.deepEqual(w.rooms(1).map((c) => c.name), ['inc-1-storage-latency'], 'no second war room');
      assert.equal(room.messages.length, 3);
      assert.ok(room.members.has('U111'));
      assert.deepEqual(w.announcements(), [1]);
    } finally {
      await w.close();
    }
  });

  test('the declaration posted but answered internal_error: it appears once, pinned', async () => {
    const w = await World.create();
    try {
      await w.start();
      const lost = failAfterDoing(w, 'chat.postMessage');
      w.sim.slashCommand({ text: 'declare P2 type:performance DNS flapping' });
      const real = await lost;
      const room = w.room(1);
      await roomFilled(w, room, 10000);
      const declarations = room.messages.filter((m) => /INCIDENT - DNS flapping/.test(m.text));
      assert.equal(declarations.length, 1, 'the declaration exactly once');
      assert.equal(declarations[0].ts, real.ts);
      assert.ok(room.pins.has(real.ts), 'pinned: the bot found the ts of its post');
      assert.equal(room.messages.length, 3);
      assert.ok(w.calls('conversations.history').length >= 1, 'it looked before posting again');
      assert.deepEqual(w.announcements(), [1]);
    } finally {
      await w.close();
    }
  });

  test('the announcement posted but answered internal_error: announced once', async () => {
    const w = await World.create();
    try {
      await w.start();
      const lost = failAfterDoing(w, 'chat.postMessage', isAnnouncement(w));
      w.sim.slashCommand({ text: 'declare P2 type:performance Mail queue stuck' });
      await lost;
      const room = await w.waitForRoom(1);
      await roomFilled(w, room, 10000);
      // The bot retries after a backoff: give it the time to post again if it were going to.
      await w.sim.waitFor(() => w.calls('conversations.history').length > 0, 10000, 'the bot looking for its post');
      await sleep(1000);
      assert.deepEqual(w.announcements(), [1], 'not announced again');
      assert.equal(room.messages.length, 3);
    } finally {
      await w.close();
    }
  });

  test('killed while its commits wait for the disk: none of those commands acknowledged, nothing acknowledged lost', async () => {
    const w = await World.create();
    try {
      const file = join(w.dir, 'warroom.db');
      const bot = await w.start();
      assert.ok(await w.sim.slashCommand({ text: 'declare P2 type:performance Acked before the crash' }).ack);
      const lock = await holdWriteLock(file);
      const held = [1, 2, 3, 4, 5].map((n) => w.sim.slashCommand({ text: `declare P2 type:performance Held ${n}` }));
      const envelopeOf = (h) => w.sim.envelopes.find((e) => e.envelopeId === h.envelopeId);
      await w.sim.waitFor(() => held.every((h) => envelopeOf(h)?.sentAt), 5000, 'the held commands delivered');
      // Decided at once, written only after the lock: the acks wait for the commit (the lock's timeout is 5 s).
      await sleep(1000);
      assert.deepEqual(held.map((h) => envelopeOf(h).ackedAt), [null, null, null, null, null], 'nothing acked before its commit');
      await bot.kill();
      lock.release();
      await lock.exit;
      assert.deepEqual(declaredTitles(file), ['Acked before the crash'], 'what was acked is there, what was not is not');

      await w.start();
      const list = await w.sim.slashCommand({ text: 'list' }).ack;
      assert.match(JSON.stringify(list), /Acked before the crash/);
      assert.doesNotMatch(JSON.stringify(list), /Held/);
      assert.ok(await w.sim.slashCommand({ text: 'declare P2 type:performance After the restart' }).ack);
      assert.deepEqual(declaredTitles(file), ['Acked before the crash', 'After the restart']);
    } finally {
      await w.close();
    }
  });
});
