// Buttons on the bot's prompts: each press is recorded with who pressed it, and the prompt itself is
// updated (chat.update) so the room never shows a stale button.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World } from './harness.mjs';

const hasAction = (m, id) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${id}"`);

describe('prompt buttons', { timeout: 60000 }, () => {
  test('Acknowledge and I will be IC are recorded and their prompt is updated', async () => {
    const w = await World.create();
    try {
      await w.start();
      await (await w.sim.slashCommand({ user: 'U111', text: 'declare P1 type:outage Payments failing' })).ack;
      const room = await w.waitForRoom(1);
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
