// "A token never appears in a log line" (product spec §4). The harness checks every bot's log on
// close(); here the bot runs at debug level through the paths most likely to print a request
// (errors, retries, refusals, reconnects), and with tokens Slack refuses.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World, assertNoSecrets, sleep } from './harness.mjs';

const debug = '[log]\nlevel = "debug"\n';

function assertClean(bot, sim) {
  assertNoSecrets(bot.log(), sim);
  assert.doesNotMatch(bot.log(), /Bearer|authorization/i);
}

describe('no token in any log line', { timeout: 60000 }, () => {
  test('at debug level, through errors, 429s, 5xx pages, resets and a reconnect', async () => {
    const w = await World.create({ config: debug });
    try {
      const bot = await w.start();
      w.sim.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
      w.sim.failNext('conversations.create', { status: 502, html: true });
      w.sim.failNext('conversations.invite', { reset: true });
      w.sim.failNext('conversations.setTopic', { error: 'invalid_auth' });
      w.sim.failNext('pins.add', { error: 'not_authed' });
      w.sim.slashCommand({ text: 'declare P1 type:security Token leak drill' });
      w.sim.slashCommand({ text: 'frobnicate' });
      const room = await w.waitForRoom(1, 15000);
      await w.sim.waitFor(() => room.messages.length >= 3, 15000, 'room filled');
      w.sim.requestRefresh();
      const log = w.sim.connectionLog;
      await w.sim.waitFor(() => log.length === 2 && log[1].helloAt, 5000, 'reconnected');
      w.sim.dropConnections({ reset: true });
      await w.sim.waitFor(() => w.sim.connections().length === 1 && log.length === 3, 5000, 'reconnected again');
      await sleep(500);
      assert.ok(bot.lines.some((l) => / debug /.test(l)), 'debug lines are written (the level took effect)');
      assert.ok(bot.lines.length > 20, `${bot.lines.length} lines`);
      assert.ok(bot.lines.some((l) => /429|rate/.test(l)) && bot.lines.some((l) => /invalid_auth/.test(l)),
        'the failures were logged');
      assertClean(bot, w.sim);
      // And what the bot sent to Slack did carry the tokens (the check looks for the right strings).
      assert.ok(w.sim.calls.some((c) => c.token === w.sim.botToken));
      assert.ok(w.sim.calls.some((c) => c.token === w.sim.appToken));
    } finally {
      await w.close();
    }
  });

  test('refused tokens: the bot says which variable is wrong, never its value', async () => {
    const w = await World.create({ config: debug });
    try {
      // The bot token revoked: auth.test says token_revoked and the bot gives up.
      w.sim.revokeToken(w.sim.botToken);
      const revoked = await w.start({ ready: false });
      revoked.mayFail = true;
      const exit = await revoked.exitWithin(10000);
      assert.ok(exit, 'it exits');
      assert.notEqual(exit.code, 0);
      assert.match(revoked.log(), /SLACK_BOT_TOKEN/);
      assertClean(revoked, w.sim);

      // The two tokens swapped: refused before or at the first call, without echoing either.
      const env = { SLACK_APP_TOKEN: w.sim.botToken, SLACK_BOT_TOKEN: w.sim.appToken };
      const swapped = await w.start({ ready: false, env });
      swapped.mayFail = true;
      const exit2 = await swapped.exitWithin(10000);
      assert.ok(exit2, 'it exits');
      assert.notEqual(exit2.code, 0);
      assert.match(swapped.log(), /SLACK_(APP|BOT)_TOKEN/);
      assertClean(swapped, w.sim);
    } finally {
      await w.close();
    }
  });
});
