// Buttons on the bot's prompts: each press is recorded with who pressed it, and the prompt itself is
// updated (chat.update) so the room never shows a stale button.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World } from './harness.mjs';

const hasAction = (m, id) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${id}"`);

describe('prompt buttons', { timeout: 60000 }, () => {
  test('Acknowledge and I will be IC are recorded and their prompt is updated', async () => {
    // Nobody leads until someone takes it: the prompt offers I'll be IC.
    const w = await World.create({ config: '[roles]\ndeclarer_leads = false\n' });
    try {
      await w.start();
      await (await w.sim.slashCommand({ user: 'U111', text: 'declare P1 type:outage Payments failing' })).ack;
      const room = await w.waitForRoom(1);
      for (const user of ['U222', 'U333', 'U444']) await w.join(user, room);
      const prompt = await w.sim.waitFor(() => room.messages.find((m) => hasAction(m, 'acknowledge')), 10000, 'prompt');
      const ack = await w.sim.blockAction({ user: 'U333', channel: room.id, messageTs: prompt.ts, actionId: 'acknowledge' }).ack;
      assert.ok(ack, 'the press is acked');
      await w.sim.waitFor(() => !hasAction(prompt, 'acknowledge'), 10000, 'acknowledge button gone');
      assert.match(JSON.stringify(prompt.blocks), /<@U333>/);
      await w.sim.waitFor(() => room.messages.some((m) => /acknowledged by <@U333>/.test(m.text)), 10000, 'ack recorded');

      const ic = room.messages.find((m) => hasAction(m, 'claim_ic'));
      assert.ok(ic, 'a prompt offers I\'ll be IC');
      await w.sim.blockAction({ user: 'U222', channel: room.id, messageTs: ic.ts, actionId: 'claim_ic' }).ack;
      await w.sim.waitFor(() => /IC @U222/.test(room.topic.value), 10000, 'topic names the IC');
      await w.sim.waitFor(() => !hasAction(ic, 'claim_ic'), 10000, 'claim button gone');

      // Pressing a stale copy of a button changes nothing and says why, only to the presser.
      const before = room.messages.length;
      w.sim.workspace.findMessage(room, prompt.ts).blocks = JSON.parse(JSON.stringify(ic.blocks)).concat([
        { type: 'actions', elements: [{ type: 'button', action_id: 'acknowledge', text: { type: 'plain_text', text: 'Acknowledge' }, value: '1' }] }]);
      await w.sim.blockAction({ user: 'U444', channel: room.id, messageTs: prompt.ts, actionId: 'acknowledge' }).ack;
      await w.sim.waitFor(() => w.sim.responses.some((r) => /already acknowledged/i.test(JSON.stringify(r.body))), 10000, 'refusal by response_url');
      assert.equal(room.messages.length, before);
    } finally {
      await w.close();
    }
  });
});

describe('more prompt buttons and the checklist', { timeout: 60000 }, () => {
  test('Post update and Resolve open their modals; Advance and Snooze act; a checkbox is recorded', async () => {
    // A short cadence so the nudge (with Snooze) comes within the test.
    const w = await World.create({ config: '[severity.P1]\nupdate_every = "3s"\n' });
    try {
      await w.start();
      await (await w.sim.slashCommand({ user: 'U111', text: 'declare P1 type:outage Login errors' })).ack;
      const room = await w.waitForRoom(1);
      await w.join('U222', room);
      const prompt = await w.sim.waitFor(() => room.messages.find((m) => hasAction(m, 'post_update')), 10000, 'prompt');

      await w.sim.blockAction({ user: 'U111', channel: room.id, messageTs: prompt.ts, actionId: 'post_update' }).ack;
      await w.sim.waitFor(() => w.calls('views.open').some((c) => c.response.ok && c.response.view.callback_id === 'update'), 10000, 'update modal');
      await w.sim.blockAction({ user: 'U111', channel: room.id, messageTs: prompt.ts, actionId: 'resolve' }).ack;
      await w.sim.waitFor(() => w.calls('views.open').some((c) => c.response.ok && c.response.view.callback_id === 'resolve'), 10000, 'resolve modal');

      const checklist = await w.sim.waitFor(() => room.messages.find((m) => hasAction(m, 'check')), 10000, 'checklist');
      await w.sim.blockAction({ user: 'U222', channel: room.id, messageTs: checklist.ts, actionId: 'check', value: ['1:detection:1'] }).ack;
      await w.sim.waitFor(() => room.messages.some((m) => /<@U222> checked "Incident detected"/.test(m.text)), 10000, 'check recorded');

      // U111 declared and leads: the P1 may leave Detection.
      await w.sim.blockAction({ user: 'U111', channel: room.id, messageTs: prompt.ts, actionId: 'advance' }).ack;
      await w.sim.waitFor(() => room.messages.some((m) => /Investigation/.test(m.text) && /phase|→/i.test(m.text)), 10000, 'advanced');

      const nudge = await w.sim.waitFor(() => room.messages.find((m) => hasAction(m, 'snooze')), 15000, 'nudge with Snooze');
      await w.sim.blockAction({ user: 'U111', channel: room.id, messageTs: nudge.ts, actionId: 'snooze' }).ack;
      await w.sim.waitFor(() => room.messages.some((m) => /snoozed by <@U111>/.test(m.text)), 10000, 'snoozed');
      await w.sim.waitFor(() => !hasAction(nudge, 'snooze'), 10000, 'snooze button gone');
    } finally {
      await w.close();
    }
  });
});
