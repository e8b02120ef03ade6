// End-to-end harness: the real `warroom run` binary (WARROOM_BINARY, set by ctest) against the Slack
// simulator, each test with its own simulator, store file and log. Logs are kept per process and
// checked for tokens when the bot stops.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startSimulator } from '../slack_sim/simulator.mjs';

export const binary = process.env.WARROOM_BINARY ?? new URL('../../build-test/bot/warroom', import.meta.url).pathname;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A running bot: its process, its log lines, and a way to stop it.
export class Bot {
  constructor(child, sim) {
    this.child = child;
    this.sim = sim;
    this.lines = [];
    this.exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
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
  async waitForLog(pattern, timeoutMs = 10000) {
    return this.sim.waitFor(() => this.lines.find((l) => pattern.test(l)), timeoutMs, `log line ${pattern}`);
  }
  // SIGTERM, then the exit code; SIGKILL after `timeoutMs`.
  async stop(timeoutMs = 10000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
  kill() {
    this.child.kill('SIGKILL');
    return this.exit;
  }
}

// A test world: a simulator and a store directory; start() launches a bot against them (again after
// a kill, on the same store). close() stops everything and checks that no secret reached a log.
export class World {
  static async create({ tls = false, sim = {}, config = '' } = {}) {
    const w = new World();
    w.dir = mkdtempSync(join(tmpdir(), 'warroom-e2e-'));
    w.sim = await startSimulator({ tls, ...sim });
    w.configFile = join(w.dir, 'warroom.toml');
    writeFileSync(w.configFile, config);
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
    const child = spawn(binary, ['run'], { env: this.env(env), stdio: ['ignore', 'ignore', 'pipe'] });
    const bot = new Bot(child, this.sim);
    this.bots.push(bot);
    if (ready) await bot.waitForLog(/socket mode connection \d+: ready/, 20000);
    return bot;
  }
  async close() {
    for (const bot of this.bots) await bot.stop();
    await this.sim.close();
    for (const bot of this.bots) assertNoSecrets(bot.log(), this.sim);
    rmSync(this.dir, { recursive: true, force: true });
  }
  // The channel the simulator created for incident `n`.
  room(n) {
    return [...this.sim.channels.values()].find((c) => c.name.startsWith(`inc-${n}-`));
  }
  async waitForRoom(n, timeoutMs = 10000) {
    return this.sim.waitFor(() => this.room(n), timeoutMs, `war room of incident ${n}`);
  }
  calls(method) { return this.sim.calls.filter((c) => c.method === method); }
}

export function assertNoSecrets(log, sim) {
  for (const secret of [sim.appToken, sim.botToken, 'xoxb-', 'xapp-']) {
    assert.ok(!log.includes(secret), `a log line contains ${secret.slice(0, 5)}…`);
  }
}
