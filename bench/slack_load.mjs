// Slack load benchmark: N `/incident declare` slash commands injected into the Slack simulator, at a fixed
// rate and then all at once, handled by `warroom run` and, in the same run, by an idiomatic Bolt for
// JavaScript app doing the same declare (bench/bolt_app.mjs). Each (phase, bot) gets a fresh simulator,
// bot process and store. Measured from the simulator's records and the bot's /proc entries:
//   ack latency        envelope sent → ack received (the simulator's `latencyMs`), p50/p99/max
//   declare→room post  injection → first chat.postMessage into that incident's war room answered
//   complete           injection → the last of: room created, declarer invited, topic, declaration posted
//                      and pinned, runbook, checklist, announcement in #incidents
//   throughput         incidents completed per second, first injection → last completion
//   RSS                idle (connected, 1 s before load), peak (VmRSS every 50 ms), VmHWM at the end
//   CPU per incident   (utime+stime) delta of the bot process over the phase / N
// Checks (exit 1 when one fails): every ack arrived in time, ephemeral, naming the incident; every
// incident got exactly one war room with the declarer, the topic, exactly four posts (declaration,
// runbook, checklist, escalation) and one pin, and exactly one announcement linking it; no 429s.
//
//   node bench/slack_load.mjs --binary build-release/bot/warroom --count 200 --rate 20 --json out.json
// Options: --count N (200), --rate R (20, declares/s of the fixed-rate phase), --scale S (100: the
// simulator's rate limits and warroom's slack.rate_limit_scale), --phases fixed,max, --bots warroom,bolt,
// --json FILE, --keep (keep temp dirs and logs). Needs tests/slack_sim/node_modules (npm ci there).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync, existsSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../tests/slack_sim/simulator.mjs';
import { statusKb, cpuSeconds, runQueueSeconds, machine, pct, fsyncProbe } from './measure.mjs';

const repo = new URL('..', import.meta.url).pathname;
const { values: opts } = parseArgs({
  options: {
    binary: { type: 'string', default: join(repo, 'build-release/bot/warroom') },
    count: { type: 'string', default: '200' },
    rate: { type: 'string', default: '20' },
    scale: { type: 'string', default: '100' },
    phases: { type: 'string', default: 'fixed,max' },
    bots: { type: 'string', default: 'warroom,bolt' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(opts.count);
const RATE = Number(opts.rate);
const SCALE = Number(opts.scale);
const binary = resolve(opts.binary);
const phases = opts.phases.split(',');
const bots = opts.bots.split(',');
if (!(N > 0) || !(RATE > 0) || !(SCALE > 0)) throw new Error('--count, --rate and --scale must be positive');
if (bots.includes('warroom') && !existsSync(binary)) throw new Error(`no warroom binary at ${binary} (--binary)`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const summary = (v) => ({ p50: pct(v, 50), p99: pct(v, 99), max: Math.max(...v) });

// --- bots -------------------------------------------------------------------------------------------------

function startBot(kind, sim, dir) {
  const logFile = join(dir, `${kind}.log`);
  const log = openSync(logFile, 'w');
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME ?? dir,
    SLACK_APP_TOKEN: sim.appToken, SLACK_BOT_TOKEN: sim.botToken, SLACK_API_URL: sim.apiUrl,
  };
  let child;
  if (kind === 'warroom') {
    const config = join(dir, 'warroom.toml');
    writeFileSync(config, `[slack]\nrate_limit_scale = ${SCALE}\n`);
    env.WARROOM_CONFIG = config;
    env.WARROOM_STORE_URL = `sqlite://${join(dir, 'warroom.db')}`;
    child = spawn(binary, ['run'], { env, stdio: ['ignore', log, log] });
  } else {
    child = spawn(process.execPath, [join(repo, 'bench/bolt_app.mjs')], { env, stdio: ['ignore', log, log] });
  }
  closeSync(log);
  children.add(child);
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { kind, child, pid: child.pid, logFile, exited };
}

async function stopBot(bot, sim) {
  if (bot.child.exitCode === null && bot.child.signalCode === null) {
    bot.child.kill('SIGTERM');
    const timer = setTimeout(() => bot.child.kill('SIGKILL'), 10_000);
    await bot.exited;
    clearTimeout(timer);
  }
  children.delete(bot.child);
  await sim.waitFor(() => sim.connections().length === 0, 5000, 'bot socket closed').catch(() => {});
}

const logTail = (bot, lines = 20) => readFileSync(bot.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');

// --- one (phase, bot) run ---------------------------------------------------------------------------------

const titleOf = (k) => `Load test ${k}`;
const roomPattern = /^inc-(\d+)-load-test-(\d+)$/;

async function runOne(kind, phase) {
  const dir = mkdtempSync(join(tmpdir(), `warroom-bench-${kind}-${phase}-`));
  const fsyncMs = fsyncProbe(dir);
  const sim = await startSimulator({ rateLimits: { scale: SCALE } });
  // Completion time of every Web API call, and running counts of what the load produced.
  const counts = { announcements: 0, roomPosts: 0, pins: 0, limited: 0 };
  const roomsById = new Map(); // channel id -> k
  const incidents = sim.channelByName('incidents').id;
  sim.afterCall('*', (call) => {
    call.doneAt = Date.now();
    if (call.status === 429) counts.limited += 1;
    const r = call.response;
    if (!r || r === 'html' || r.ok !== true) return;
    if (call.method === 'conversations.create') {
      const m = roomPattern.exec(r.channel.name);
      if (m) roomsById.set(r.channel.id, Number(m[2]));
    } else if (call.method === 'chat.postMessage') {
      if (r.channel === incidents) counts.announcements += 1;
      else if (roomsById.has(r.channel)) counts.roomPosts += 1;
    } else if (call.method === 'pins.add') counts.pins += 1;
  });

  const bot = startBot(kind, sim, dir);
  const failures = [];
  let result;
  try {
    await Promise.race([
      sim.waitFor(() => sim.connections().length >= 1, 30_000, `${kind} connected`),
      bot.exited.then((e) => { throw new Error(`${kind} exited before connecting: ${JSON.stringify(e)}`); }),
    ]);
    await sleep(1000);
    const idleRssKb = statusKb(bot.pid, 'VmRSS');
    let peakRssKb = idleRssKb;
    const sampler = setInterval(() => {
      try { peakRssKb = Math.max(peakRssKb, statusKb(bot.pid, 'VmRSS')); } catch { /* exited */ }
    }, 50);

    const cpu0 = cpuSeconds(bot.pid);
    const self0 = process.cpuUsage();
    const wait0 = runQueueSeconds(bot.pid);
    const injected = new Array(N + 1);
    const acks = new Array(N + 1);
    const t0 = Date.now();
    for (let k = 1; k <= N; k++) {
      if (phase === 'fixed') {
        const due = t0 + ((k - 1) * 1000) / RATE;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      injected[k] = Date.now();
      const text = `declare P1 type:outage ${titleOf(k)}`;
      acks[k] = sim.slashCommand({ user: 'U111', channel: 'incidents', text }).ack;
    }
    const lastInjection = Date.now();
    const ackRecords = await Promise.all(acks.slice(1));
    const settleMs = 60_000 + (phase === 'fixed' ? N / RATE : 0) * 1000;
    try {
      await Promise.race([
        sim.waitFor(() => counts.announcements >= N && counts.pins >= N && counts.roomPosts >= 4 * N, settleMs,
          'every incident posted'),
        bot.exited.then((e) => { throw new Error(`${kind} exited under load: ${JSON.stringify(e)}`); }),
      ]);
    } catch (err) {
      failures.push(err.message);
    }
    const cpu1 = cpuSeconds(bot.pid);
    const self1 = process.cpuUsage(self0);
    const wait1 = runQueueSeconds(bot.pid);
    const hwmKb = statusKb(bot.pid, 'VmHWM');
    try { peakRssKb = Math.max(peakRssKb, statusKb(bot.pid, 'VmRSS')); } catch { /* */ }
    clearInterval(sampler);
    await sleep(300); // anything extra (duplicates) would land now
    result = analyse({ kind, phase, sim, injected, ackRecords, failures, t0, lastInjection, counts });
    Object.assign(result, {
      idleRssMb: idleRssKb / 1024, peakRssMb: peakRssKb / 1024, hwmMb: hwmKb / 1024,
      cpuSeconds: cpu1 - cpu0, cpuMsPerIncident: ((cpu1 - cpu0) / N) * 1000,
      driverCpuSeconds: (self1.user + self1.system) / 1e6, fsyncMs,
      runQueueSeconds: wait1 - wait0,
    });
    const log = readFileSync(bot.logFile, 'utf8');
    const warning = / (warn|error|critical) |\[ERROR\]|\[WARN\]|bolt error/i;
    result.logWarnings = log.split('\n').filter((l) => warning.test(l)).length;
  } catch (err) {
    failures.push(err.message);
    result = { kind, phase, failures };
  } finally {
    await stopBot(bot, sim);
    await sim.close();
  }
  if (result.failures.length > 0) {
    console.error(`--- ${kind} ${phase}: ${result.failures.length} failure(s); last log lines (${bot.logFile}):`);
    console.error(logTail(bot));
  }
  if (!opts.keep && result.failures.length === 0) rmSync(dir, { recursive: true, force: true });
  else result.dir = dir;
  return result;
}

function analyse({ kind, phase, sim, injected, ackRecords, failures, t0, lastInjection, counts }) {
  const fail = (msg) => { if (failures.length < 40) failures.push(msg); };
  // Acks.
  const ackLatency = [];
  ackRecords.forEach((a, i) => {
    const k = i + 1;
    if (!a) return fail(`declare ${k}: no ack within the deadline`);
    ackLatency.push(a.latencyMs);
    if (a.payload?.response_type !== 'ephemeral' || !/Declared INC-\d+/.test(a.payload?.text ?? '')) {
      fail(`declare ${k}: ack payload ${JSON.stringify(a.payload).slice(0, 200)}`);
    }
  });
  if (sim.timeouts.length > 0) fail(`${sim.timeouts.length} envelope(s) timed out`);
  if (sim.garbage.length > 0) fail(`${sim.garbage.length} garbage frame(s): ${sim.garbage[0].reason}`);
  if (counts.limited > 0) fail(`${counts.limited} call(s) answered 429`);

  // War rooms: exactly one per declare, numbers 1..N.
  const ok = (c) => c.status === 200 && c.response?.ok === true;
  const creates = sim.calls.filter((c) => c.method === 'conversations.create' && ok(c));
  const roomOf = new Map(); // k -> {id, n, createdAt}
  const numbers = new Set();
  for (const c of creates) {
    const m = roomPattern.exec(c.response.channel.name);
    if (!m) { fail(`unexpected channel ${c.response.channel.name}`); continue; }
    const k = Number(m[2]);
    if (roomOf.has(k)) fail(`declare ${k}: a second war room ${c.response.channel.name}`);
    else roomOf.set(k, { id: c.response.channel.id, n: Number(m[1]), createdAt: c.doneAt });
    numbers.add(Number(m[1]));
  }
  if (numbers.size !== N || Math.max(...numbers) !== N) {
    fail(`incident numbers: ${numbers.size} distinct, max ${Math.max(...numbers)}`);
  }

  const byChannel = new Map(); // channel id -> successful calls naming it
  for (const c of sim.calls) {
    if (!ok(c)) continue;
    const ch = c.method === 'chat.postMessage' ? c.response.channel : c.args.channel;
    if (!byChannel.has(ch)) byChannel.set(ch, []);
    byChannel.get(ch).push(c);
  }
  const incidents = sim.channelByName('incidents');
  const announcements = new Map(); // room id -> [calls]
  for (const c of byChannel.get(incidents.id) ?? []) {
    if (c.method !== 'chat.postMessage') continue;
    const m = /<#(C[A-Z0-9]+)>/.exec(JSON.stringify(c.args.blocks ?? ''));
    if (!m) { fail(`announcement without a room link: ${c.args.text}`); continue; }
    if (!announcements.has(m[1])) announcements.set(m[1], []);
    announcements.get(m[1]).push(c);
  }

  const firstPost = [];
  const complete = [];
  const escalation = [];
  let lastDone = t0;
  for (let k = 1; k <= N; k++) {
    const room = roomOf.get(k);
    if (!room) { fail(`declare ${k}: no war room`); continue; }
    const channel = sim.channels.get(room.id);
    const calls = byChannel.get(room.id) ?? [];
    const posts = calls.filter((c) => c.method === 'chat.postMessage').sort((a, b) => a.doneAt - b.doneAt);
    const one = (method) => calls.filter((c) => c.method === method);
    if (!channel.members.has('U111')) fail(`declare ${k}: declarer not in #${channel.name}`);
    if (!/P1 · Investigating/.test(channel.topic?.value ?? '')) fail(`declare ${k}: topic "${channel.topic?.value}"`);
    if (channel.messages.length !== 4 || posts.length !== 4) {
      fail(`declare ${k}: ${channel.messages.length} posts in the room`);
    }
    if (channel.pins.size !== 1 || one('pins.add').length !== 1) fail(`declare ${k}: ${channel.pins.size} pins`);
    const pinned = channel.messages.find((m) => channel.pins.has(m.ts));
    if (!pinned?.text.includes(`Load test ${k} (INC-${room.n})`)) fail(`declare ${k}: pinned "${pinned?.text}"`);
    const ann = announcements.get(room.id) ?? [];
    if (ann.length !== 1) { fail(`declare ${k}: ${ann.length} announcements`); continue; }
    const runbook = posts.find((c) => /Runbook/.test(c.args.text));
    const checklist = posts.find((c) => /checklist/.test(c.args.text));
    const esc = posts.find((c) => /Escalation/.test(c.args.text));
    const decl = posts.find((c) => /INCIDENT/.test(c.args.text));
    if (!runbook || !checklist || !esc || !decl) { fail(`declare ${k}: missing a room post`); continue; }
    firstPost.push(posts[0].doneAt - injected[k]);
    const done = Math.max(room.createdAt, ...one('conversations.invite').map((c) => c.doneAt),
      ...one('conversations.setTopic').map((c) => c.doneAt), ...one('pins.add').map((c) => c.doneAt),
      decl.doneAt, runbook.doneAt, checklist.doneAt, ann[0].doneAt);
    complete.push(done - injected[k]);
    escalation.push(esc.doneAt - injected[k]);
    lastDone = Math.max(lastDone, done);
  }
  return {
    kind, phase, count: N, rate: phase === 'fixed' ? RATE : null, failures,
    injectSeconds: (lastInjection - t0) / 1000,
    acked: ackLatency.length, ack: summary(ackLatency), firstPost: summary(firstPost), complete: summary(complete),
    escalation: summary(escalation), completed: complete.length,
    seconds: (lastDone - t0) / 1000, throughput: complete.length / ((lastDone - t0) / 1000),
    apiCalls: sim.calls.length,
  };
}

// --- report -----------------------------------------------------------------------------------------------

const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const ratio = (b, w) => (Number.isFinite(b) && Number.isFinite(w) && w !== 0 ? `${(b / w).toFixed(2)}×` : '—');

function table(phase, w, b) {
  const rows = [
    ["acks within Slack's 3 s deadline", (r) => r.acked, 0],
    ['incidents fully posted', (r) => r.completed, 0],
    ['ack latency p50 (ms)', (r) => r.ack?.p50, 0],
    ['ack latency p99 (ms)', (r) => r.ack?.p99, 0],
    ['ack latency max (ms)', (r) => r.ack?.max, 0],
    ['declare → war-room post p50 (ms)', (r) => r.firstPost?.p50, 0],
    ['declare → war-room post p99 (ms)', (r) => r.firstPost?.p99, 0],
    ['declare → war-room post max (ms)', (r) => r.firstPost?.max, 0],
    ['declare → all posted p50 (ms)', (r) => r.complete?.p50, 0],
    ['declare → all posted p99 (ms)', (r) => r.complete?.p99, 0],
    ['declare → escalation post p50 (ms)', (r) => r.escalation?.p50, 0],
    ['throughput (incidents/s)', (r) => r.throughput, 1],
    ['phase duration (s)', (r) => r.seconds, 2],
    ['idle RSS (MiB)', (r) => r.idleRssMb, 1],
    ['peak RSS, 50 ms samples (MiB)', (r) => r.peakRssMb, 1],
    ['VmHWM at end (MiB)', (r) => r.hwmMb, 1],
    ['CPU per incident (ms)', (r) => r.cpuMsPerIncident, 2],
    ['CPU total over the phase (s)', (r) => r.cpuSeconds, 2],
    ['waiting for a CPU over the phase (s)', (r) => r.runQueueSeconds, 2],
    ['simulator + driver CPU over the phase (s)', (r) => r.driverCpuSeconds, 2],
    ['disk: 4 KiB append + fdatasync before the phase (ms, p50)', (r) => r.fsyncMs, 2],
  ];
  const title = phase === 'fixed' ? `fixed rate: ${N} declares at ${RATE}/s` : `max rate: ${N} declares at once`;
  const lines = [`### ${title}`, '', '| metric | warroom | Bolt JS | Bolt / warroom |', '|---|---:|---:|---:|'];
  for (const [name, get, d] of rows) {
    const wv = w ? get(w) : NaN;
    const bv = b ? get(b) : NaN;
    lines.push(`| ${name} | ${f(wv, d)} | ${f(bv, d)} | ${ratio(bv, wv)} |`);
  }
  const busy = [w, b].filter((r) => r && (r.fsyncMs > 1 || r.loadavg1AtStart > 1.5));
  if (busy.length > 0) {
    lines.push('', `Contended: ${busy.map((r) => `${r.kind} (load ${r.loadavg1AtStart} at the start, fdatasync `
      + `${f(r.fsyncMs, 2)} ms)`).join(', ')}: other processes share the machine; compare quiet runs only.`);
  }
  return lines.join('\n');
}

const m = machine();
console.error(`machine: ${m.nproc} cores, ${m.cpu}, kernel ${m.kernel}, node ${m.node}, load ${m.loadavg.join(' ')}`);
const results = [];
for (const phase of phases) {
  for (const kind of bots) {
    console.error(`running ${kind}, ${phase} (${N} declares${phase === 'fixed' ? ` at ${RATE}/s` : ''}; `
      + `load ${loadavg()[0].toFixed(2)})…`);
    const load = loadavg()[0];
    const r = await runOne(kind, phase);
    r.loadavg1AtStart = Number(load.toFixed(2));
    results.push(r);
    console.error(`  ${r.failures.length === 0 ? 'ok' : `FAILED: ${r.failures.slice(0, 5).join('; ')}`}`
      + (r.throughput
        ? ` — ${f(r.throughput)} incidents/s, ack p99 ${r.ack.p99} ms, CPU ${f(r.cpuMsPerIncident, 2)} ms/incident`
        : ''));
  }
}

const out = [
  `## Slack load: warroom vs Bolt for JavaScript`,
  '',
  `Machine: ${m.nproc} cores (${m.cpu}), kernel ${m.kernel}, Node ${m.node}; load average at start `
    + `${m.loadavg.join(' ')}; store on ${m.storeFs || tmpdir()}. Simulator rate limits ×${SCALE} `
    + `(warroom's rate_limit_scale the same), plain sockets.`,
  '',
];
for (const phase of phases) {
  out.push(table(phase, results.find((r) => r.phase === phase && r.kind === 'warroom'),
    results.find((r) => r.phase === phase && r.kind === 'bolt')), '');
}
out.push(`Ratios are Bolt / warroom: above 1× means warroom is lower (latency, memory, CPU) or Bolt is higher `
  + `(throughput). Latency percentiles are over the acks that arrived and the incidents that completed (of ${N}).`);
console.log(out.join('\n'));

const failed = results.filter((r) => r.failures.length > 0);
if (opts.json) {
  const params = { count: N, rate: RATE, scale: SCALE, binary };
  writeFileSync(opts.json, `${JSON.stringify({ machine: m, params, results }, null, 2)}\n`);
}
if (failed.length > 0) {
  for (const r of failed) {
    console.error(`FAILED ${r.kind} ${r.phase}:\n  ${r.failures.slice(0, 10).join('\n  ')}`
      + (r.failures.length > 10 ? `\n  … ${r.failures.length - 10} more (up to 40 kept in --json)` : ''));
  }
  process.exit(1);
}
