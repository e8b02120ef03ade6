// Slack's limits (slack-protocol.md §4): a 429 carries Retry-After and the call must wait that long
// and then go out once; a 5xx may be retried; and a burst of incidents must stay inside the
// per-channel posting limit (1 post/s per channel with short bursts: the simulator allows 5 in 5 s)
// so Slack never has to say 429 at all.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World, sleep } from './harness.mjs';

describe('rate limits and retries', { timeout: 60000 }, () => {
  test('a post refused twice with 429 Retry-After: 1 goes out once, each retry after the wait', async (t) => {
    const w = await World.create();
    try {
      await w.start();
      w.sim.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 2);
      const { ack } = w.sim.slashCommand({ text: 'declare P2 type:performance Payments slow' });
      assert.match((await ack).payload.text, /Declared INC-1/);
      const room = await w.waitForRoom(1);
      await w.sim.waitFor(() => room.messages.length >= 3 && w.announcements().length === 1, 15000, 'room filled');

      const posts = w.calls('chat.postMessage');
      assert.deepEqual(posts.slice(0, 3).map((c) => c.status), [429, 429, 200]);
      const [first, second, ok] = posts;
      t.diagnostic(`429 at +0, retry at +${second.at - first.at} ms, success at +${ok.at - first.at} ms`);
      // The call's `at` is when the request arrived; the 429 answer left right after it.
      assert.ok(second.at - first.at >= 1000, `first retry ${second.at - first.at} ms after the 429`);
      assert.ok(ok.at - second.at >= 1000, `second retry ${ok.at - second.at} ms after the 429`);
      assert.ok(ok.at - first.at < 4000, `Retry-After: 1 honoured, not a long default (${ok.at - first.at} ms)`);
      assert.equal(ok.args.channel, room.id);
      assert.ok(!posts.slice(3).some((c) => c.status !== 200), 'no further refusals');

      const declarations = room.messages.filter((m) => /P2 INCIDENT - Payments slow \(INC-1\)/.test(m.text));
      assert.equal(declarations.length, 1, 'the declaration exactly once');
      assert.equal(room.messages[0], declarations[0], 'and first');
      assert.ok(room.pins.has(declarations[0].ts));
      await sleep(500);
      assert.equal(room.messages.length, 3);
    } finally {
      await w.close();
    }
  });

  test('the wait is the Retry-After Slack gives (2 s here), for another method too', async (t) => {
    const w = await World.create();
    try {
      await w.start();
      w.sim.failNext('conversations.setTopic', { status: 429, retryAfter: 2 });
      w.sim.slashCommand({ text: 'declare P2 type:performance Topic later' });
      const room = await w.waitForRoom(1);
      await w.sim.waitFor(() => room.topic.value !== '', 10000, 'topic set');
      const [refused, ok] = w.calls('conversations.setTopic');
      assert.deepEqual([refused.status, ok.status], [429, 200]);
      t.diagnostic(`retried ${ok.at - refused.at} ms after the 429`);
      assert.ok(ok.at - refused.at >= 2000 && ok.at - refused.at < 5000, `retried ${ok.at - refused.at} ms after`);
      assert.equal(w.calls('conversations.setTopic').length, 2);
    } finally {
      await w.close();
    }
  });

  test('conversations.create failing once with 503 ends in one channel, created by the retry', async () => {
    const w = await World.create();
    try {
      await w.start();
      w.sim.failNext('conversations.create', { status: 503, html: true });
      const { ack } = w.sim.slashCommand({ text: 'declare P2 type:performance Search down' });
      assert.match((await ack).payload.text, /Declared INC-1/);
      const room = await w.waitForRoom(1, 15000);
      await w.sim.waitFor(() => room.messages.length >= 3 && w.announcements().length === 1, 15000, 'room filled');
      await sleep(500);
      const creates = w.calls('conversations.create');
      assert.deepEqual(creates.map((c) => c.status), [503, 200]);
      assert.equal(creates[1].response.channel.id, room.id);
      assert.deepEqual(w.rooms(1).map((c) => c.name), ['inc-1-search-down']);
      assert.ok(room.members.has('U111'), 'the declarer invited');
      assert.match(room.topic.value, /P2/);
      assert.equal(room.messages.filter((m) => /INCIDENT - Search down/.test(m.text)).length, 1);
    } finally {
      await w.close();
    }
  });

  test('war rooms waiting for conversations.create slots do not hold up the rooms already made', async (t) => {
    // Slack allows 20 conversations.create a minute: of 55 declarations, 35 wait about a minute for
    // their rooms. They must wait aside, not in the 32 places of the deliveries in flight.
    const w = await World.create({ config: '[limits]\ndeclares_per_minute = 0\ncommands_per_minute = 0\n' });
    try {
      await w.start();
      const sent = [];
      for (let k = 1; k <= 55; k += 1) {
        sent.push(w.sim.slashCommand({ user: 'U222', text: `declare P3 type:performance Queue ${k}` }));
        await sleep(20); // 50 a second: acks are not what this test is about
      }
      const acks = await Promise.all(sent.map((s) => s.ack));
      assert.ok(acks.every((a) => a && a.latencyMs < 3000), 'every declaration acked in time');
      const started = Date.now();
      await w.sim.waitFor(() => w.calls('conversations.create').length === 20, 10000, 'the first 20 rooms');
      const made = w.calls('conversations.create').map((c) => c.args.name);
      const filled = () => made.every((name) => {
        const room = w.sim.channelByName(name);
        return room && room.pins.size === 1 && room.messages.length >= 3;
      });
      await w.sim.waitFor(filled, 15000, 'each room made filled: declaration pinned, runbook, checklist');
      t.diagnostic(`20 rooms filled ${Date.now() - started} ms after the last ack`);
      // A room made goes on while 35 others wait: its lead's assignment is posted at once.
      const room = w.sim.channelByName(made[0]);
      const asked = Date.now();
      const { ack } = w.sim.slashCommand({ user: 'U222', channel: room.id, text: 'assign comms @U333' });
      assert.ok((await ack).latencyMs < 3000, 'acked in time');
      await w.sim.waitFor(() => room.messages.some((m) => /U333/.test(JSON.stringify(m))), 5000,
        'the assignment in its room').catch((e) => { console.log('ROOM', JSON.stringify(room.messages.map((m) => m.text))); throw e; });
      t.diagnostic(`the assignment posted ${Date.now() - asked} ms after it was sent`);
      assert.equal(w.calls('conversations.create').length, 20, 'the others wait for the next minute');
      assert.deepEqual(w.sim.calls.filter((c) => c.status === 429).map((c) => c.method), [], 'no 429 from Slack');
    } finally {
      await w.close();
    }
  });

  test('a burst of 10 declarations is shaped: every room and announcement, never a 429', async (t) => {
    const w = await World.create();
    try {
      await w.start();
      const started = Date.now();
      const sent = [];
      for (let k = 1; k <= 10; k += 1) {
        sent.push(w.sim.slashCommand({ user: 'U222', text: `declare P2 type:performance Slow page ${k}` }));
      }
      const acks = await Promise.all(sent.map((s) => s.ack));
      assert.ok(acks.every((a) => a && a.latencyMs < 3000), 'every declaration acked in time');
      await w.sim.waitFor(() => w.announcements().length === 10, 30000, '10 announcements');
      const drained = Date.now() - started;
      for (let n = 1; n <= 10; n += 1) {
        const room = w.room(n);
        assert.ok(room, `room of INC-${n}`);
        await w.sim.waitFor(() => room.messages.length >= 3 && room.pins.size === 1, 10000, `room ${n} filled`);
      }
      const refused = w.sim.calls.filter((c) => c.status === 429);
      assert.deepEqual(refused.map((c) => c.method), [], 'no 429 from Slack');
      assert.deepEqual([...w.announcements()].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.equal(w.calls('conversations.create').length, 10);

      // The shaping itself: never more than 5 posts in any 5 s window of one channel.
      const incidents = w.sim.channelByName('incidents').id;
      const stamps = w.calls('chat.postMessage')
        .filter((c) => [incidents, 'incidents', '#incidents'].includes(c.args.channel)).map((c) => c.at);
      assert.equal(stamps.length, 10);
      for (let k = 5; k < stamps.length; k += 1) {
        assert.ok(stamps[k] - stamps[k - 5] >= 5000, `post ${k + 1} too early`);
      }
      t.diagnostic(`10 incidents drained in ${drained} ms`);
      assert.ok(drained < 20000, `not held back longer than the limit needs (${drained} ms)`);
    } finally {
      await w.close();
    }
  });
});
