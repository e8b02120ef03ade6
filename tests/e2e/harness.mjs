// End-to-end harness: the real `warroom run` binary (WARROOM_BINARY, set by ctest) against the Slack
// simulator, each test with its own simulator, store file and log. Logs are kept per process and
// checked for tokens when the bot stops.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startSimulator } from '../slack_sim/simulator.mjs';

export const binary = process.env.WARROOM_BINARY ?? new URL('../../build-test/bot/warroom', import.meta.url).pathname;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// `promise`, or a failure naming `what` after `ms`: the simulator keeps an envelope for as long as no
// bot is connected, so an ack awaited with no bound would wait for ever on a bot that is gone.
export async function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms); });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
// What a person reads of a message: its text and its blocks.
export const messageText = (m) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`;

// A port nobody listens on now, for a fake or a real server the test starts.
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The binary is rebuilt now and then while tests run: while it is missing or not yet executable
// (the linker is writing it), wait a little rather than fail.
export async function binaryReady(timeoutMs = 45000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      accessSync(binary, constants.X_OK);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${binary} is not there: ${err.message}`);
      await sleep(500);
    }
  }
}

// A running bot: its process, its log lines, and a way to stop it.
export class Bot {
  constructor(child, sim) {
    this.child = child;
    this.sim = sim;
    this.lines = [];
    this.killed = false; // SIGKILLed by the test: no clean exit expected
    this.stopping = false; // SIGTERMed by the test
    // A binary that cannot be started (missing, not executable) gives 'error' and no 'exit'.
    this.exit = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        // Said at once: a test left waiting on a bot that is gone may time out before close() runs.
        if (!this.killed && !this.stopping && code !== 0) {
          console.error(`warroom ended by itself (exit ${code}, signal ${signal}); its last lines:\n${this.lines.slice(-30).join('\n')}`);
        }
        resolve({ code, signal });
      });
      child.on('error', (error) => resolve({ code: null, signal: null, error }));
    });
    let partial = '';
    child.stderr.on('data', (chunk) => {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop();
      this.lines.push(...parts);
      if (process.env.WARROOM_E2E_VERBOSE) for (const p of parts) console.error(`[bot] ${p}`);
    });
  }
  log() { return this.lines.join('\n'); }
  // The base URL of its HTTP endpoints (`[http] listen`, port 0 in tests), from its start-up log line.
  async httpBase() {
    const line = await this.waitForLog(/http: listening on \S+/);
    return `http://${/http: listening on (\S+)/.exec(line)[1]}`;
  }
  async waitForLog(pattern, timeoutMs = 10000) {
    return this.sim.waitFor(() => this.lines.find((l) => pattern.test(l)), timeoutMs, `log line ${pattern}`);
  }
  // SIGTERM, then the exit code; SIGKILL after `timeoutMs`.
  async stop(timeoutMs = 10000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exit;
    this.stopping = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
  kill() {
    this.killed = true;
    this.child.kill('SIGKILL');
    return this.exit;
  }
  running() { return this.child.exitCode === null && this.child.signalCode === null; }
  // The exit, or null if the bot is still running after `timeoutMs`.
  async exitWithin(timeoutMs) {
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
    const result = await Promise.race([this.exit, timeout]);
    clearTimeout(timer);
    return result;
  }
}

// A test world: a simulator and a store directory; start() launches a bot against them (again after
// a kill, on the same store). close() stops everything and checks that no secret reached a log and
// that every bot the test did not kill ended cleanly (exit 0: with ASan, a leak or a crash is not).
export class World {
  static async create({ tls = false, sim = {}, config = '' } = {}) {
    const w = new World();
    w.dir = mkdtempSync(join(tmpdir(), 'warroom-e2e-'));
    w.sim = await startSimulator({ tls, ...sim });
    w.configFile = join(w.dir, 'warroom.toml');
    // Any free port for the HTTP endpoints, so tests (and replicas) running side by side never collide;
    // no per-user rate limits (tests send bursts a person would not), unless the test sets them.
    let text = /^\[http\]/m.test(config) ? config : `${config}\n[http]\nlisten = "127.0.0.1:0"\n`;
    if (!/^\[limits\]/m.test(text)) text += '\n[limits]\ndeclares_per_minute = 0\ncommands_per_minute = 0\nmarks_per_minute = 0\n';
    writeFileSync(w.configFile, text);
    w.bots = [];
    return w;
  }
  env(extra = {}) {
    const env = {
      PATH: process.env.PATH,
      SLACK_APP_TOKEN: this.sim.appToken,
      SLACK_BOT_TOKEN: this.sim.botToken,
      SLACK_API_URL: this.sim.apiUrl,
      WARROOM_CONFIG: this.configFile,
      WARROOM_STORE_URL: `sqlite://${join(this.dir, 'warroom.db')}`,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? 'detect_leaks=1:abort_on_error=1',
      UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? 'print_stacktrace=1:halt_on_error=1',
    };
    if (this.sim.caFile) env.SSL_CERT_FILE = this.sim.caFile;
    return { ...env, ...extra };
  }
  // Starts `warroom run` and waits until its Socket Mode connection is ready.
  async start({ env = {}, ready = true } = {}) {
    await binaryReady();
    const child = spawn(binary, ['run'], { env: this.env(env), stdio: ['ignore', 'ignore', 'pipe'] });
    const bot = new Bot(child, this.sim);
    this.bots.push(bot);
    if (ready) await bot.waitForLog(/socket mode connection \d+: ready/, 20000);
    return bot;
  }
  async close() {
    const exits = [];
    for (const bot of this.bots) exits.push(await bot.stop());
    await this.sim.close();
    rmSync(this.dir, { recursive: true, force: true });
    for (const bot of this.bots) assertNoSecrets(bot.log(), this.sim);
    this.bots.forEach((bot, k) => {
      if (bot.killed || bot.mayFail) return;
      const tail = bot.lines.slice(-15).join('\n');
      assert.deepEqual(exits[k], { code: 0, signal: null }, `bot ${k + 1} ended badly:\n${tail}`);
    });
  }
  // The channel the simulator created for incident `n`.
  room(n) {
    return [...this.sim.channels.values()].find((c) => c.name?.startsWith(`inc-${n}-`));
  }
  // The war room of incident `n` once the bot has posted there, as a person finds it: until then the
  // bot may not yet have read conversations.create's answer, and a command typed in the channel would
  // come from a channel it does not know as a war room. `posted: false`: as soon as the channel exists.
  async waitForRoom(n, timeoutMs = 10000, { posted = true } = {}) {
    const room = await this.sim.waitFor(() => this.room(n), timeoutMs, `war room of incident ${n}`);
    if (posted) await this.sim.waitFor(() => this.botPosted(room), timeoutMs, `a post in #${room.name}`);
    return room;
  }
  botPosted(room) { return room.messages.some((m) => m.user === this.sim.botUserId); }
  // `user` joins a war room once the bot has posted there; resolves when the bot acknowledged Slack's
  // member_joined_channel event.
  async join(user, room, timeoutMs = 10000) {
    await this.sim.waitFor(() => this.botPosted(room), timeoutMs, `a post in #${room.name}`);
    const { ack } = this.sim.joinChannel(user, room.id);
    assert.ok(await ack, `${user} joined #${room.name}`);
  }
  calls(method) { return this.sim.calls.filter((c) => c.method === method); }
  // Every channel whose name starts with inc-<n>- (a second one means a duplicate war room).
  rooms(n) {
    return [...this.sim.channels.values()].filter((c) => c.name?.startsWith(`inc-${n}-`));
  }
  // Announcements in #incidents, oldest first, as the incident numbers they announce.
  announcements() {
    return this.sim.channelByName('incidents').messages
      .filter((m) => m.user === this.sim.botUserId)
      .map((m) => Number(/INC-(\d+)/.exec(m.text + JSON.stringify(m.blocks ?? []))?.[1]));
  }
}

// The frame the simulator sent for an envelope (to send it again, as a redelivery would).
// The status page's base URL, from the log line of a daemon started with `[status_page] listen`.
export async function statusPageBase(bot) {
  const line = await bot.waitForLog(/status page: listening on port \d+/);
  return `http://127.0.0.1:${/port (\d+)/.exec(line)[1]}`;
}

export function envelopeFrame(sim, envelopeId) {
  const e = sim.envelopes.find((x) => x.envelopeId === envelopeId);
  assert.ok(e, `envelope ${envelopeId} was sent`);
  const frame = {
    envelope_id: e.envelopeId, type: e.type, accepts_response_payload: e.acceptsResponsePayload, payload: e.payload,
  };
  if (e.type === 'events_api') Object.assign(frame, { retry_attempt: e.retryAttempt, retry_reason: e.retryReason });
  return { frame: JSON.stringify(frame), connection: e.connectionId };
}

// The envelope_id of a frame the simulator filed as garbage (its data is cut at 1 KiB: not always JSON).
export const garbageEnvelopeId = (g) => /^\{"envelope_id":"([^"]+)"/.exec(g.data)?.[1];

// Acks the bot sent again for envelopes already acked (the simulator files them as duplicate_ack).
export function repeatedAcks(sim, envelopeId) {
  return sim.garbage.filter((g) => g.reason === 'duplicate_ack' && garbageEnvelopeId(g) === envelopeId);
}

// The simulator's tokens, and anything shaped like a Slack token (a prefix followed by token
// characters; a message naming the prefix, "it must start with xapp-", is not a leak).
export function assertNoSecrets(log, sim) {
  for (const secret of [sim.appToken, sim.botToken]) {
    assert.ok(!log.includes(secret), `a log line contains ${secret.slice(0, 5)}…`);
  }
  const shaped = /\b(xox[abpr]|xapp)-[A-Za-z0-9]/.exec(log);
  assert.ok(!shaped, `a log line contains a token-like ${shaped?.[0]}…`);
}
