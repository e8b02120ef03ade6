// Reminder benchmark: how late `warroom run` fires update nudges when N open incidents have them
// due within a minute, and what the daemon costs meanwhile. N P1 incidents are seeded straight into a
// fresh SQLite store (bench/seed_incidents: declaring them through Slack would take hours at Slack's
// channel-creation limit), declared an hour ago, spread evenly over --window seconds; their war rooms
// are made in the Slack simulator and recorded as the outbox records rooms it created. Seeding takes
// from seconds to minutes depending on the disk, so the P1 cadence is chosen once it is done: about
// an hour, such that the first nudge falls due --lead seconds later. Then the Release daemon runs
// against the simulator until every nudge is posted (or 300 s after the last one was due). Per
// nudge, against its due time (declared_at + update_every, whole seconds):
//   fired   the nudged event committed to the store (the store's head polled every 10 ms)
//   posted  the simulator received the nudge's chat.postMessage in the war room
// and for the daemon: RSS after start-up and at its peak (VmRSS every 50 ms, VmHWM), CPU time, and
// its open file descriptors at their peak (every 0.5 s: mostly its connections to Slack).
// Checks (exit 1 when one fails): every incident nudged exactly once, in the store and in its war
// room; no 429; the daemon was ready before the first nudge was due and stopped cleanly.
//
//   node bench/reminders.mjs --incidents 1000
// Options: --incidents N (1000), --window S (60), --lead S (20: from the end of seeding to the first
// due nudge; the daemon starts within it), --scale X (1: Slack's own limits, for the simulator and
// warroom's slack.rate_limit_scale; each war room gets one post, well within them), --binary,
// --seeder (the build-release programs), --json FILE (every figure, and each incident's lateness),
// --keep (keep the temp dir: store, config, log). Needs a Release build and tests/slack_sim/node_modules
// (npm ci there).
import { spawn, execFile } from 'node:child_process';
import {
  mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, openSync, closeSync, existsSync,
} from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import { startSimulator } from '../tests/slack_sim/simulator.mjs';
import { statusKb, cpuSeconds, runQueueSeconds, machine, pct, fsyncProbe } from './measure.mjs';

const repo = new URL('..', import.meta.url).pathname;
const { values: opts } = parseArgs({
  options: {
    incidents: { type: 'string', default: '1000' },
    window: { type: 'string', default: '60' },
    lead: { type: 'string', default: '20' },
    scale: { type: 'string', default: '1' },
    binary: { type: 'string', default: join(repo, 'build-release/bot/warroom') },
    seeder: { type: 'string', default: join(repo, 'build-release/bench/seed_incidents') },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(opts.incidents);
const WINDOW = Number(opts.window);
const SCALE = Number(opts.scale);
const LEAD = Number(opts.lead);
const binary = resolve(opts.binary);
const seeder = resolve(opts.seeder);
if (!Number.isInteger(N) || N < 1) throw new Error('--incidents must be a positive integer');
if (!Number.isInteger(WINDOW) || WINDOW < 1 || !Number.isInteger(LEAD) || LEAD < 5) {
  throw new Error('--window must be a positive integer and --lead an integer of at least 5 (seconds)');
}
if (!(SCALE > 0)) throw new Error('--scale must be positive');
for (const f of [binary, seeder]) if (!existsSync(f)) throw new Error(`${f} is missing: build Release first`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);
const children = new Set();
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
const progress = (text) => console.error(`[${new Date().toISOString().slice(11, 23)}] ${text}`);

// --- the store side (bench/seed_incidents) ----------------------------------------------------------------

const seed = async (config, firstDeclared) => {
  const { stdout } = await run(seeder, ['declare', '--config', config, '--count', String(N), '--first-declared',
    String(firstDeclared), '--window', String(WINDOW)], { maxBuffer: 1 << 30 });
  return stdout.trim().split('\n').map((line) => {
    const [number, room, declared] = line.split(' ');
    return { number: Number(number), room, declared: Number(declared) / 1000 };
  });
};

const recordRooms = (config, incidents) => new Promise((resolveRooms, reject) => {
  const child = execFile(seeder, ['rooms', '--config', config], (err) => (err ? reject(err) : resolveRooms()));
  child.stdin.end(incidents.map((i) => `${i.number} ${i.room} ${i.channelId}\n`).join(''));
});

// The store's head over time: [{ms, head}], appended as the watcher reports.
function watchStore(config) {
  const child = spawn(seeder, ['watch', '--config', config], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  const heads = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [ms, head] = line.split(' ').map(Number);
    heads.push({ ms, head });
  });
  const exited = new Promise((r) => child.on('exit', r));
  return { heads, stop: async () => { child.stdin.end(); await exited; children.delete(child); } };
}

const nudgedEvents = async (config) => {
  const { stdout } = await run(seeder, ['nudges', '--config', config], { maxBuffer: 1 << 30 });
  return stdout.trim().split('\n').filter(Boolean).map((line) => {
    const [position, incident, at] = line.split(' ').map(Number);
    return { position, incident, at };
  });
};

// When the event at `position` was first seen committed: the first poll whose head reached it.
function committedAt(heads, position) {
  let lo = 0;
  let hi = heads.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (heads[mid].head >= position) hi = mid; else lo = mid + 1;
  }
  return heads[lo]?.ms ?? NaN;
}

// --- the run ----------------------------------------------------------------------------------------------

async function measure() {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-bench-reminders-'));
  const failures = [];
  const fail = (msg) => { if (failures.length < 40) failures.push(msg); };
  const fsyncMs = fsyncProbe(dir);
  const load = loadavg()[0];
  const config = join(dir, 'warroom.toml');
  // The P1 cadence alone: an escalation step due at declaration would fire for every incident at start-up.
  const writeConfig = (everySeconds) => writeFileSync(config, [
    '[slack]', `rate_limit_scale = ${SCALE}`,
    '[store]', `url = "sqlite://${join(dir, 'warroom.db')}"`,
    '[severity.P1]', `update_every = "${everySeconds}s"`, 'escalation = []', '',
  ].join('\n'));

  const sim = await startSimulator({ rateLimits: { scale: SCALE } });
  const firstDeclared = Math.floor(Date.now() / 1000) - 3600;
  writeConfig(3600);
  progress(`seeding ${N} incidents`);
  const seedStart = Date.now();
  const incidents = await seed(config, firstDeclared);
  for (const i of incidents) {
    i.channelId = sim.addChannel({ name: i.room, members: [sim.botUserId, 'U111'], creator: sim.botUserId }).id;
  }
  await recordRooms(config, incidents);
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const firstDue = Math.ceil(Date.now() / 1000) + LEAD;
  const every = firstDue - firstDeclared;
  writeConfig(every);
  for (const i of incidents) i.due = i.declared + every;
  progress(`seeded in ${seedSeconds.toFixed(1)} s; P1 cadence ${every} s, nudges due from `
    + `${new Date(firstDue * 1000).toISOString()} over ${WINDOW} s`);

  const byChannel = new Map(incidents.map((i) => [i.channelId, i]));
  const posts = new Map(); // incident number -> [ms the simulator received each nudge post]
  let limited = 0;
  let otherPosts = 0;
  sim.afterCall('*', (call) => {
    if (call.status === 429) limited += 1;
    if (call.method !== 'chat.postMessage' || call.response?.ok !== true) return;
    const i = byChannel.get(call.response.channel);
    if (!i || !/Update due/.test(call.args.text ?? '')) { otherPosts += 1; return; }
    if (!posts.has(i.number)) posts.set(i.number, []);
    posts.get(i.number).push(call.at);
  });

  const watcher = watchStore(config);
  const logFile = join(dir, 'warroom.log');
  const log = openSync(logFile, 'w');
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME ?? dir, WARROOM_CONFIG: config,
    SLACK_APP_TOKEN: sim.appToken, SLACK_BOT_TOKEN: sim.botToken, SLACK_API_URL: sim.apiUrl,
  };
  const startedAt = Date.now();
  const bot = spawn(binary, ['run'], { env, stdio: ['ignore', log, log] });
  closeSync(log);
  children.add(bot);
  const exited = new Promise((r) => bot.on('exit', (code, signal) => r({ code, signal })));
  const result = { incidents: N, window: WINDOW, lead: LEAD, everySeconds: every, scale: SCALE, fsyncMs,
    loadavg1AtStart: Number(load.toFixed(2)), seedSeconds, failures };
  try {
    await Promise.race([
      sim.waitFor(() => sim.connections().length >= 1, 30_000, 'warroom connected'),
      exited.then((e) => { throw new Error(`warroom exited before connecting: ${JSON.stringify(e)}`); }),
    ]);
    result.startupSeconds = (Date.now() - startedAt) / 1000;
    const cpu0 = cpuSeconds(bot.pid);
    const self0 = process.cpuUsage();
    const wait0 = runQueueSeconds(bot.pid);
    const headroomMs = firstDue * 1000 - Date.now();
    if (headroomMs < 1000) {
      throw new Error(`warroom was ready ${-headroomMs} ms after the first nudge was due: raise --lead`);
    }
    await sleep(Math.min(1000, headroomMs - 500));
    const idleRssKb = statusKb(bot.pid, 'VmRSS');
    let peakRssKb = idleRssKb;
    let peakFds = 0;
    const sampler = setInterval(() => {
      try { peakRssKb = Math.max(peakRssKb, statusKb(bot.pid, 'VmRSS')); } catch { /* exited */ }
    }, 50);
    const fdSampler = setInterval(() => {
      try { peakFds = Math.max(peakFds, readdirSync(`/proc/${bot.pid}/fd`).length); } catch { /* exited */ }
    }, 500);
    progress(`warroom ready after ${result.startupSeconds.toFixed(1)} s, ${(headroomMs / 1000).toFixed(1)} s `
      + `before the first nudge; idle RSS ${(idleRssKb / 1024).toFixed(1)} MiB`);
    const lastDue = incidents[incidents.length - 1].due;
    const settleMs = (lastDue - firstDue) * 1000 + headroomMs + 300_000;
    try {
      await Promise.race([
        sim.waitFor(() => posts.size >= N, settleMs, 'every nudge posted'),
        exited.then((e) => { throw new Error(`warroom exited while nudging: ${JSON.stringify(e)}`); }),
      ]);
    } catch (err) {
      fail(err.message);
    }
    await sleep(300); // a second nudge of the same incident, or a late commit, would land now
    clearInterval(sampler);
    clearInterval(fdSampler);
    try { peakRssKb = Math.max(peakRssKb, statusKb(bot.pid, 'VmRSS')); } catch { /* exited */ }
    const self1 = process.cpuUsage(self0);
    Object.assign(result, {
      idleRssMb: idleRssKb / 1024, peakRssMb: peakRssKb / 1024, hwmMb: statusKb(bot.pid, 'VmHWM') / 1024, peakFds,
      cpuSeconds: cpuSeconds(bot.pid) - cpu0, cpuSecondsFromStart: cpuSeconds(bot.pid),
      runQueueSeconds: runQueueSeconds(bot.pid) - wait0, driverCpuSeconds: (self1.user + self1.system) / 1e6,
    });
  } catch (err) {
    fail(err.message);
  } finally {
    if (bot.exitCode === null && bot.signalCode === null) {
      bot.kill('SIGTERM');
      const timer = setTimeout(() => bot.kill('SIGKILL'), 10_000);
      const e = await exited;
      clearTimeout(timer);
      if (e.code !== 0) fail(`warroom ended with ${JSON.stringify(e)}`);
    }
    children.delete(bot);
    await watcher.stop();
    await sim.close();
  }

  // Lateness per incident, ms after its due time.
  const nudged = new Map(); // incident -> [commit times, ms]
  for (const e of await nudgedEvents(config)) {
    const committed = committedAt(watcher.heads, e.position);
    // The event's own stamp is the scheduler's clock (ms): never after the commit.
    if (!(committed >= e.at)) {
      fail(`incident ${e.incident}: nudge stamped ${e.at} ms, seen committed at ${committed} ms`);
    }
    if (!nudged.has(e.incident)) nudged.set(e.incident, []);
    nudged.get(e.incident).push(committed);
  }
  const fired = [];
  const posted = [];
  const perIncident = []; // for --json: where in the window the late ones were
  const wrong = { events: [], posts: [] }; // incidents nudged other than once, in the store and in Slack
  for (const i of incidents) {
    const events = nudged.get(i.number) ?? [];
    const sent = posts.get(i.number) ?? [];
    if (events.length !== 1) wrong.events.push(`${i.number} (${events.length})`);
    if (sent.length !== 1) wrong.posts.push(`${i.number} (${sent.length})`);
    const firedMs = events.length > 0 ? events[0] - i.due * 1000 : null;
    const postedMs = sent.length > 0 ? sent[0] - i.due * 1000 : null;
    if (firedMs !== null) fired.push(firedMs);
    if (postedMs !== null) posted.push(postedMs);
    perIncident.push({ incident: i.number, due: i.due, firedMs, postedMs });
  }
  for (const [what, list] of [['nudged events', wrong.events], ['nudge posts', wrong.posts]]) {
    if (list.length > 0) {
      fail(`${list.length} incident(s) with other than one ${what}; incident (count): ${list.slice(0, 5).join(', ')}`
        + (list.length > 5 ? ', …' : ''));
    }
  }
  if (limited > 0) fail(`${limited} call(s) answered 429`);
  if (otherPosts > 0) fail(`${otherPosts} post(s) other than nudges`);
  const summary = (v) => ({ count: v.length, p50: pct(v, 50), p90: pct(v, 90), p99: pct(v, 99),
    max: Math.max(...v), withinOneSecond: v.filter((x) => x <= 1000).length });
  Object.assign(result, { fired: summary(fired), posted: summary(posted), perIncident });
  const warning = / (warning|error|critical) /;
  result.logWarnings = readFileSync(logFile, 'utf8').split('\n').filter((l) => warning.test(l)).length;
  if (failures.length > 0) {
    console.error(`--- last log lines (${logFile}):`);
    console.error(readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n'));
  }
  if (!opts.keep && failures.length === 0) rmSync(dir, { recursive: true, force: true });
  else result.dir = dir;
  return result;
}

// --- report -----------------------------------------------------------------------------------------------

const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const m = machine();
progress(`machine: ${m.nproc} cores, ${m.cpu}, kernel ${m.kernel}, node ${m.node}, load ${m.loadavg.join(' ')}`);
const r = await measure();
const row = (name, s) => `| ${name} | ${s.count} | ${f(s.p50)} | ${f(s.p90)} | ${f(s.p99)} | ${f(s.max)} | `
  + `${s.withinOneSecond} |`;
const out = [
  `## Reminders: ${N} update nudges due over ${WINDOW} s`,
  '',
  `Machine: ${m.nproc} cores (${m.cpu}), kernel ${m.kernel}, Node ${m.node}; load average ${r.loadavg1AtStart} at the `
    + `start; 4 KiB append + fdatasync ${f(r.fsyncMs, 2)} ms; store on ${m.storeFs || tmpdir()}. P1 cadence `
    + `${r.everySeconds} s, rate limits ×${SCALE}; seeded in ${f(r.seedSeconds, 1)} s, daemon ready in `
    + `${f(r.startupSeconds, 1)} s.`,
  '',
  `| lateness after the due second (ms) | of ${N} | p50 | p90 | p99 | max | within 1 s |`,
  '|---|---:|---:|---:|---:|---:|---:|',
  row('fired: nudged event committed', r.fired),
  row('posted: the simulator got the post', r.posted),
  '',
  '| daemon | |',
  '|---|---:|',
  `| RSS after start-up, idle (MiB) | ${f(r.idleRssMb, 1)} |`,
  `| peak RSS, 50 ms samples (MiB) | ${f(r.peakRssMb, 1)} |`,
  `| VmHWM at the end (MiB) | ${f(r.hwmMb, 1)} |`,
  `| CPU from ready to the last post (s) | ${f(r.cpuSeconds, 2)} |`,
  `| CPU from start, replay included (s) | ${f(r.cpuSecondsFromStart, 2)} |`,
  `| waiting for a CPU, ready to the last post (s) | ${f(r.runQueueSeconds, 2)} |`,
  `| simulator + driver CPU, same span (s) | ${f(r.driverCpuSeconds, 2)} |`,
  `| peak open file descriptors, 0.5 s samples | ${r.peakFds ?? '—'} |`,
  `| warnings and errors in its log | ${r.logWarnings} |`,
];
if (r.fsyncMs > 1 || r.loadavg1AtStart > 1.5) {
  out.push('', `Contended: load ${r.loadavg1AtStart}, fdatasync ${f(r.fsyncMs, 2)} ms at the start; `
    + 'compare quiet runs only.');
}
console.log(out.join('\n'));
if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ machine: m, result: r }, null, 2)}\n`);
if (r.failures.length > 0) {
  console.error(`FAILED:\n  ${r.failures.slice(0, 10).join('\n  ')}`
    + (r.failures.length > 10 ? `\n  … ${r.failures.length - 10} more (up to 40 kept in --json)` : '')
    + (r.dir ? `\nkept ${r.dir}` : ''));
  process.exit(1);
}
