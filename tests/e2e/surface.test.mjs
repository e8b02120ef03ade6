// The Slack surface end to end: every /incident subcommand in the war room (incident implied) and
// elsewhere (with its number); the declare modal with a field error, a valid submit and a double
// submit; user text that tries to mention or link stays inert; a 40,000-character update is split
// into messages within Slack's limits with all of its text.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World } from './harness.mjs';

const ackText = (a) => JSON.stringify(a?.payload ?? {});

describe('slack surface', { timeout: 120000 }, () => {
  test('every subcommand answers in the war room and elsewhere', async () => {
    const w = await World.create();
    try {
      await w.start();
      const run = async (channel, text) => {
        const a = await w.sim.slashCommand({ user: 'U111', channel, text }).ack;
        assert.ok(a, `acked: ${text}`);
        return a;
      };
      await run('incidents', 'declare P1 type:outage Orders failing');
      const room = (await w.waitForRoom(1)).id;
      const answers = {
        status: [[room, 'status'], ['incidents', 'status 1']],
        role: [[room, 'role'], ['incidents', 'role 1']],
        actions: [[room, 'actions'], ['incidents', 'actions 1']],
        help: [[room, 'help'], ['incidents', 'help resolve']],
        list: [['incidents', 'list'], [room, 'list all']],
        stats: [['incidents', 'stats 30d']],
      };
      for (const [verb, cases] of Object.entries(answers)) {
        for (const [channel, text] of cases) {
          const a = await run(channel, text);
          assert.equal(a.payload?.response_type, 'ephemeral', `${verb} is ephemeral`);
          assert.ok(ackText(a).length > 40, `${text} says something`);
        }
      }
      assert.match(ackText(await run(room, 'status')), /Severity/);
      const changes = [
        [room, 'assign ic @U222'], ['incidents', 'assign 1 sme @U333'], [room, 'update status:identified Bad cache'],
        ['incidents', 'update 1 Cache flushed'], [room, 'severity P2'], ['incidents', 'severity 1 P1'],
        [room, 'note went well: fast page'], ['incidents', 'note 1 improve: alerting'], [room, 'action Add a canary @U333 due:2030-01-02'],
        ['incidents', 'done 1 1'], [room, 'escalate no response from DB team'], [room, 'phase containment'],
        [room, 'advance'], ['incidents', 'resolve 1 Flushed the cache root cause: bad TTL'], [room, 'reopen errors again'],
        [room, 'resolve Flushed again'], [room, 'report'], ['incidents', 'close 1'],
      ];
      const before = w.sim.calls.length;
      for (const [channel, text] of changes) {
        const a = await run(channel, text);
        assert.doesNotMatch(ackText(a), /⚠️/, `${text} is accepted: ${ackText(a)}`);
      }
      // Posts to one room are paced at about one a second, so only the first changes are awaited here.
      await w.sim.waitFor(() => w.sim.calls.slice(before).some((c) => c.method === 'conversations.setTopic'
        && /IC @U222/.test(c.args.topic)), 15000, 'the changes reached Slack');
      const bad = await run(room, 'severity P9');
      assert.match(ackText(bad), /⚠️/);
      assert.match(ackText(bad), /severity P0-P3|severity/);
      const closed = await run(room, 'note too late');
      assert.match(ackText(closed), /closed/);
    } finally {
      await w.close();
    }
  });

  test('the declare modal: field error, valid submit, double submit', async () => {
    const w = await World.create();
    try {
      await w.start();
      await w.sim.slashCommand({ user: 'U111', text: 'declare' }).ack;
      const open = await w.sim.waitFor(() => w.calls('views.open').find((c) => c.response.ok), 10000, 'views.open');
      const view = open.response.view;
      assert.equal(view.callback_id, 'declare');
      const values = (title) => ({
        title: { title: { type: 'plain_text_input', value: title } },
        severity: { severity: { type: 'static_select', selected_option: { value: 'P1' } } },
        type: { type: { type: 'static_select', selected_option: { value: 'performance' } } },
      });
      const refused = await w.sim.viewSubmission({ user: 'U111', view: view.id, values: values('   ') }).ack;
      assert.equal(refused.payload?.response_action, 'errors');
      assert.ok(refused.payload.errors.title);
      assert.equal(w.calls('conversations.create').length, 0);
      const ok = await w.sim.viewSubmission({ user: 'U111', view: view.id, values: values('Search slow') }).ack;
      assert.notEqual(ok.payload?.response_action, 'errors');
      const again = await w.sim.viewSubmission({ user: 'U111', view: view.id, values: values('Search slow') }).ack;
      assert.ok(again);
      await w.waitForRoom(1);
      await w.sim.waitFor(() => w.rooms?.(1)?.length ?? 1, 1000, 'settled');
      assert.equal(w.calls('conversations.create').filter((c) => c.response.ok).length, 1, 'one incident');
      assert.match(w.room(1).name, /^inc-1-search-slow/);
    } finally {
      await w.close();
    }
  });

  test('mentions and links typed into a title stay inert and a huge update is split within limits', async () => {
    const w = await World.create();
    try {
      await w.start();
      const title = 'DB <!channel> <@U222> <http://evil.example|click> & more';
      await w.sim.slashCommand({ user: 'U111', text: `declare P2 ${title}` }).ack;
      const room = await w.waitForRoom(1);
      await w.sim.waitFor(() => room.messages.length >= 3, 10000, 'posts');
      // Slack parses mrkdwn text objects and the fallback text; plain_text (headers, buttons) is never parsed.
      const parsed = [];
      const walk = (x) => {
        if (Array.isArray(x)) return x.forEach(walk);
        if (x && typeof x === 'object') {
          if (x.type === 'mrkdwn' && typeof x.text === 'string') parsed.push(x.text);
          Object.values(x).forEach(walk);
        }
      };
      for (const c of w.sim.channels.values()) for (const m of c.messages) { parsed.push(m.text); walk(m.blocks); }
      const everything = parsed.join('\n');
      assert.doesNotMatch(everything, /<!channel>/);
      assert.doesNotMatch(everything, /<http:\/\/evil/);
      assert.doesNotMatch(everything, /<@U222>/);
      assert.match(everything, /&lt;!channel&gt;/);

      const words = [];
      while (words.join(' ').length < 40000) words.push(`word${words.length}`);
      const text = words.join(' ').slice(0, 40000);
      const count = room.messages.length;
      await w.sim.slashCommand({ user: 'U111', channel: room.id, text: `update ${text}` }).ack;
      await w.sim.waitFor(() => room.messages.length >= count + 2, 20000, 'split update');
      await w.sim.waitFor(() => JSON.stringify(room.messages.map((m) => m.blocks)).includes(words.at(-2)), 20000, 'last words');
      const parts = room.messages.slice(count);
      for (const m of parts) {
        assert.ok(m.blocks.length <= 50);
        for (const b of m.blocks) if (b.text?.text) assert.ok(b.text.text.length <= 3000);
      }
      const joined = JSON.stringify(parts.map((m) => m.blocks));
      for (const k of [0, 1000, 3000, words.length - 2]) assert.ok(joined.includes(`word${k}`), `word${k} is posted`);
      assert.equal(w.sim.calls.filter((c) => c.status === 200 && c.response?.ok === false && /invalid_blocks|msg_too_long|too_long/.test(c.response.error)).length, 0);
    } finally {
      await w.close();
    }
  });
});
