// The health endpoints of `warroom run`: /livez answers whenever the event loop does; /readyz (and
// /healthz, its old name, the same answer) is 200 only when a write reaches the store's disk, the
// Socket Mode connection is up and the outbox moves, and otherwise 503 with one line per failing check.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { World } from './harness.mjs';

async function get(base, path) {
  const r = await fetch(base + path);
  return { status: r.status, body: await r.text() };
}

// Asks /readyz again and again until `pred` holds for its answer; that answer.
async function readyzUntil(w, base, pred, timeoutMs, what) {
  let last;
  await w.sim.waitFor(async () => pred((last = await get(base, '/readyz'))), timeoutMs, what);
  return last;
}

// Another process (a backup, a stray sqlite3 shell) holding the store's write lock until released.
async function lockStore(file) {
  const script = [
    'import sqlite3, sys',
    'db = sqlite3.connect(sys.argv[1], isolation_level=None)',
    'db.execute("BEGIN IMMEDIATE")',
    'print("locked", flush=True)',
    'sys.stdin.read()',
    'db.execute("ROLLBACK")',
  ].join('\n');
  const child = spawn('python3', ['-c', script, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { if (/locked/.test(d.toString())) resolve(); });
    child.on('exit', (code) => reject(new Error(`the lock holder exited ${code}`)));
  });
  return async () => {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.stdin.end();
    await exited;
  };
}

describe('health endpoints', { timeout: 120000 }, () => {
  test('/livez is 200; /readyz is 200 once connected, and /healthz answers the same', async () => {
    const w = await World.create();
    try {
      const bot = await w.start();
      const base = await bot.httpBase();
      assert.deepEqual(await get(base, '/livez'), { status: 200, body: 'alive\n' });
      const ready = await readyzUntil(w, base, (r) => r.status === 200, 5000, '/readyz 200');
      assert.equal(ready.body, 'ready\n');
      assert.deepEqual(await get(base, '/healthz'), ready);
      assert.deepEqual(await get(base, '/readyz?verbose'), ready);
    } finally {
      await w.close();
    }
  });

  test('/readyz is 503 while Socket Mode is down, with the reason, and 200 once it is back', async (t) => {
    const w = await World.create();
    try {
      const bot = await w.start();
      const base = await bot.httpBase();
      await readyzUntil(w, base, (r) => r.status === 200, 5000, '/readyz 200');
      // The connection dropped and the next five attempts refused: several seconds without Socket Mode.
      w.sim.refuseConnects(5, 500);
      w.sim.dropConnections();
      const down = await readyzUntil(w, base, (r) => r.status === 503, 5000, '/readyz 503');
      assert.equal(down.body, 'slack: no Socket Mode connection\n');
      const alias = await get(base, '/healthz');
      assert.deepEqual(alias, down, '/healthz is /readyz');
      assert.equal((await get(base, '/livez')).status, 200, 'the loop still answers');
      const began = Date.now();
      await readyzUntil(w, base, (r) => r.status === 200, 30000, '/readyz 200 again');
      t.diagnostic(`ready again ${Date.now() - began} ms later`);
      assert.ok(w.sim.connections().some((c) => c.ready));
    } finally {
      await w.close();
    }
  });

  test('/readyz is 503 while another process holds the store, with the reason, and 200 after', async () => {
    const w = await World.create();
    try {
      const bot = await w.start();
      const base = await bot.httpBase();
      await readyzUntil(w, base, (r) => r.status === 200, 5000, '/readyz 200');
      const release = await lockStore(join(w.dir, 'warroom.db'));
      try {
        const locked = await get(base, '/readyz');
        assert.equal(locked.status, 503);
        assert.match(locked.body, /^store: (a write did not reach the disk within 2s|cannot write: .*locked.*)\n$/);
        const alias = await get(base, '/healthz');
        assert.equal(alias.status, 503);
        assert.match(alias.body, /^store: /);
        assert.equal((await get(base, '/livez')).status, 200, 'the loop still answers');
      } finally {
        await release();
      }
      await readyzUntil(w, base, (r) => r.status === 200, 15000, '/readyz 200 after the lock');
    } finally {
      await w.close();
    }
  });

  test('/readyz is 503 once the head of an outbox queue waits longer than http.outbox_stuck_after', async () => {
    const w = await World.create({ config: '[http]\nlisten = "127.0.0.1:0"\noutbox_stuck_after = "2s"\n' });
    try {
      const bot = await w.start();
      const base = await bot.httpBase();
      await readyzUntil(w, base, (r) => r.status === 200, 5000, '/readyz 200');
      w.sim.apiDown = true;
      const a = await w.sim.slashCommand({ text: 'declare P2 type:performance Slack refuses every call' }).ack;
      assert.match(a.payload.text, /Declared INC-1/);
      assert.equal((await get(base, '/readyz')).status, 200, 'a fresh entry is not stuck');
      const stuck = await readyzUntil(w, base, (r) => r.status === 503, 10000, '/readyz 503');
      assert.match(stuck.body, /^outbox: the entry at the head of its queue has waited [2-9]s \(http\.outbox_stuck_after is 2s\)\n$/);
      w.sim.apiDown = false;
      await readyzUntil(w, base, (r) => r.status === 200, 40000, '/readyz 200 once delivered');
      await w.waitForRoom(1);
    } finally {
      await w.close();
    }
  });
});
