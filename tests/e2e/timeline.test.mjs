// The timeline reaction and pins: a responder's :pushpin: on a war-room message, or pinning it, puts
// it on the incident's timeline with the message's own author and time (the report shows it);
// removing the reaction or the pin takes it off. Other reactions, other channels and the bot's own
// pins change nothing; someone outside the war room changes nothing either, and is logged as refused.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { World, binary, sleep } from './harness.mjs';

function report(w, n) {
  return execFileSync(binary, ['report', String(n)], { env: w.env(), encoding: 'utf8' });
}

describe('timeline capture', { timeout: 60000 }, () => {
  test('reactions and pins add messages to the timeline and removing them takes them off', async () => {
    const w = await World.create();
    try {
      await w.start();
      await (await w.sim.slashCommand({ user: 'U111', text: 'declare P2 Checkout slow' })).ack;
      const room = await w.waitForRoom(1);
      await w.sim.waitFor(() => room.pins.size === 1, 10000, 'declaration pinned');
      // The responders are in the room (Slack tells the bot), so their reactions count.
      for (const user of ['U222', 'U333', 'U444']) await w.join(user, room);
      const found = w.sim.userMessage({ user: 'U222', channel: room.id, text: 'Found it: pool size is 5 &amp; not 50' });
      const other = w.sim.userMessage({ user: 'U333', channel: room.id, text: 'Rolling back now' });
      const ignored = w.sim.userMessage({ user: 'U333', channel: room.id, text: 'lunch?' });

      const react = (type, reaction, ts) => w.sim.event({ type, user: 'U444', reaction, item_user: 'U222',
        item: { type: 'message', channel: room.id, ts }, event_ts: ts });
      assert.ok(await react('reaction_added', 'pushpin', found.ts).ack);
      assert.ok(await react('reaction_added', 'eyes', ignored.ts).ack);
      assert.ok(await w.sim.event({ type: 'pin_added', user: 'U111', channel_id: room.id,
        item: { type: 'message', channel: room.id, created_by: 'U111',
          message: { type: 'message', user: 'U333', text: 'Rolling back now', ts: other.ts } } }).ack);

      let text = report(w, 1);
      assert.match(text, /📌 Found it: pool size is 5 & not 50/);
      assert.match(text, /📌 Rolling back now/);
      assert.doesNotMatch(text, /lunch/);
      assert.ok(text.indexOf('Found it') < text.indexOf('Rolling back now'), 'in message order');

      assert.ok(await react('reaction_removed', 'pushpin', found.ts).ack);
      assert.ok(await w.sim.event({ type: 'pin_removed', user: 'U111', channel_id: room.id,
        item: { type: 'message', channel: room.id, message: { type: 'message', user: 'U333', text: 'x', ts: other.ts } } }).ack);
      text = report(w, 1);
      assert.doesNotMatch(text, /Found it/);
      assert.doesNotMatch(text, /📌 Rolling back now/);
    } finally {
      await w.close();
    }
  });

  test('a reaction outside a war room or by the bot pinning changes nothing', async () => {
    const w = await World.create();
    try {
      await w.start();
      await (await w.sim.slashCommand({ user: 'U111', text: 'declare P2 Checkout slow' })).ack;
      const room = await w.waitForRoom(1);
      const incidents = w.sim.channelByName('incidents');
      const elsewhere = w.sim.userMessage({ user: 'U222', channel: incidents.id, text: 'not in the room' });
      assert.ok(await w.sim.event({ type: 'reaction_added', user: 'U444', reaction: 'pushpin', item_user: 'U222',
        item: { type: 'message', channel: incidents.id, ts: elsewhere.ts } }).ack);
      await w.sim.waitFor(() => room.pins.size === 1, 10000, 'declaration pinned');
      const declaration = [...room.pins][0];
      assert.ok(await w.sim.event({ type: 'pin_added', user: w.sim.botUserId, channel_id: room.id,
        item: { type: 'message', channel: room.id, message: { type: 'message', bot_id: w.sim.botId, text: 'decl', ts: declaration } } }).ack);
      await sleep(200);
      assert.doesNotMatch(report(w, 1), /📌/);
    } finally {
      await w.close();
    }
  });

  test("a reaction by someone outside the war room changes nothing and is logged as refused", async () => {
    const w = await World.create();
    try {
      const bot = await w.start();
      await (await w.sim.slashCommand({ user: 'U111', text: 'declare P2 Checkout slow' })).ack;
      const room = await w.waitForRoom(1);
      const said = w.sim.userMessage({ user: 'U111', channel: room.id, text: 'Found it: pool size is 5' });
      // U444 never joined: the room is public, so Slack lets them react, but they are not its people.
      assert.ok(await w.sim.event({ type: 'reaction_added', user: 'U444', reaction: 'pushpin', item_user: 'U111',
        item: { type: 'message', channel: room.id, ts: said.ts }, event_ts: said.ts }).ack);
      await bot.waitForLog(/refused: U444 note on INC-1: only the people in INC-1's war room/);
      assert.doesNotMatch(report(w, 1), /📌/);
    } finally {
      await w.close();
    }
  });
});
