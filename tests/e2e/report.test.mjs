// `/incident report` posts the incident report into the war room as a Markdown file (files v2:
// getUploadURLExternal, upload, completeUploadExternal), byte for byte what `warroom report N` prints.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { World, binary } from './harness.mjs';

describe('report upload', { timeout: 60000 }, () => {
  test('the report is uploaded to the war room and equals warroom report N', async () => {
    const w = await World.create();
    try {
      await w.start();
      await (await w.sim.slashCommand({ user: 'U111', text: 'declare P3 type:integration Webhooks delayed <!channel> & lost' })).ack;
      const room = await w.waitForRoom(1);
      const cmd = (text) => w.sim.slashCommand({ user: 'U111', channel: room.id, text }).ack;
      await cmd('resolve Replayed the webhook queue root cause: a stuck consumer');
      const ack = await cmd('report');
      assert.ok(ack, 'acked');
      const shared = await w.sim.waitFor(() => room.messages.find((m) => m.files?.length), 10000, 'shared file');
      const file = w.sim.files.get(shared.files[0].id);
      assert.equal(file.filename, 'INC-1-report.md');
      const printed = execFileSync(binary, ['report', '1'], { env: w.env(), encoding: 'utf8' });
      assert.equal(file.bytes.toString('utf8'), printed);
      assert.match(printed, /Webhooks delayed/);
      // The comment beside the file is mrkdwn: the title's markup stays text.
      const comment = w.calls('files.completeUploadExternal')[0].args.initial_comment;
      assert.match(comment, /Webhooks delayed &lt;!channel&gt; &amp; lost/);
      assert.doesNotMatch(comment, /<!channel>/);
      assert.equal(w.calls('files.getUploadURLExternal')[0].encoding, 'form');
      assert.equal([...w.sim.files.values()].length, 1, 'one upload');
    } finally {
      await w.close();
    }
  });
});
