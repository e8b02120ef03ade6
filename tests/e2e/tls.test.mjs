// TLS peer and host-name verification are always on (product spec §4): a certificate for another
// host, or from a CA the bot was not told to trust, is refused before a single request (and so
// before any token) goes over the connection, on the Web API and on the Socket Mode socket alike;
// the bot keeps retrying without crashing and stops cleanly.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { World, sleep } from './harness.mjs';
import { startSimulator } from '../slack_sim/simulator.mjs';
import { certFiles } from '../slack_sim/certs.mjs';

const verifyFailure = /certificate verify failed|verification|certificate/i;

describe('TLS verification', { timeout: 60000 }, () => {
  test('a certificate for the wrong host name is refused: no request, no hello, no crash', async () => {
    const w = await World.create({ tls: true, sim: { wrongHost: true } });
    try {
      const bot = await w.start({ ready: false });
      const line = await bot.waitForLog(verifyFailure, 10000);
      assert.match(line, /auth\.test/, 'the failure is reported for the call that failed');
      await sleep(2500);
      assert.ok(bot.running(), 'still running');
      assert.deepEqual(w.sim.calls, [], 'no request got through, so no token');
      assert.deepEqual(w.sim.connectionLog, [], 'no Socket Mode connection');
      assert.ok(bot.lines.filter((l) => verifyFailure.test(l)).length >= 2, 'it keeps trying');
      assert.ok(!bot.lines.some((l) => /ready/.test(l)));
    } finally {
      await w.close();
    }
  });

  test('without SSL_CERT_FILE the simulator\'s CA is unknown: refused too', async () => {
    const w = await World.create({ tls: true });
    try {
      const bot = await w.start({ ready: false, env: { SSL_CERT_FILE: undefined } });
      await bot.waitForLog(verifyFailure, 10000);
      await sleep(1500);
      assert.ok(bot.running(), 'still running');
      assert.deepEqual(w.sim.calls, []);
      assert.deepEqual(w.sim.connectionLog, []);
    } finally {
      await w.close();
    }
  });

  test('without SSL_CERT_FILE the system store is read by subject hash: SSL_CERT_DIR with the CA in it works', async () => {
    const w = await World.create({ tls: true });
    // As update-ca-certificates leaves /etc/ssl/certs: each authority under its subject hash.
    const dir = mkdtempSync(join(tmpdir(), 'warroom-certs-'));
    const hash = execFileSync('openssl', ['x509', '-hash', '-noout', '-in', w.sim.caFile], { encoding: 'utf8' }).trim();
    symlinkSync(w.sim.caFile, join(dir, `${hash}.0`));
    try {
      const bot = await w.start({ env: { SSL_CERT_FILE: undefined, SSL_CERT_DIR: dir } });
      assert.ok(!bot.lines.some((l) => verifyFailure.test(l)));
      assert.ok(await w.sim.slashCommand({ text: 'help' }).ack);
    } finally {
      await w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the Socket Mode socket is verified too: a wss URL whose server has the wrong name is refused', async () => {
    const w = await World.create({ tls: true });
    // Same CA, certificate for wrong.invalid: apps.connections.open (from the good server) points there.
    const impostor = await startSimulator({ tls: true, wrongHost: true, certs: certFiles(dirname(w.sim.caFile)) });
    try {
      w.sim.afterCall('apps.connections.open', (call) => {
        call.response.url = impostor.socketMode.issueTicketUrl();
      });
      const bot = await w.start({ ready: false });
      const line = await bot.waitForLog(/socket mode connection \d+: .*(verify|certificate)/i, 10000);
      assert.match(line, verifyFailure);
      await sleep(1000);
      assert.ok(bot.running());
      assert.ok(w.calls('auth.test').length === 1 && w.calls('auth.test')[0].status === 200, 'the Web API was fine');
      assert.deepEqual(impostor.connectionLog, [], 'no websocket to the impostor');
      assert.deepEqual(impostor.rejectedUpgrades, [], 'not even an upgrade request');
      assert.deepEqual(impostor.calls, []);
      assert.ok(w.calls('apps.connections.open').length >= 2, 'it retries');
    } finally {
      await impostor.close();
      await w.close();
    }
  });

  test('with the right CA and host name the same setup works (the checks above are not vacuous)', async () => {
    const w = await World.create({ tls: true });
    try {
      const bot = await w.start();
      assert.ok(!bot.lines.some((l) => verifyFailure.test(l)));
      assert.equal(w.sim.connectionLog.length, 1);
      assert.ok(w.sim.apiUrl.startsWith('https://'));
      const a = await w.sim.slashCommand({ text: 'help' }).ack;
      assert.ok(a);
    } finally {
      await w.close();
    }
  });
});
