// GET /metrics of `warroom run` in Prometheus' text format 0.0.4: every metric with HELP and TYPE,
// and the figures moving with what happens — a declared incident's slash command acknowledged and
// counted by type, the Slack calls it caused counted by method exactly as the simulator saw them
// (a 429 and a 503 among them), the open incidents by severity. A private incident's title, and
// the tokens, never appear.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { World } from './harness.mjs';

// The scrape as a map from series (name and labels, as written) to value; also its content type.
async function scrape(base) {
  const r = await fetch(`${base}/metrics`);
  assert.equal(r.status, 200);
  const text = await r.text();
  const series = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+) (\S+)$/.exec(line);
    assert.ok(m, `a sample line: ${line}`);
    series.set(m[1], Number(m[2].replace('+Inf', 'Infinity')));
  }
  return { text, series, contentType: r.headers.get('content-type') };
}

// A series' value; a labelled counter that never counted is not written, which is 0.
const value = (s, name) => s.series.get(name) ?? 0;

// Every envelope type's count, added up.
const envelopes = (s) => [...s.series].filter(([k]) => k.startsWith('warroom_envelopes_total{')).reduce((a, [, v]) => a + v, 0);

describe('/metrics', { timeout: 120000 }, () => {
  test('a declaration moves the ack histogram, envelopes, Slack calls and open incidents; a private title stays out', async () => {
    const w = await World.create();
    try {
      const bot = await w.start();
      const base = await bot.httpBase();

      const before = await scrape(base);
      assert.equal(before.contentType, 'text/plain; version=0.0.4; charset=utf-8');
      // Every sample's metric is introduced by HELP and TYPE.
      const families = new Set([...before.text.matchAll(/^# TYPE (\S+) (counter|gauge|histogram)$/gm)].map((m) => m[1]));
      for (const name of ['warroom_envelope_ack_seconds', 'warroom_envelopes_total', 'warroom_socket_mode_connections',
        'warroom_slack_api_calls_total', 'warroom_slack_api_rate_limited_total', 'warroom_slack_api_errors_total',
        'warroom_outbox_backlog', 'warroom_outbox_oldest_entry_age_seconds', 'warroom_outbox_places',
        'warroom_store_commit_seconds',
        'warroom_incidents_open', 'warroom_incidents_resolved', 'process_cpu_seconds_total',
        'process_resident_memory_bytes', 'process_open_fds', 'process_start_time_seconds']) {
        assert.ok(families.has(name), `# TYPE ${name}`);
        assert.match(before.text, new RegExp(`^# HELP ${name} \\S`, 'm'));
      }
      for (const key of before.series.keys()) {
        const name = key.replace(/\{.*$/, '').replace(/_(bucket|sum|count)$/, '');
        assert.ok(families.has(key.replace(/\{.*$/, '')) || families.has(name), `${key} has a TYPE line`);
      }
      assert.equal(value(before, 'warroom_socket_mode_connections'), 1);
      assert.equal(value(before, 'warroom_slack_api_calls_total{method="auth.test"}'), 1);
      assert.equal(value(before, 'warroom_slack_api_calls_total{method="apps.connections.open"}'), 1);
      for (const p of ['P0', 'P1', 'P2', 'P3']) assert.equal(value(before, `warroom_incidents_open{severity="${p}"}`), 0);

      // One post refused with 429 (then sent again), one topic with 503 (retried).
      w.sim.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
      w.sim.failNext('conversations.setTopic', { status: 503 });
      const declared = await w.sim.slashCommand({ text: 'declare P1 type:outage Checkout errors' }).ack;
      assert.match(declared.payload.text, /Declared INC-1/);
      const room = await w.waitForRoom(1);
      await w.sim.waitFor(() => room.topic.value !== '' && w.announcements().length === 1, 15000, 'topic and announcement');
      // Quiet: the outbox is empty and every call the simulator saw is counted.
      let after;
      await w.sim.waitFor(async () => {
        after = await scrape(base);
        return value(after, 'warroom_outbox_backlog') === 0 &&
          value(after, 'warroom_slack_api_calls_total{method="chat.postMessage"}') === w.calls('chat.postMessage').length &&
          value(after, 'warroom_envelope_ack_seconds_count') === envelopes(after);
      }, 15000, 'metrics settled');

      assert.equal(value(after, 'warroom_envelopes_total{type="slash_commands"}'),
        value(before, 'warroom_envelopes_total{type="slash_commands"}') + 1);
      assert.ok(value(after, 'warroom_envelope_ack_seconds_count') >= value(before, 'warroom_envelope_ack_seconds_count') + 1);
      // Buckets are cumulative and end with +Inf, which is the count; the acks were well inside 3 s.
      const buckets = [...after.series].filter(([k]) => k.startsWith('warroom_envelope_ack_seconds_bucket{'));
      assert.equal(buckets.at(-1)[0], 'warroom_envelope_ack_seconds_bucket{le="+Inf"}');
      for (let k = 1; k < buckets.length; ++k) assert.ok(buckets[k][1] >= buckets[k - 1][1], `${buckets[k][0]} cumulative`);
      assert.equal(buckets.at(-1)[1], value(after, 'warroom_envelope_ack_seconds_count'));
      assert.equal(value(after, 'warroom_envelope_ack_seconds_bucket{le="3"}'), value(after, 'warroom_envelope_ack_seconds_count'));
      assert.ok(value(after, 'warroom_envelope_ack_seconds_sum') > 0);

      const posts = w.calls('chat.postMessage');
      assert.ok(posts.length >= 3, `${posts.length} posts`);
      assert.equal(value(after, 'warroom_slack_api_calls_total{method="chat.postMessage"}'), posts.length);
      assert.equal(value(after, 'warroom_slack_api_calls_total{method="conversations.create"}'), w.calls('conversations.create').length);
      assert.equal(value(after, 'warroom_slack_api_calls_total{method="conversations.setTopic"}'), w.calls('conversations.setTopic').length);
      assert.equal(value(after, 'warroom_slack_api_rate_limited_total{method="chat.postMessage"}'), 1);
      assert.equal(value(after, 'warroom_slack_api_errors_total{method="conversations.setTopic",error="http"}'), 1);
      assert.equal(value(after, 'warroom_slack_api_errors_total{method="chat.postMessage",error="http"}'), 0, 'a 429 is not an error');

      assert.equal(value(after, 'warroom_incidents_open{severity="P1"}'), 1);
      assert.equal(value(after, 'warroom_incidents_open{severity="P0"}'), 0);
      assert.ok(value(after, 'warroom_store_commit_seconds_count') > value(before, 'warroom_store_commit_seconds_count'));
      assert.equal(value(after, 'warroom_outbox_oldest_entry_age_seconds'), 0);
      assert.ok(value(after, 'warroom_outbox_places') >= 2 && value(after, 'warroom_outbox_places') <= 32);

      // A private incident: counted by severity, its title nowhere.
      const secret = await w.sim.slashCommand({ text: 'declare P0 type:security Leaked zebra-7781 signing keys' }).ack;
      assert.match(secret.payload.text, /Declared INC-2/);
      await w.waitForRoom(2);
      const resolved = await w.sim.slashCommand({ channel: room.id, text: 'resolve Rolled back the deploy' }).ack;
      assert.ok(resolved, 'resolve acknowledged');
      let last;
      await w.sim.waitFor(async () => {
        last = await scrape(base);
        return value(last, 'warroom_incidents_open{severity="P0"}') === 1 && value(last, 'warroom_outbox_backlog') === 0;
      }, 15000, 'the P0 counted');
      assert.equal(value(last, 'warroom_incidents_open{severity="P1"}'), 0, 'INC-1 resolved');
      assert.equal(value(last, 'warroom_incidents_resolved'), 1);
      assert.equal(value(last, 'warroom_envelopes_total{type="slash_commands"}'),
        value(before, 'warroom_envelopes_total{type="slash_commands"}') + 3);
      for (const word of ['zebra', 'Leaked', 'signing keys', 'Checkout', w.sim.botToken, w.sim.appToken]) {
        assert.ok(!last.text.includes(word), `/metrics does not hold "${word.slice(0, 8)}"`);
      }
      // Only closed sets as label values: each label is one of the known ones.
      for (const key of last.series.keys()) {
        for (const [, label, v] of key.matchAll(/(\w+)="([^"]*)"/g)) {
          const allowed = { type: /^(events_api|slash_commands|interactive|other)$/, severity: /^P[0-3]$/,
            method: /^[a-z]+(\.[a-zA-Z]+)+$|^other$/, error: /^(transport|http|slack)$/, le: /^([0-9.e-]+|\+Inf)$/ };
          assert.ok(allowed[label]?.test(v), `${key}: ${label}="${v}"`);
        }
      }
    } finally {
      await w.close();
    }
  });
});
