// Alert storm benchmark: does an Alertmanager storm delay Slack acks? Two phases, each with a fresh
// simulator, `warroom run` and store: `quiet` sends only a steady stream of `/incident declare P3`
// slash commands for --seconds; `storm` sends the same commands while --alerts distinct alerts in
// --groups groups start firing evenly over the same --seconds and reach /webhooks/alertmanager as
// Alertmanager sends them: each group flushed every --interval seconds (the groups staggered) when it
// has new alerts, every flush carrying all of the group's alerts so far, and sent by --peers HA peers
// (each peer after the first 200 ms later: the duplicates a slow gossip lets through). Half the groups
// are `warning` (medium), half `high`: each must become exactly one triage post, edited in place.
// Reported per phase: slash-command ack latency p50/p99/max (the simulator's envelope → ack), the
// alert deliveries' answers by status and their latency, triage posts created and edited, Slack 429s,
// warroom's CPU. Exit 1 when a check fails: an ack missing or late, a triage count other than
// --groups, an alert delivery answered other than 200 (a 429 or 5xx).
//
//   node bench/alert_storm.mjs --binary build-release/bot/warroom
// Options: --alerts N (10000), --groups G (50), --seconds S (60), --interval I (5), --peers P (2),
// --commands R (2 declares a second), --scale X (100: the simulator's rate limits and warroom's
// slack.rate_limit_scale), --alert-channel NAME (triage posts there, not in #incidents),
// --phases quiet,storm, --short (1000 alerts in 10 s), --json FILE, --keep. Needs tests/slack_sim/node_modules (npm ci there).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../tests/slack_sim/simulator.mjs';
import { cpuSeconds, machine, pct } from './measure.mjs';

const repo = new URL('..', import.meta.url).pathname;
const { values: opts } = parseArgs({
  options: {
    binary: { type: 'string', default: join(repo, 'build-release/bot/warroom') },
    alerts: { type: 'string' },
    groups: { type: 'string', default: '50' },
    seconds: { type: 'string' },
    interval: { type: 'string', default: '5' },
    peers: { type: 'string', default: '2' },
    commands: { type: 'string', default: '2' },
    scale: { type: 'string', default: '100' },
    'alert-channel': { type: 'string' },
    phases: { type: 'string', default: 'quiet,storm' },
    short: { type: 'boolean', default: false },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const ALERTS = Number(opts.alerts ?? (opts.short ? 1000 : 10000));
const GROUPS = Number(opts.groups);
const SECONDS = Number(opts.seconds ?? (opts.short ? 10 : 60));
const INTERVAL = Number(opts.interval);
const PEERS = Number(opts.peers);
const COMMANDS = Number(opts.commands);
const SCALE = Number(opts.scale);
const phases = opts.phases.split(',');
const binary = resolve(opts.binary);
for (const [name, v] of Object.entries({ ALERTS, GROUPS, SECONDS, INTERVAL, PEERS, COMMANDS, SCALE })) {
  if (!(v > 0)) throw new Error(`--${name.toLowerCase()} must be positive`);
}
for (const p of phases) if (!['quiet', 'storm'].includes(p)) throw new Error(`unknown phase ${p}`);
if (!existsSync(binary)) throw new Error(`no warroom binary at ${binary} (--binary)`);

const token = 'bench-alerts-token-0123456789';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const summary = (v) => (v.length === 0 ? null : { p50: pct(v, 50), p99: pct(v, 99), max: Math.max(...v) });
const children = new Set();
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

// Alert k (0-based) belongs to group k % GROUPS and starts firing at k * SECONDS / ALERTS seconds.
const groupOf = (k) => k % GROUPS;
const startOf = (k) => (k * SECONDS * 1000) / ALERTS;
const severityOf = (g) => (g % 2 === 0 ? 'warning' : 'high');

function alertOf(k, t0) {
  const g = groupOf(k);
  return {
    status: 'firing',
    labels: { alertname: `StormAlert${g}`, severity: severityOf(g), instance: `host-${k}`, job: 'bench' },
    annotations: { summary: `Storm group ${g} is firing`, description: `alert ${k} of the storm` },
    startsAt: new Date(t0 + startOf(k)).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: `http://prometheus:9090/graph?g0.expr=storm_${g}`,
    fingerprint: `storm-${k.toString(16).padStart(8, '0')}`,
  };
}

// Alertmanager's webhook payload (version 4) for group g holding `alerts`.
function payloadOf(g, alerts) {
  const groupLabels = { alertname: `StormAlert${g}` };
  return JSON.stringify({
    version: '4', groupKey: `{}/{severity=~".+"}:{alertname="StormAlert${g}"}`, truncatedAlerts: 0,
    status: 'firing', receiver: 'warroom', groupLabels,
    commonLabels: { ...groupLabels, severity: severityOf(g), job: 'bench' },
    commonAnnotations: { summary: `Storm group ${g} is firing` }, externalURL: 'http://alertmanager:9093', alerts,
  });
}

// Sends the storm; resolves with each delivery's status and latency once all are answered.
async function storm(base, t0) {
  const deliveries = [];
  const pending = [];
  const send = (body) => {
    const at = Date.now();
    const answered = fetch(`${base}/webhooks/alertmanager`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body,
    }).then(async (r) => { await r.arrayBuffer(); return r.status; }, () => 0)
      .then((status) => deliveries.push({ status, ms: Date.now() - at, bytes: body.length }));
    pending.push(answered);
  };
  const flushes = [];
  for (let g = 0; g < GROUPS; g++) {
    // Groups are flushed on timers of their own, staggered over the interval, as Alertmanager's are.
    for (let at = (g * INTERVAL * 1000) / GROUPS; at < SECONDS * 1000 + INTERVAL * 1000; at += INTERVAL * 1000) {
      flushes.push({ g, at });
    }
  }
  flushes.sort((a, b) => a.at - b.at);
  const sentUpTo = new Array(GROUPS).fill(0); // alerts of each group already sent
  let alertEntries = 0;
  for (const { g, at } of flushes) {
    if (t0 + at > Date.now()) await sleep(t0 + at - Date.now());
    const firing = [];
    for (let k = g; k < ALERTS && startOf(k) <= at; k += GROUPS) firing.push(k);
    if (firing.length === sentUpTo[g]) continue; // nothing new: Alertmanager sends nothing
    sentUpTo[g] = firing.length;
    const body = payloadOf(g, firing.map((k) => alertOf(k, t0)));
    alertEntries += firing.length * PEERS;
    send(body);
    for (let p = 1; p < PEERS; p++) setTimeout(() => send(body), 200 * p);
  }
  await sleep(200 * PEERS);
  await Promise.all(pending);
  return { deliveries, alertEntries };
}

async function runPhase(phase) {
  const dir = mkdtempSync(join(tmpdir(), `warroom-storm-${phase}-`));
  const sim = await startSimulator({ rateLimits: { scale: SCALE } });
  const alertChannel = opts['alert-channel'];
  if (alertChannel) sim.addChannel({ name: alertChannel });
  const triageChannel = sim.channelByName(alertChannel ?? 'incidents').id;
  const counts = { limited: 0, triagePosts: 0, triageEdits: 0, serverErrors: 0 };
  const triageByGroup = new Map();
  sim.afterCall('*', (call) => {
    if (call.status === 429) counts.limited += 1;
    if (call.status >= 500) counts.serverErrors += 1;
    const r = call.response;
    if (!r || r === 'html' || r.ok !== true || r.channel !== triageChannel) return;
    const text = `${call.args?.text ?? ''} ${JSON.stringify(call.args?.blocks ?? '')}`;
    const m = /Alert \((?:medium|high)\): Storm group (\d+)/.exec(text);
    if (!m) return;
    if (call.method === 'chat.postMessage') {
      counts.triagePosts += 1;
      triageByGroup.set(Number(m[1]), (triageByGroup.get(Number(m[1])) ?? 0) + 1);
    } else if (call.method === 'chat.update') counts.triageEdits += 1;
  });
  const config = join(dir, 'warroom.toml');
  writeFileSync(config, `[slack]\nrate_limit_scale = ${SCALE}\n[limits]\ndeclares_per_minute = 0\n`
    + 'commands_per_minute = 0\n[http]\nlisten = "127.0.0.1:0"\n'
    + (alertChannel ? `[alerts]\nchannel = "#${alertChannel}"\n` : ''));
  const logFile = join(dir, 'warroom.log');
  const log = openSync(logFile, 'w');
  const child = spawn(binary, ['run'], {
    env: {
      PATH: process.env.PATH, SLACK_APP_TOKEN: sim.appToken, SLACK_BOT_TOKEN: sim.botToken, SLACK_API_URL: sim.apiUrl,
      WARROOM_CONFIG: config, WARROOM_STORE_URL: `sqlite://${join(dir, 'warroom.db')}`, WARROOM_ALERTS_TOKEN: token,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  children.add(child);
  const failures = [];
  const fail = (msg) => { if (failures.length < 40) failures.push(msg); };
  let result;
  try {
    await sim.waitFor(() => sim.connections().length >= 1, 30_000, 'warroom connected');
    const listening = await sim.waitFor(() => /http: listening on (\S+)/.exec(readFileSync(logFile, 'utf8')), 10_000,
      'the HTTP listener');
    const base = `http://${listening[1]}`;
    await sleep(1000);
    const cpu0 = cpuSeconds(child.pid);
    const t0 = Date.now();
    const stormDone = phase === 'storm' ? storm(base, t0) : Promise.resolve(null);
    const acks = [];
    const total = Math.round(SECONDS * COMMANDS);
    for (let k = 1; k <= total; k++) {
      const due = t0 + ((k - 1) * 1000) / COMMANDS;
      if (due > Date.now()) await sleep(due - Date.now());
      acks.push(sim.slashCommand({ user: 'U111', channel: 'incidents', text: `declare P3 type:performance Side load ${k}` }).ack);
    }
    const ackRecords = await Promise.all(acks);
    const sent = await stormDone;
    const seconds = (Date.now() - t0) / 1000;
    const cpu = cpuSeconds(child.pid) - cpu0;
    if (phase === 'storm') {
      await sim.waitFor(() => triageByGroup.size >= GROUPS, 30_000, 'a triage post per group').catch((e) => fail(e.message));
    }
    await sleep(1000); // anything extra (a second post of a group) would land now
    const latency = [];
    ackRecords.forEach((a, i) => {
      if (!a) return fail(`command ${i + 1}: no ack`);
      latency.push(a.latencyMs);
      if (a.latencyMs > 3000) fail(`command ${i + 1}: acked after ${a.latencyMs} ms`);
    });
    if (sim.timeouts.length > 0) fail(`${sim.timeouts.length} envelope(s) timed out`);
    const byStatus = {};
    for (const d of sent?.deliveries ?? []) byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
    if (sent) {
      if (counts.triagePosts !== GROUPS) fail(`${counts.triagePosts} triage posts for ${GROUPS} groups`);
      for (const [g, n] of triageByGroup) if (n > 1) fail(`group ${g}: ${n} triage posts`);
      const refused = sent.deliveries.filter((d) => d.status !== 200).length;
      if (refused > 0) fail(`${refused} alert deliveries not answered 200: ${JSON.stringify(byStatus)}`);
    }
    result = {
      phase, seconds, commands: total, ack: summary(latency), cpuSeconds: cpu, cpuPercent: (cpu / seconds) * 100,
      slack429: counts.limited, slack5xx: counts.serverErrors, triagePosts: counts.triagePosts,
      triageEdits: counts.triageEdits,
      deliveries: sent?.deliveries.length ?? 0, deliveriesByStatus: byStatus, alertEntries: sent?.alertEntries ?? 0,
      deliveryMs: summary((sent?.deliveries ?? []).map((d) => d.ms)),
      largestDeliveryKb: Math.max(0, ...(sent?.deliveries ?? []).map((d) => d.bytes)) / 1024,
      failures,
    };
  } catch (err) {
    fail(err.message);
    result = { phase, failures };
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
    children.delete(child);
    await sim.close();
  }
  if (failures.length > 0 || opts.keep) {
    result.dir = dir;
    console.error(`--- ${phase}: ${failures.length} failure(s); log in ${logFile}`);
  } else {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const m = machine();
console.error(`machine: ${m.nproc} cores, ${m.cpu}, load ${m.loadavg.join(' ')}`);
const results = [];
for (const phase of phases) {
  const load = loadavg()[0];
  console.error(`running ${phase} (load ${load.toFixed(2)})…`);
  const r = await runPhase(phase);
  r.loadavg1AtStart = Number(load.toFixed(2));
  results.push(r);
  console.error(`  ${r.failures.length === 0 ? 'ok' : `FAILED: ${r.failures.slice(0, 5).join('; ')}`}`);
}
const of = (phase) => results.find((r) => r.phase === phase) ?? {};
const rows = [
  ['slash-command ack p50 (ms)', (r) => f(r.ack?.p50)],
  ['slash-command ack p99 (ms)', (r) => f(r.ack?.p99)],
  ['slash-command ack max (ms)', (r) => f(r.ack?.max)],
  ['alert deliveries sent (answers by status)', (r) => (r.deliveries ? `${r.deliveries} (${Object.entries(r.deliveriesByStatus).map(([s, n]) => `${n}× ${s}`).join(', ')})` : '–')],
  ['alerts in them (with repeats and HA duplicates)', (r) => (r.alertEntries ? String(r.alertEntries) : '–')],
  ['largest delivery (KiB)', (r) => (r.deliveries ? f(r.largestDeliveryKb) : '–')],
  ['alert delivery answered p50 / p99 (ms)', (r) => (r.deliveryMs ? `${r.deliveryMs.p50} / ${r.deliveryMs.p99}` : '–')],
  ['triage posts created / edits', (r) => `${r.triagePosts ?? '–'} / ${r.triageEdits ?? '–'}`],
  ['Slack 429s / 5xx', (r) => `${r.slack429 ?? '–'} / ${r.slack5xx ?? '–'}`],
  ['warroom CPU over the phase (s, % of one core)', (r) => (r.cpuSeconds === undefined ? '–' : `${f(r.cpuSeconds, 2)} (${f(r.cpuPercent, 1)} %)`)],
  ['load average at start', (r) => f(r.loadavg1AtStart, 2)],
];
const out = [
  '## Alert storm: slash-command acks with and without it',
  '',
  `Machine: ${m.nproc} cores (${m.cpu}), kernel ${m.kernel}, Node ${m.node}; load average at start `
    + `${m.loadavg.join(' ')}. ${COMMANDS} \`/incident declare P3\` a second for ${SECONDS} s in both phases; the storm: `
    + `${ALERTS} alerts in ${GROUPS} groups starting over ${SECONDS} s, flushed every ${INTERVAL} s per group, `
    + `${PEERS} HA peers. Simulator rate limits ×${SCALE}.`,
  '',
  `| | ${phases.join(' | ')} |`,
  `|---|${phases.map(() => '---:').join('|')}|`,
  ...rows.map(([name, get]) => `| ${name} | ${phases.map((p) => get(of(p))).join(' | ')} |`),
];
console.log(out.join('\n'));
if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ machine: m, results }, null, 2)}\n`);
if (results.some((r) => r.failures.length > 0)) process.exit(1);
