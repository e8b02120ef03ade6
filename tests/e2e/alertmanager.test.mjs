// The real Prometheus Alertmanager (Debian's prometheus-alertmanager) sending to `warroom run`:
// alerts posted to its API reach warroom through its webhook receiver with the bearer token. A
// critical alert becomes one incident (its repeats nothing new), a warning one triage post, and
// their resolution reaches both: the incident's room, the triage post edited in place and declined
// automatically (nobody answered it).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { World, messageText as text, freePort } from './harness.mjs';

const alertmanagerBinary = '/usr/bin/prometheus-alertmanager';
const token = 'alerts-token-for-alertmanager';

// Alertmanager with one route to warroom, grouping by alertname, sending at once and every second.
async function startAlertmanager(dir, warroomBase) {
  const port = await freePort();
  mkdirSync(join(dir, 'am'), { recursive: true });
  writeFileSync(join(dir, 'am', 'token'), token);
  writeFileSync(join(dir, 'am', 'alertmanager.yml'), `
route:
  receiver: warroom
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: warroom
    webhook_configs:
      - url: ${warroomBase}/webhooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            credentials_file: ${join(dir, 'am', 'token')}
`);
  const child = spawn(alertmanagerBinary, [
    `--config.file=${join(dir, 'am', 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'am', 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d.toString(); });
  const base = `http://127.0.0.1:${port}`;
  for (let k = 0; k < 100; ++k) {
    try {
      if ((await fetch(`${base}/-/ready`)).ok) break;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    base,
    log: () => log,
    async send(alerts) {
      const r = await fetch(`${base}/api/v2/alerts`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts),
      });
      assert.equal(r.status, 200, await r.text());
    },
    async stop() {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function alert(name, severity, { startsAt, endsAt } = {}) {
  return {
    labels: { alertname: name, severity, service: 'checkout' },
    annotations: { summary: `${name} on checkout` },
    startsAt,
    ...(endsAt ? { endsAt } : {}),
    generatorURL: 'http://prometheus:9090/graph',
  };
}

describe('the real Alertmanager', { timeout: 120000, skip: !existsSync(alertmanagerBinary) && 'prometheus-alertmanager is not installed' }, () => {
  test('critical → one incident, warning → one triage post; resolved reaches both', async () => {
    const w = await World.create();
    let am;
    try {
      const bot = await w.start({ env: { WARROOM_ALERTS_TOKEN: token } });
      am = await startAlertmanager(w.dir, await bot.httpBase());
      const startsAt = new Date(Date.now() - 60000).toISOString();
      await am.send([alert('CheckoutDown', 'critical', { startsAt }), alert('CheckoutSlow', 'warning', { startsAt })]);

      const room = await w.waitForRoom(1, 20000);
      assert.ok(room.messages.some((m) => /CheckoutDown on checkout/.test(text(m))));
      const channel = w.sim.channelByName('incidents');
      const triage = () => channel.messages.filter((m) => /Alert \(medium\): CheckoutSlow/.test(text(m)));
      await w.sim.waitFor(() => triage().length === 1, 20000, 'the triage post');

      // The same alerts again: Alertmanager knows them, and so does warroom.
      await am.send([alert('CheckoutDown', 'critical', { startsAt }), alert('CheckoutSlow', 'warning', { startsAt })]);
      const endsAt = new Date().toISOString();
      await am.send([alert('CheckoutDown', 'critical', { startsAt, endsAt }),
        alert('CheckoutSlow', 'warning', { startsAt, endsAt })]);
      await w.sim.waitFor(() => room.messages.some((m) => /Alert resolved \(alertmanager\): CheckoutDown/.test(text(m))),
        20000, 'the resolution in the war room');
      await w.sim.waitFor(() => /all resolved/.test(text(triage()[0] ?? {})), 20000, 'the triage post edited');
      assert.equal(triage().length, 1, 'one triage post');
      assert.ok(triage()[0].edited);
      assert.match(text(triage()[0]), /Declined.*automatically: all alerts resolved before anyone acted/s, 'auto-declined');
      assert.equal(w.rooms(1).length, 1);
      assert.equal(w.rooms(2).length, 0, 'one incident');
      assert.match(bot.log(), /alerts: alertmanager delivery of 1 alerts: recorded/);
    } finally {
      if (am) await am.stop();
      await w.close();
    }
  });
});
