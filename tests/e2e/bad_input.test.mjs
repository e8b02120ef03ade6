// Bad input of every kind on the Socket Mode connection: frames that are not envelopes are ignored
// (slack-protocol.md §1.5), every envelope is acked whatever is inside, bad commands get their usage
// and change nothing, and the bot stays up on the same connection.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World, sleep } from './harness.mjs';
import { slashCommandPayload } from '../slack_sim/lib/payloads.mjs';

const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);

describe('bad input', { timeout: 60000 }, () => {
  test('malformed frames and odd envelopes: all envelopes acked, nothing created, the bot stays up', async (t) => {
    // Acks of 20 KB or more are dropped, as Slack reportedly does (§1.6).
    const w = await World.create({ sim: { maxAckBytes: 20480 } });
    try {
      const bot = await w.start();
      const sim = w.sim;
      const slashPayload = (text) => slashCommandPayload(sim, { text });
      for (const text of ['not json', '[1,2]', '{"type":"x"}', '"just a string"', 'null', '{}', '{"type":42}',
        '{"type":"hello"', nested(100000), `{"type":"events_api","payload":${nested(50000)}}`, '\u0000\u0001\u0002']) {
        sim.sendRaw(text);
      }
      sim.sendRaw('\u00ff\u0000binary\u0001', { binary: true });
      sim.sendRaw(Buffer.alloc(70000, 7).toString('latin1'), { binary: true });

      // In groups, each group once the previous one is acked: the bot handles envelopes one after the
      // other, and the 3 s deadline is per envelope.
      const inject = (type, payload, accepts = type !== 'events_api') => sim.socketMode.inject(type, payload, {
        acceptsResponsePayload: accepts,
      });
      const groups = [
        () => ({
          unknownType: inject('mystery_type', { anything: true }, false),
          notAnObjectPayload: inject('slash_commands', 'declare P1 nope'),
          noPayload: inject('interactive', undefined, false),
          emptyInteractive: inject('interactive', { type: 'block_actions' }, false),
          oddInteractive: inject('interactive', { type: 'shortcut', callback_id: 'x' }, false),
          viewWithoutView: inject('interactive', { type: 'view_submission', user: { id: 'U111' } }),
          slashWithoutUser: inject('slash_commands', { command: '/incident', text: 'declare P1 ghost' }),
          slashWrongTypes: inject('slash_commands', {
            command: ['/incident'], text: { declare: 1 }, user_id: 7, channel_id: null,
          }),
          eventNoId: inject('events_api', { type: 'event_callback', event: { type: 'message' } }),
        }),
        // 1 MiB inside envelopes: an event's text, a field of a command warroom does not read.
        () => ({
          hugeEvent: sim.event({
            type: 'message', channel: sim.channelByName('incidents').id, user: 'U111', text: 'x'.repeat(1 << 20),
          }),
          hugeBlob: inject('events_api', {
            type: 'event_callback', event_id: 'EvHUGE', event: { type: 'message', blob: 'b'.repeat(1 << 20) },
          }),
          hugeField: inject('slash_commands', { ...slashPayload('help'), junk: 'j'.repeat(1 << 20) }),
        }),
        () => ({
          // As long as Slack lets a command be (4000 characters).
          longTitle: sim.slashCommand({ text: `declare P3 type:outage ${'word '.repeat(800)}` }),
          badSubcommand: sim.slashCommand({ text: 'frobnicate the servers' }),
          badSeverity: sim.slashCommand({ text: 'declare P9 type:outage Bad severity' }),
          badType: sim.slashCommand({ text: 'declare P2 type:volcano Bad type' }),
          wrongCommand: sim.slashCommand({ command: '/wrong', text: 'declare P1 type:outage Wrong command' }),
          markup: sim.slashCommand({ text: 'status <script>&amp;' }),
        }),
      ];
      const acks = {};
      for (const group of groups) {
        const sent = Object.entries(group());
        for (const [k, e] of sent) acks[k] = await e.ack;
      }
      const missing = Object.entries(acks).filter(([, a]) => !a).map(([k]) => k);
      assert.deepEqual(missing, [], 'every envelope acked');
      t.diagnostic(`ack latencies: ${Object.entries(acks).map(([k, a]) => `${k} ${a.latencyMs}`).join(', ')} ms`);
      for (const [k, a] of Object.entries(acks)) assert.ok(a.latencyMs < 3000, `${k} acked in ${a.latencyMs} ms`);

      const reply = (k) => JSON.stringify(acks[k].payload ?? {});
      assert.equal(acks.badSubcommand.payload.response_type, 'ephemeral');
      assert.match(reply('badSubcommand'), /frobnicate/);
      assert.match(reply('badSubcommand'), /\(declare, update, publish, status/, 'the commands are listed on one line');
      for (const k of ['badSeverity', 'badType', 'wrongCommand']) {
        assert.equal(acks[k].payload?.response_type, 'ephemeral', `${k}: an ephemeral answer`);
        assert.doesNotMatch(reply(k), /Declared/, `${k}: nothing declared`);
      }
      assert.match(reply('badSeverity'), /P0-P3|severity/i);
      assert.match(reply('badType'), /type/i);
      assert.match(reply('wrongCommand'), /\/incident/);
      assert.doesNotMatch(acks.markup.payload.text, /<script>/, 'user text is escaped in the mrkdwn answer');

      assert.match(reply('hugeField'), /Commands/, 'the command next to the junk answered');
      assert.match(reply('longTitle'), /title/, 'the long title refused with a reason');
      assert.doesNotMatch(reply('longTitle'), /Declared/);

      await sleep(1500);
      const slackCalls = w.sim.calls.filter((c) => !['auth.test', 'apps.connections.open', 'usergroups.list'].includes(c.method));
      assert.deepEqual(slackCalls.map((c) => c.method), [], 'nothing created, posted or opened');

      // Still up, on the same connection, and working.
      assert.ok(bot.running());
      assert.equal(w.sim.connectionLog.length, 1);
      assert.deepEqual(w.sim.garbage, [], 'the bot sent nothing but acks');
      assert.deepEqual(w.sim.timeouts, []);
      const before = w.calls('conversations.create').length;
      const a = await w.sim.slashCommand({ text: 'declare P2 type:performance After the garbage' }).ack;
      assert.match(a.payload.text, /Declared INC-\d+/);
      await w.sim.waitFor(() => w.calls('conversations.create').length === before + 1 && [...w.sim.channels.values()]
        .some((c) => c.name.endsWith('after-the-garbage') && c.messages.length >= 3), 10000, 'the later declaration');
    } finally {
      await w.close();
    }
  });

  test('events_api envelopes with a malformed event are acked', async (t) => {
    const w = await World.create({ sim: { ackTimeoutMs: 1000, redeliveryDelaysMs: [0] } });
    try {
      const bot = await w.start();
      const room = w.sim.channelByName('incidents').id;
      const shapes = {
        eventString: { event: 'nope' },
        eventNull: { event: null },
        eventArray: { event: [1, 2] },
        itemString: { event: { type: 'reaction_added', reaction: 'pushpin', user: 'U111', item: 'C1/1.2' } },
        itemMessageString: { event: { type: 'pin_added', user: 'U111', channel_id: room, item: { message: 'x' } } },
        reactionNumber: {
          event: { type: 'reaction_added', reaction: 7, user: 'U111', item: { channel: room, ts: 1 } },
        },
      };
      const acks = {};
      for (const [k, shape] of Object.entries(shapes)) {
        acks[k] = await w.sim.socketMode.inject('events_api', { type: 'event_callback', event_id: `Ev${k}`, ...shape },
          { acceptsResponsePayload: false }).ack;
      }
      const missing = Object.entries(acks).filter(([, a]) => !a).map(([k]) => k);
      t.diagnostic(`not acked: ${missing.join(', ') || 'none'}`);
      assert.deepEqual(missing, []);
      assert.ok(bot.running());
    } finally {
      await w.close();
    }
  });

  test('a bad subcommand gets the usage and changes nothing', async () => {
    const w = await World.create();
    try {
      await w.start();
      for (const text of ['frobnicate', 'declare', 'status 999', 'severity P7', 'assign king @U222', 'resolve']) {
        const a = await w.sim.slashCommand({ text, channel: 'incidents' }).ack;
        assert.ok(a, `${text}: acked`);
      }
      await sleep(1500);
      const writes = w.sim.calls.filter((c) => !['auth.test', 'apps.connections.open', 'usergroups.list', 'views.open']
        .includes(c.method));
      assert.deepEqual(writes.map((c) => c.method), [], 'no Slack call but opening the declare form');
      assert.equal([...w.sim.channels.values()].filter((c) => c.name.startsWith('inc-')).length, 0);
    } finally {
      await w.close();
    }
  });
});
