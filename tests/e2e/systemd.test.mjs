// `warroom run` as systemd runs it with Type=notify and WatchdogSec: the notification datagrams
// arrive on a NOTIFY_SOCKET the test listens on (a python3 one-liner: Node has no unix datagram
// sockets) — READY=1 once Socket Mode is connected, WATCHDOG=1 every WATCHDOG_USEC/2, STOPPING=1 on
// SIGTERM — and the Slack tokens come from $CREDENTIALS_DIRECTORY (LoadCredential=) when the
// environment has none.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { World, sleep } from './harness.mjs';

const WATCHDOG_USEC = 400000;

// A datagram socket bound at `path`; every message received, with when it came (ms, as the listener saw it).
async function notifySocket(path) {
  const script = [
    'import json, socket, sys, time',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    's.bind(sys.argv[1])',
    'print("listening", flush=True)',
    'while True:',
    '    text = s.recv(4096).decode()',
    '    print(json.dumps([time.monotonic() * 1000, text]), flush=True)',
  ].join('\n');
  const child = spawn('python3', ['-c', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages = [];
  let partial = '';
  const listening = new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`the listener exited ${code}`)));
    child.stdout.on('data', (chunk) => {
      partial += chunk.toString();
      const lines = partial.split('\n');
      partial = lines.pop();
      for (const line of lines) {
        if (line === 'listening') resolve();
        else {
          const [at, text] = JSON.parse(line);
          messages.push({ at, text });
        }
      }
    });
  });
  await listening;
  return { messages, texts: () => messages.map((m) => m.text), close: () => child.kill() };
}

// Runs `body(w, notify, env)` in a fresh world with a notification socket; `env` points the bot at it
// with the watchdog on. Both are closed after.
async function withNotifySocket(body) {
  const w = await World.create();
  const path = join(w.dir, 'notify');
  const notify = await notifySocket(path);
  try {
    await body(w, notify, { NOTIFY_SOCKET: path, WATCHDOG_USEC: String(WATCHDOG_USEC) });
  } finally {
    notify.close();
    await w.close();
  }
}

describe('systemd notifications', { timeout: 60000 }, () => {
  test('READY=1 once Socket Mode is connected, WATCHDOG=1 every WATCHDOG_USEC/2, STOPPING=1 on SIGTERM, exit 0', async (t) => {
    await withNotifySocket(async (w, notify, env) => {
      const bot = await w.start({ env, ready: false });
      await w.sim.waitFor(() => notify.texts().includes('READY=1'), 20000, 'READY=1');
      assert.ok(w.sim.connections().some((c) => c.ready), 'READY=1 after the hello');
      const readyAt = notify.texts().indexOf('READY=1');
      await w.sim.waitFor(() => notify.texts().slice(readyAt).filter((m) => m === 'WATCHDOG=1').length >= 3, 5000, 'WATCHDOG=1 pings');
      assert.deepEqual({ code: (await bot.stop()).code }, { code: 0 });
      await w.sim.waitFor(() => notify.texts().includes('STOPPING=1'), 2000, 'STOPPING=1');

      const texts = notify.texts();
      t.diagnostic(texts.join(' '));
      assert.deepEqual([...new Set(texts)].sort(), ['READY=1', 'STOPPING=1', 'WATCHDOG=1']);
      assert.equal(texts.filter((m) => m === 'READY=1').length, 1);
      assert.equal(texts.at(-1), 'STOPPING=1', 'nothing after STOPPING=1');
      assert.ok(texts.indexOf('STOPPING=1') > readyAt + 2, 'READY=1, then pings, then STOPPING=1');
      // Within the watchdog's limit: systemd would restart a daemon silent for WATCHDOG_USEC.
      const pings = notify.messages.filter((m) => m.text === 'WATCHDOG=1').map((m) => m.at);
      const gaps = pings.slice(1).map((at, k) => at - pings[k]);
      t.diagnostic(`gaps between pings: ${gaps.map(Math.round).join(', ')} ms`);
      assert.ok(Math.max(...gaps) < WATCHDOG_USEC / 1000, `a gap of ${Math.max(...gaps)} ms`);
      assert.ok(Math.min(...gaps) >= WATCHDOG_USEC / 1000 / 2 - 50, `a gap of ${Math.min(...gaps)} ms`);
    });
  });

  test('no READY=1 while Slack refuses the Socket Mode connection; the watchdog is fed meanwhile', async () => {
    await withNotifySocket(async (w, notify, env) => {
      w.sim.refuseConnects(1000, 500);
      await w.start({ env, ready: false });
      await w.sim.waitFor(() => w.sim.rejectedUpgrades.length >= 2, 10000, 'refused connections');
      await w.sim.waitFor(() => notify.texts().filter((m) => m === 'WATCHDOG=1').length >= 3, 5000, 'WATCHDOG=1 pings');
      assert.ok(!notify.texts().includes('READY=1'));
    });
  });

  test('a WATCHDOG_PID of another process (inherited) means no pings; READY=1 all the same', async () => {
    await withNotifySocket(async (w, notify, env) => {
      await w.start({ env: { ...env, WATCHDOG_PID: '1' } });
      await w.sim.waitFor(() => notify.texts().includes('READY=1'), 5000, 'READY=1');
      await sleep(WATCHDOG_USEC / 1000 * 2);
      assert.deepEqual(notify.texts(), ['READY=1']);
    });
  });

  test('the tokens come from $CREDENTIALS_DIRECTORY when SLACK_APP_TOKEN and SLACK_BOT_TOKEN are unset', async () => {
    const w = await World.create();
    try {
      const credentials = join(w.dir, 'credentials');
      mkdirSync(credentials, { mode: 0o700 });
      writeFileSync(join(credentials, 'slack-app-token'), `${w.sim.appToken}\n`, { mode: 0o400 });
      writeFileSync(join(credentials, 'slack-bot-token'), `${w.sim.botToken}\n`, { mode: 0o400 });
      const bot = await w.start({ env: { SLACK_APP_TOKEN: '', SLACK_BOT_TOKEN: '', CREDENTIALS_DIRECTORY: credentials } });
      const a = await w.sim.slashCommand({ text: 'declare P2 type:performance Tokens from credentials' }).ack;
      assert.match(a.payload.text, /Declared INC-1/);
      await w.waitForRoom(1);
      assert.ok(bot.running());
    } finally {
      await w.close();
    }
  });
});
