// Slack load benchmark: N `/incident declare` slash commands injected into the Slack simulator, handled by
// `warroom run` and, in the same run, by an idiomatic Bolt for JavaScript app doing the same declare
// (bench/bolt_app.mjs). Phases: fixed (N at --rate/s), max (all N at once), window (--window W kept in
// flight: the next injected as soon as one is acked) and history (fixed again, warroom only, into a store
// seeded with --history CLOSED,OPEN incidents, compared with fixed's empty store). Each (phase, bot) gets a
// fresh simulator, bot process and store; --runs R repeats every pair R times, the bots alternating, and
// reports medians. Measured from the simulator's records and the bot's /proc entries:
//   ack latency        envelope sent → ack received (the simulator's `latencyMs`), p50/p99/max
//   ack rate           acks within Slack's 3 s deadline / (first injection → last ack)
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
// Options: --count N (200), --rate R (20, declares/s of the fixed and history phases), --window W (64,
// declares in flight in the window phase), --runs R (1), --history CLOSED,OPEN (adds the history phase),
// --scale S (100: the simulator's rate limits and warroom's slack.rate_limit_scale), --phases fixed,max
// (of fixed, max, window, history), --bots warroom,bolt, --seeder (build-release/bench/seed_incidents),
// --json FILE, --keep (keep temp dirs and logs), --postgres URL (warroom's store: a fresh database on that
// server per run, made with psql; not with --history), --replicas K (1: K warroom processes on the one
// store, each with its own Socket Mode connection; CPU is their sum, RSS the first one's), --latency MS (0:
// how long the simulator takes to answer each Web API call; Slack's own take about 100), --kill-one-at S
// (with --replicas 2 or more, the fixed phase: the last replica is SIGKILLed S seconds into the load; the
// declares it was handed and had not acknowledged go unanswered, as Slack does not resend a slash command,
// and every acknowledged one must still get its one war room and posts, each once). Needs
// tests/slack_sim/node_modules (npm ci there).
import { spawn, execFile, execFileSync } from 'node:child_process';
import {
  mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync, existsSync, copyFileSync, statSync,
} from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startSimulator } from '../tests/slack_sim/simulator.mjs';
import { statusKb, cpuSeconds, runQueueSeconds, machine, pct, fsyncProbe } from './measure.mjs';

const repo = new URL('..', import.meta.url).pathname;
const { values: opts } = parseArgs({
  options: {
    binary: { type: 'string', default: join(repo, 'build-release/bot/warroom') },
    count: { type: 'string', default: '200' },
    rate: { type: 'string', default: '20' },
    window: { type: 'string', default: '64' },
    runs: { type: 'string', default: '1' },
    history: { type: 'string' },
    scale: { type: 'string', default: '100' },
    phases: { type: 'string', default: 'fixed,max' },
    bots: { type: 'string', default: 'warroom,bolt' },
    seeder: { type: 'string', default: join(repo, 'build-release/bench/seed_incidents') },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
    postgres: { type: 'string' },
    replicas: { type: 'string', default: '1' },
    'kill-one-at': { type: 'string' },
    latency: { type: 'string', default: '0' },
  },
});
const REPLICAS = Number(opts.replicas);
const KILL_AT = opts['kill-one-at'] === undefined ? null : Number(opts['kill-one-at']);
const LATENCY = Number(opts.latency);
const N = Number(opts.count);
const RATE = Number(opts.rate);
const WINDOW = Number(opts.window);
const RUNS = Number(opts.runs);
const SCALE = Number(opts.scale);
const binary = resolve(opts.binary);
const seeder = resolve(opts.seeder);
const phases = opts.phases.split(',');
const bots = opts.bots.split(',');
const [CLOSED, OPEN] = (opts.history ?? '0,0').split(',').map(Number);
if (opts.history && !phases.includes('history')) phases.push('history');
if (!(N > 0) || !(RATE > 0) || !(SCALE > 0)) throw new Error('--count, --rate and --scale must be positive');
if (!(LATENCY >= 0)) throw new Error('--latency must be a number of milliseconds');
if (!Number.isInteger(WINDOW) || WINDOW < 1 || !Number.isInteger(RUNS) || RUNS < 1) {
  throw new Error('--window and --runs must be positive integers');
}
for (const p of phases) if (!['fixed', 'max', 'window', 'history'].includes(p)) throw new Error(`unknown phase ${p}`);
if (phases.includes('history')) {
  if (!(Number.isInteger(CLOSED) && Number.isInteger(OPEN) && CLOSED >= 0 && OPEN >= 0 && CLOSED + OPEN > 0)) {
    throw new Error('the history phase needs --history CLOSED,OPEN (incident counts, not both 0)');
  }
  // Its figures mean something only beside the same declares into an empty store.
  if (!phases.includes('fixed') || !bots.includes('warroom')) {
    throw new Error('the history phase is compared with warroom\'s fixed phase: keep fixed in --phases and '
      + 'warroom in --bots');
  }
  if (!existsSync(seeder)) throw new Error(`no seeder at ${seeder} (--seeder; ninja seed_incidents)`);
}
if (!Number.isInteger(REPLICAS) || REPLICAS < 1) throw new Error('--replicas must be a positive integer');
if (REPLICAS > 1 && !opts.postgres) throw new Error('--replicas shares one store between processes: use it with --postgres');
if (KILL_AT !== null && !(KILL_AT > 0 && REPLICAS >= 2 && phases.length === 1 && phases[0] === 'fixed')) {
  throw new Error('--kill-one-at needs a positive number of seconds, --replicas 2 or more and --phases fixed');
}
if (opts.postgres && phases.includes('history')) throw new Error('the history phase seeds a SQLite store: not with --postgres');
if (bots.includes('warroom') && !existsSync(binary)) throw new Error(`no warroom binary at ${binary} (--binary)`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const summary = (v) => ({ p50: pct(v, 50), p99: pct(v, 99), max: Math.max(...v) });
const paced = (phase) => phase === 'fixed' || phase === 'history';

// --- the history phase's store ----------------------------------------------------------------------------

// warroom's settings, for the daemon and the seeder alike. The one user declaring everything would hit
// the per-user fairness limits (a declare is also a command); no endpoint is needed, and a fixed port may
// be taken.
const warroomConfig = (extra = '') => `[slack]\nrate_limit_scale = ${SCALE}\n`
  + `[limits]\ndeclares_per_minute = 0\ncommands_per_minute = 0\n[http]\nlisten = "127.0.0.1:0"\n${extra}`;

// Seeded once (it takes a while: every command a committed transaction), copied into each history run.
async function seedHistory() {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-bench-history-'));
  const db = join(dir, 'warroom.db');
  const config = join(dir, 'seed.toml');
  writeFileSync(config, warroomConfig(`[store]\nurl = "sqlite://${db}"\n`));
  const start = Date.now();
  const { stdout } = await promisify(execFile)(seeder,
    ['history', '--config', config, '--closed', String(CLOSED), '--open', String(OPEN)]);
  return {
    dir, db, closed: CLOSED, open: OPEN, lastIncident: Number(stdout.trim()),
    seedSeconds: (Date.now() - start) / 1000, storeMb: statSync(db).size / 2 ** 20,
  };
}

// --- bots -------------------------------------------------------------------------------------------------

let databases = 0;
// A new database on the --postgres server, for one run.
function freshDatabase() {
  const name = `warroom_bench_${process.pid}_${++databases}`;
  execFileSync('psql', [opts.postgres, '-q', '-c', `CREATE DATABASE ${name}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = new URL(opts.postgres);
  url.pathname = `/${name}`;
  return url.toString();
}

function startBot(kind, sim, dir, storeUrl, replica = 1) {
  const logFile = join(dir, replica > 1 ? `${kind}-${replica}.log` : `${kind}.log`);
  const log = openSync(logFile, 'w');
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME ?? dir,
    SLACK_APP_TOKEN: sim.appToken, SLACK_BOT_TOKEN: sim.botToken, SLACK_API_URL: sim.apiUrl,
  };
  let child;
  if (kind === 'warroom') {
    // One file per replica: rewriting a file another replica is reading would hand it half a config.
    const config = join(dir, replica > 1 ? `warroom-${replica}.toml` : 'warroom.toml');
    writeFileSync(config, warroomConfig());
    env.WARROOM_CONFIG = config;
    env.WARROOM_STORE_URL = storeUrl ?? `sqlite://${join(dir, 'warroom.db')}`;
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

// The ack of a declare that was decided and kept (not "could not record" or nothing at all).
const recorded = (a) => Boolean(a) && /Declared INC-\d+/.test(a.payload?.text ?? '');

const titleOf = (k) => `Load test ${k}`;
const roomPattern = /^inc-(\d+)-load-test-(\d+)$/;

// `history`: the seeded store the bot starts from (the history phase), or null for an empty one.
async function runOne(kind, phase, history) {
  const dir = mkdtempSync(join(tmpdir(), `warroom-bench-${kind}-${phase}-`));
  if (history) copyFileSync(history.db, join(dir, 'warroom.db'));
  const fsyncMs = fsyncProbe(dir);
  const sim = await startSimulator({ rateLimits: { scale: SCALE }, latencyMs: LATENCY });
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

  const storeUrl = kind === 'warroom' && opts.postgres ? freshDatabase() : undefined;
  const replicas = kind === 'warroom' ? REPLICAS : 1;
  const startedAt = Date.now();
  const all = Array.from({ length: replicas }, (_, k) => startBot(kind, sim, dir, storeUrl, k + 1));
  const bot = all[0];
  // The replica --kill-one-at kills: the last, so that RSS is still sampled from the first.
  const victim = KILL_AT !== null && kind === 'warroom' ? all[all.length - 1] : null;
  let killedAt = null;
  const anyExit = Promise.race(all.filter((b) => b !== victim).map((b) => b.exited));
  // A killed replica's CPU is what it had used when it was killed.
  const cpuOfAll = () => all.reduce((sum, b) => sum + (b.cpuAtKill ?? cpuSeconds(b.pid)), 0);
  const failures = [];
  let result;
  try {
    await Promise.race([
      sim.waitFor(() => sim.connections().length >= replicas, 30_000, `${kind} connected`),
      anyExit.then((e) => { throw new Error(`${kind} exited before connecting: ${JSON.stringify(e)}`); }),
    ]);
    const startupSeconds = (Date.now() - startedAt) / 1000;
    await sleep(1000);
    const idleRssKb = statusKb(bot.pid, 'VmRSS');
    let peakRssKb = idleRssKb;
    const sampler = setInterval(() => {
      try { peakRssKb = Math.max(peakRssKb, statusKb(bot.pid, 'VmRSS')); } catch { /* exited */ }
    }, 50);

    const cpu0 = cpuOfAll();
    const self0 = process.cpuUsage();
    const wait0 = runQueueSeconds(bot.pid);
    const injected = new Array(N + 1);
    const acks = new Array(N + 1);
    const inject = (k) => {
      injected[k] = Date.now();
      const text = `declare P1 type:outage ${titleOf(k)}`;
      acks[k] = sim.slashCommand({ user: 'U111', channel: 'incidents', text }).ack;
      return acks[k];
    };
    const t0 = Date.now();
    const killer = victim && setTimeout(() => {
      victim.cpuAtKill = cpuSeconds(victim.pid);
      victim.child.kill('SIGKILL');
      killedAt = Date.now();
    }, KILL_AT * 1000);
    if (phase === 'window') {
      // W slots, each injecting its next declare once its last is acked (or timed out): W in flight.
      let next = 1;
      const slot = async () => { while (next <= N) await inject(next++); };
      await Promise.all(Array.from({ length: Math.min(WINDOW, N) }, slot));
    } else {
      for (let k = 1; k <= N; k++) {
        if (paced(phase)) {
          const due = t0 + ((k - 1) * 1000) / RATE;
          if (due > Date.now()) await sleep(due - Date.now());
        }
        inject(k);
      }
    }
    const lastInjection = Date.now();
    const ackRecords = await Promise.all(acks.slice(1));
    clearTimeout(killer);
    if (victim && killedAt === null) throw new Error(`the load ended before --kill-one-at ${KILL_AT} s`);
    // A minute, and 100 ms a declare: a bot that falls behind (thousands of declares) still gets to finish.
    const settleMs = 60_000 + N * 100;
    const owed = ackRecords.filter(recorded).length;
    try {
      await Promise.race([
        sim.waitFor(() => counts.announcements >= owed && counts.pins >= owed && counts.roomPosts >= 4 * owed,
          settleMs, 'every acknowledged incident posted'),
        anyExit.then((e) => { throw new Error(`${kind} exited under load: ${JSON.stringify(e)}`); }),
      ]);
    } catch (err) {
      failures.push(err.message);
    }
    const cpu1 = cpuOfAll();
    const self1 = process.cpuUsage(self0);
    const wait1 = runQueueSeconds(bot.pid);
    const hwmKb = statusKb(bot.pid, 'VmHWM');
    try { peakRssKb = Math.max(peakRssKb, statusKb(bot.pid, 'VmRSS')); } catch { /* */ }
    clearInterval(sampler);
    await sleep(300); // anything extra (duplicates) would land now
    const firstNumber = (history?.lastIncident ?? 0) + 1;
    result = analyse({
      kind, phase, sim, injected, ackRecords, failures, t0, lastInjection, counts, firstNumber, killedAt,
    });
    if (killedAt !== null) {
      // When each survivor said it took over entries of a process whose leases lapsed.
      const takeovers = all.filter((b) => b !== victim)
        .flatMap((b) => [...readFileSync(b.logFile, 'utf8').matchAll(/^(\S+) info outbox: took over \d+ entries/gm)])
        .map((m) => Date.parse(m[1]) - killedAt);
      // None: the killed replica owed no delivery when it died (give the calls --latency).
      result.takeoverMs = takeovers.length > 0 ? Math.max(...takeovers) : NaN;
      if (result.takeoverMs > 10_000) failures.push(`leases taken over ${result.takeoverMs} ms after the kill`);
    }
    Object.assign(result, {
      startupSeconds, idleRssMb: idleRssKb / 1024, peakRssMb: peakRssKb / 1024, hwmMb: hwmKb / 1024,
      cpuSeconds: cpu1 - cpu0, cpuMsPerIncident: ((cpu1 - cpu0) / N) * 1000,
      driverCpuSeconds: (self1.user + self1.system) / 1e6, fsyncMs,
      runQueueSeconds: wait1 - wait0,
    });
    const log = all.filter((b) => b !== victim).map((b) => readFileSync(b.logFile, 'utf8')).join('\n');
    const warning = / (warn|error|critical) |\[ERROR\]|\[WARN\]|bolt error/i;
    result.logWarnings = log.split('\n').filter((l) => warning.test(l)).length;
  } catch (err) {
    failures.push(err.message);
    result = { kind, phase, failures };
  } finally {
    for (const b of all) await stopBot(b, sim);
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

// `firstNumber`: the incident number the first declare gets (after a seeded history's).
// With a replica killed (`killedAt`), only the acknowledged declares are owed a war room.
function analyse({ kind, phase, sim, injected, ackRecords, failures, t0, lastInjection, counts, firstNumber,
  killedAt }) {
  const fail = (msg) => { if (failures.length < 40) failures.push(msg); };
  const killing = killedAt !== null;
  // Acks.
  const ackLatency = [];
  let lastAck = t0;
  ackRecords.forEach((a, i) => {
    const k = i + 1;
    if (killing && !recorded(a)) return undefined;
    if (!a) return fail(`declare ${k}: no ack within the deadline`);
    ackLatency.push(a.latencyMs);
    lastAck = Math.max(lastAck, a.at);
    if (a.payload?.response_type !== 'ephemeral' || !/Declared INC-\d+/.test(a.payload?.text ?? '')) {
      fail(`declare ${k}: ack payload ${JSON.stringify(a.payload).slice(0, 200)}`);
    }
  });
  const unanswered = ackRecords.filter((a) => !recorded(a)).length;
  if (sim.timeouts.length > 0 && !killing) fail(`${sim.timeouts.length} envelope(s) timed out`);
  if (sim.garbage.length > 0) fail(`${sim.garbage.length} garbage frame(s): ${sim.garbage[0].reason}`);
  if (counts.limited > 0) fail(`${counts.limited} call(s) answered 429`);

  // War rooms: exactly one per declare, numbered on from the store's last incident.
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
  const lastNumber = firstNumber + N - 1;
  // A declare the killed replica took but did not acknowledge may have its room, or not, and a number.
  if (!killing
    && (numbers.size !== N || Math.min(...numbers) !== firstNumber || Math.max(...numbers) !== lastNumber)) {
    fail(`incident numbers: ${numbers.size} distinct, ${Math.min(...numbers)}..${Math.max(...numbers)}, `
      + `not ${firstNumber}..${lastNumber}`);
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
    if (killing && !recorded(ackRecords[k - 1])) continue;
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
    kind, phase, count: N, rate: paced(phase) ? RATE : null, window: phase === 'window' ? WINDOW : null, failures,
    injectSeconds: (lastInjection - t0) / 1000,
    acked: ackLatency.length, ackRate: ackLatency.length / ((lastAck - t0) / 1000),
    ack: summary(ackLatency), firstPost: summary(firstPost), complete: summary(complete),
    escalation: summary(escalation), completed: complete.length,
    seconds: (lastDone - t0) / 1000, throughput: complete.length / ((lastDone - t0) / 1000),
    apiCalls: sim.calls.length, unanswered, killToAllPostedMs: killing ? lastDone - killedAt : NaN,
  };
}

// --- report -----------------------------------------------------------------------------------------------

const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const quotient = (b, a) => (Number.isFinite(b) && Number.isFinite(a) && a !== 0 ? b / a : NaN);
const ratio = (q) => (Number.isFinite(q) ? `${q.toFixed(2)}×` : '—');

// Every figure of a run: its key in --json, its row in the table, decimals, its value in a run's result.
const figures = [
  ['acked', "acks within Slack's 3 s deadline", 0, (r) => r.acked],
  ['ackedPct', 'share of acks within 3 s (%)', 1, (r) => (100 * r.acked) / r.count],
  ['completed', 'incidents fully posted', 0, (r) => r.completed],
  ['unanswered', 'declares without a kept ack (a killed replica\'s)', 0, (r) => r.unanswered],
  ['takeoverMs', 'kill → its leases taken over (ms)', 0, (r) => r.takeoverMs],
  ['killToAllPostedMs', 'kill → every acknowledged declare fully posted (ms)', 0, (r) => r.killToAllPostedMs],
  ['ackP50', 'ack latency p50 (ms)', 0, (r) => r.ack?.p50],
  ['ackP99', 'ack latency p99 (ms)', 0, (r) => r.ack?.p99],
  ['ackMax', 'ack latency max (ms)', 0, (r) => r.ack?.max],
  ['firstPostP50', 'declare → war-room post p50 (ms)', 0, (r) => r.firstPost?.p50],
  ['firstPostP99', 'declare → war-room post p99 (ms)', 0, (r) => r.firstPost?.p99],
  ['firstPostMax', 'declare → war-room post max (ms)', 0, (r) => r.firstPost?.max],
  ['completeP50', 'declare → all posted p50 (ms)', 0, (r) => r.complete?.p50],
  ['completeP99', 'declare → all posted p99 (ms)', 0, (r) => r.complete?.p99],
  ['escalationP50', 'declare → escalation post p50 (ms)', 0, (r) => r.escalation?.p50],
  ['injectRate', 'declares injected per second', 1, (r) => r.count / r.injectSeconds],
  ['ackRate', 'commands acked per second', 1, (r) => r.ackRate],
  ['throughput', 'incidents fully posted per second', 1, (r) => r.throughput],
  ['seconds', 'phase duration (s)', 2, (r) => r.seconds],
  ['startupSeconds', 'start → Socket Mode connected (s)', 2, (r) => r.startupSeconds],
  ['idleRssMb', 'idle RSS (MiB)', 1, (r) => r.idleRssMb],
  ['peakRssMb', 'peak RSS, 50 ms samples (MiB)', 1, (r) => r.peakRssMb],
  ['hwmMb', 'VmHWM at end (MiB)', 1, (r) => r.hwmMb],
  ['cpuMsPerIncident', 'CPU per incident (ms)', 2, (r) => r.cpuMsPerIncident],
  ['cpuSeconds', 'CPU total over the phase (s)', 2, (r) => r.cpuSeconds],
  ['runQueueSeconds', 'waiting for a CPU over the phase (s)', 2, (r) => r.runQueueSeconds],
  ['driverCpuSeconds', 'simulator + driver CPU over the phase (s)', 2, (r) => r.driverCpuSeconds],
  ['fsyncMs', 'disk: 4 KiB append + fdatasync before the phase (ms, p50)', 2, (r) => r.fsyncMs],
];

// Each figure's median (nearest rank: the lower middle of an even --runs) over a (phase, bot)'s runs.
const medians = (runs) => (runs.length === 0 ? null
  : Object.fromEntries(figures.map(([key, , , get]) => [key, pct(runs.map(get).filter(Number.isFinite), 50)])));
const quotients = (b, a) => Object.fromEntries(figures.map(([key]) => [key, quotient(b?.[key], a?.[key])]));

const titles = {
  fixed: `fixed rate: ${N} declares at ${RATE}/s`,
  max: `max rate: ${N} declares at once`,
  window: `windowed: ${N} declares, ${WINDOW} in flight`,
  history: `history: ${N} declares at ${RATE}/s into a store of ${CLOSED} closed + ${OPEN} open incidents`,
};

// Two columns of medians and their quotient b / a, one row per figure.
function table({ title, a, b, ratioName, aRuns, bRuns }, notes) {
  const q = quotients(b.median, a.median);
  const lines = [`### ${title}`, '', `| metric | ${a.name} | ${b.name} | ${ratioName} |`, '|---|---:|---:|---:|'];
  for (const [key, name, d] of figures) {
    lines.push(`| ${name} | ${f(a.median?.[key], d)} | ${f(b.median?.[key], d)} | ${ratio(q[key])} |`);
  }
  const busy = [...aRuns, ...bRuns].filter((r) => r.fsyncMs > 1 || r.loadavg1AtStart > 1.5);
  if (busy.length > 0) {
    lines.push('', `Contended: ${busy.map((r) => `${r.kind} ${r.phase}${RUNS > 1 ? ` run ${r.run}` : ''} (load `
      + `${r.loadavg1AtStart} at the start, fdatasync ${f(r.fsyncMs, 2)} ms)`).join(', ')}: other processes share `
      + 'the machine; compare quiet runs only.');
  }
  if (notes) lines.push('', notes);
  return { text: lines.join('\n'), ratios: q };
}

const m = machine();
console.error(`machine: ${m.nproc} cores, ${m.cpu}, kernel ${m.kernel}, node ${m.node}, load ${m.loadavg.join(' ')}`);
let history = null;
if (phases.includes('history')) {
  if (bots.includes('bolt')) console.error('history: warroom only (the Bolt app keeps no store)');
  console.error(`seeding a store with ${CLOSED} closed and ${OPEN} open incidents…`);
  history = await seedHistory();
  console.error(`  seeded in ${f(history.seedSeconds)} s, ${f(history.storeMb)} MiB`);
}
const results = [];
for (let run = 1; run <= RUNS; run++) {
  for (const phase of phases) {
    // The Bolt app keeps no store, so a history would change nothing for it.
    for (const kind of phase === 'history' ? ['warroom'] : bots) {
      const load = loadavg()[0];
      console.error(`running ${kind}, ${titles[phase]}${RUNS > 1 ? `, run ${run}/${RUNS}` : ''} `
        + `(load ${load.toFixed(2)})…`);
      const r = await runOne(kind, phase, phase === 'history' ? history : null);
      Object.assign(r, { run, loadavg1AtStart: Number(load.toFixed(2)) });
      results.push(r);
      console.error(`  ${r.failures.length === 0 ? 'ok' : `FAILED: ${r.failures.slice(0, 5).join('; ')}`}`
        + (r.throughput
          ? ` — ${f(r.ackRate)} acks/s, ${f(r.throughput)} incidents/s, ack p99 ${r.ack.p99} ms, `
            + `CPU ${f(r.cpuMsPerIncident, 2)} ms/incident`
          : ''));
    }
  }
}
if (history && !opts.keep) rmSync(history.dir, { recursive: true, force: true });

const runsOf = (phase, kind) => results.filter((r) => r.phase === phase && r.kind === kind);
const summaries = phases.flatMap((phase) => bots.map((kind) => ({ phase, kind, runs: runsOf(phase, kind) })))
  .filter((s) => s.runs.length > 0)
  .map(({ phase, kind, runs }) => ({ phase, kind, runs: runs.length, median: medians(runs) }));
const column = (phase, kind, name) => ({
  name, median: summaries.find((s) => s.phase === phase && s.kind === kind)?.median,
});
const comparisons = phases.map((phase) => (phase === 'history'
  ? {
    phase, title: titles[phase], ratioName: 'history / empty',
    a: column('fixed', 'warroom', 'warroom, empty store (fixed)'), b: column(phase, 'warroom', 'warroom, with history'),
    aRuns: runsOf('fixed', 'warroom'), bRuns: runsOf(phase, 'warroom'),
  }
  : {
    phase, title: titles[phase], ratioName: 'Bolt / warroom',
    a: column(phase, 'warroom', 'warroom'), b: column(phase, 'bolt', 'Bolt JS'),
    aRuns: runsOf(phase, 'warroom'), bRuns: runsOf(phase, 'bolt'),
  }));

const out = [
  `## Slack load: warroom vs Bolt for JavaScript`,
  '',
  `Machine: ${m.nproc} cores (${m.cpu}), kernel ${m.kernel}, Node ${m.node}; load average at start `
    + `${m.loadavg.join(' ')}; store on ${opts.postgres ? `PostgreSQL at ${new URL(opts.postgres).host}, ${REPLICAS} `
      + `warroom replica(s)${KILL_AT !== null ? `, the last SIGKILLed ${KILL_AT} s into the load` : ''}`
      : m.storeFs || tmpdir()}. Simulator rate limits ×${SCALE} `
    + `(warroom's rate_limit_scale the same)${LATENCY > 0 ? `, each Web API call answered after ${LATENCY} ms` : ''}, `
    + 'plain sockets.'
    + (RUNS > 1 ? ` Medians of ${RUNS} runs of each (phase, bot), the bots alternating within each run.` : ''),
  '',
];
for (const c of comparisons) {
  const notes = c.phase === 'history'
    ? `The store held ${CLOSED} closed incidents (declared, acknowledged, resolved, reported on, closed) and ${OPEN} `
      + `open ones (acknowledged P3s, which owe no reminder), seeded in ${f(history.seedSeconds)} s, `
      + `${f(history.storeMb)} MiB; the declares were numbered from ${history.lastIncident + 1}. `
      + 'warroom only: the Bolt app keeps no store, so a history changes nothing for it (see the fixed table).'
    : '';
  const { text, ratios } = table(c, notes);
  c.ratios = ratios;
  out.push(text, '');
}
out.push(`Ratios are Bolt / warroom: above 1× means warroom is lower (latency, memory, CPU) or Bolt is higher `
  + `(rates)${phases.includes('history') ? '; history / empty above 1× means the history makes warroom higher' : ''}. `
  + `Latency percentiles are over the acks that arrived and the incidents that completed (of ${N}).`);
console.log(out.join('\n'));

const failed = results.filter((r) => r.failures.length > 0);
if (opts.json) {
  const params = {
    count: N, rate: RATE, window: WINDOW, runs: RUNS, scale: SCALE, phases, bots, binary,
    history: history && { closed: CLOSED, open: OPEN, lastIncident: history.lastIncident,
      seedSeconds: history.seedSeconds, storeMb: history.storeMb },
  };
  const ratios = comparisons.map(({ phase, ratioName, ratios: of }) => ({ phase, of: ratioName, ratios: of }));
  writeFileSync(opts.json, `${JSON.stringify({ machine: m, params, summaries, ratios, results }, null, 2)}\n`);
}
if (failed.length > 0) {
  for (const r of failed) {
    console.error(`FAILED ${r.kind} ${r.phase} run ${r.run}:\n  ${r.failures.slice(0, 10).join('\n  ')}`
      + (r.failures.length > 10 ? `\n  … ${r.failures.length - 10} more (up to 40 kept in --json)` : ''));
  }
  process.exit(1);
}
