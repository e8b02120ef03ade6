// The database restarted under load: warroom run on a PostgreSQL server of this file's own (a restart
// would break the other files' tests on the shared one), declarations sent steadily while the server
// is killed and started again. Acks pause while it is away; every declaration acknowledged has its
// war room, once; declarations sent after it is back are acknowledged again.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, exec } from 'node:child_process';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import { World, sleep, within } from './harness.mjs';

const withPostgres = new URL('../../scripts/with-postgres', import.meta.url).pathname;
const available = process.env.WARROOM_TEST_PG_URL || process.env.WARROOM_TEST_REQUIRE_PG;

// A server for this file: its URL, a restart, and a stop (removing it).
async function privateServer() {
  const child = spawn(withPostgres,
    ['bash', '-c', 'echo "$WARROOM_TEST_PG_URL"; echo "$WARROOM_TEST_PG_RESTART"; exec cat >/dev/null'],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('scripts/with-postgres did not start within 60 s')), 60000);
  });
  const [url, restart] = (await Promise.race([Promise.all([lines.next(), lines.next()]), timeout])).map((l) => l.value);
  clearTimeout(timer);
  return {
    url,
    // Not blocking: the simulator shares this process's loop.
    restart: () => promisify(exec)(restart, { timeout: 60000 }),
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

const declared = (reply) => /Declared INC-(\d+)/.exec(JSON.stringify(reply ?? ''))?.[1];

describe('PostgreSQL restarted', { skip: !available && 'no PostgreSQL (run under scripts/with-postgres)', timeout: 240000 }, () => {
  test('the database restarted under load: acks pause, nothing acknowledged is lost, work resumes', async (t) => {
    const pg = await privateServer();
    // Slack's tiers ×10: 65 war rooms are more than conversations.create allows in a minute.
    const w = await World.create({ sim: { rateLimits: { scale: 10 } }, config: '[slack]\nrate_limit_scale = 10\n' });
    try {
      await w.start({ env: { WARROOM_STORE_URL: pg.url } });
      // Slack answers each within 3 s (null: not acknowledged) while a bot is connected.
      const send = (k) => within(w.sim.slashCommand({ user: 'U111', text: `declare P3 Restart load ${k}` }).ack, 30000,
        `the ack of declaration ${k}`);
      // 10 a second for 6 s; the server is killed and started again after 2 s.
      const replies = [];
      let restarted;
      for (let k = 1; k <= 60; k += 1) {
        replies.push(send(k));
        if (k === 20) restarted = pg.restart();
        await sleep(100);
      }
      await restarted;
      const during = await Promise.all(replies);
      const acked = during.map(declared).filter(Boolean).map(Number);
      t.diagnostic(`${acked.length} of 60 declarations acknowledged around the restart`);
      assert.ok(during.slice(0, 19).every(declared), 'the ones before the restart were acknowledged');
      assert.ok(acked.length < 60, 'acks paused while the database was away');

      // Back: each new declaration is acknowledged, within a few seconds of the server's return.
      const back = Date.now();
      const later = [];
      for (let k = 61; k <= 65; k += 1) {
        let number;
        for (let tries = 0; !number && Date.now() - back < 20000; tries += 1) number = declared(await send(`${k}.${tries}`));
        assert.ok(number, `declaration ${k} acknowledged after the restart`);
        later.push(Number(number));
      }
      t.diagnostic(`acknowledging again ${Date.now() - back} ms after the restart returned; numbers ${acked} then ${later}`);

      // Nothing acknowledged is lost and nothing is done twice: one war room and one declaration post each.
      for (const n of [...acked, ...later]) {
        const room = await w.waitForRoom(n, 30000);
        await w.sim.waitFor(() => room.pins.size === 1, 30000, `INC-${n}'s declaration pinned`);
        assert.equal(w.rooms(n).length, 1, `INC-${n}: one war room`);
        const posts = room.messages.filter((m) => new RegExp(`INCIDENT - Restart load .*\\(INC-${n}\\)`).test(m.text));
        assert.equal(posts.length, 1, `INC-${n}: one declaration post`);
      }
      assert.equal(new Set(acked).size, acked.length, 'each acknowledged declaration has a number of its own');
    } finally {
      await w.close();
      await pg.stop();
    }
  });
});
