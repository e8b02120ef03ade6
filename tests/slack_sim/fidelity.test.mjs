// Proves the simulator speaks real Slack: Slack's own SDKs (socket-mode, web-api, bolt) drive it with
// no special-casing, over plain ws/http here and over TLS in a child process (NODE_EXTRA_CA_CERTS is
// only read at process start). Then tests the simulator's own rules with raw HTTP and websockets.
// Run: cd tests/slack_sim && npm ci && node --test
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, it } from 'node:test';
import bolt from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import WebSocket from 'ws';
import { certFiles, makeCerts } from './certs.mjs';
import { defaultBotScopes, startSimulator } from './simulator.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const tlsChildCertDir = process.env.SLACK_SIM_TLS_CHILD_CERTS;

const [nodeMajor] = process.versions.node.split('.').map(Number);
if (nodeMajor < 20) throw new Error(`the Slack SDKs need Node >= 20, this is ${process.version}`);

// --- helpers -------------------------------------------------------------------------------------------

// One Web API call the way a hand-written client would make it: form-encoded (objects as JSON
// strings) or JSON, token in the Authorization header unless `token: null`.
async function api(sim, method, args = {}, { token = sim.botToken, json = false, query } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let body;
  if (json) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(args);
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(Object.entries(args).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
      .toString();
  }
  const url = `${sim.apiUrl}${method}${query ? `?${new URLSearchParams(query)}` : ''}`;
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch { /* HTML error pages stay text */ }
  return { status: res.status, headers: res.headers, body: parsed };
}

// The `error` code of a call (undefined when it succeeded).
const errorOf = async (...call) => (await api(...call)).body.error;

// A bare websocket client (the `ws` package, not an SDK) that records frames and pings.
async function connectRaw(sim) {
  const { body } = await api(sim, 'apps.connections.open', {}, { token: sim.appToken });
  assert.equal(body.ok, true, JSON.stringify(body));
  const ws = new WebSocket(body.url);
  const frames = [];
  const pings = [];
  const pongs = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) return frames.push(data);
    try {
      frames.push(JSON.parse(data.toString()));
    } catch {
      frames.push(data.toString());
    }
  });
  ws.on('ping', (data) => pings.push(data.toString()));
  ws.on('pong', (data) => pongs.push(data.toString()));
  await once(ws, 'open');
  await waitUntil(() => frames.length > 0, 'hello');
  return { ws, frames, pings, pongs, url: body.url };
}

// The HTTP status a websocket upgrade gets: 101 when it opens (then closed again), else the refusal.
async function upgradeStatus(url) {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('error', reject);
  });
}

async function waitUntil(predicate, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const quiet = LogLevel.ERROR;
// A simulator bug must fail a suite, not hang it (node:test has no default timeout).
const suiteTimeoutMs = 30_000;
const section = (text) => ({ type: 'section', text: { type: 'mrkdwn', text } });

// A WebClient call that must fail with Slack's error `code` (the SDK's WebAPIPlatformError).
const rejectsWith = (promise, code, what = code) => assert.rejects(promise,
  (err) => err.code === ErrorCode.PlatformError && err.data.error === code, what);

const withoutTs = ({ event_ts: _ts, ...event }) => event;

// The events the SDK worlds record (and ack), in arrival order.
const recordedEventTypes = ['member_joined_channel', 'member_left_channel', 'subteam_members_changed',
  'channel_archive', 'group_archive'];

// A simulator with a WebClient and a started SocketModeClient that acks and records every event of
// recordedEventTypes as {type, event, body}.
async function startSdkWorld(simOptions = {}) {
  const sim = await startSimulator({ rateLimits: false, ...simOptions });
  const web = new WebClient(sim.botToken, { slackApiUrl: sim.apiUrl, logLevel: quiet, retryConfig: { retries: 0 } });
  const socket = new SocketModeClient({
    appToken: sim.appToken, logLevel: quiet, clientPingTimeout: 1500, clientOptions: { slackApiUrl: sim.apiUrl },
  });
  const events = [];
  for (const type of recordedEventTypes) {
    socket.on(type, async ({ ack, event, body }) => {
      events.push({ type, event, body });
      await ack();
    });
  }
  await socket.start();
  const close = async () => {
    await socket.disconnect();
    await sim.close();
  };
  return { sim, web, socket, events, close };
}

// --- the official SDKs against the simulator -------------------------------------------------------------

function sdkSuite(label, simOptions) {
  describe(`Slack SDKs against the simulator (${label})`, { timeout: suiteTimeoutMs }, () => {
    let sim;
    let socket;
    let web;
    const seen = { slash: [], events: [] };

    before(async () => {
      sim = await startSimulator(simOptions);
      web = new WebClient(sim.botToken, { slackApiUrl: sim.apiUrl, logLevel: quiet, retryConfig: { retries: 0 } });
      // clientPingTimeout also sets the SDK's reconnect delay (timeout x failures), kept short here.
      socket = new SocketModeClient({
        appToken: sim.appToken, logLevel: quiet, clientPingTimeout: 1500, clientOptions: { slackApiUrl: sim.apiUrl },
      });
      socket.on('slash_commands', async ({ ack, body }) => {
        seen.slash.push(body);
        await ack({ response_type: 'ephemeral', text: `on it: ${body.text}` });
      });
      socket.on('reaction_added', async ({ ack, event, body, retry_num: retryNum }) => {
        seen.events.push({ event, body, retryNum });
        await ack();
      });
    });

    after(async () => {
      await socket?.disconnect();
      await sim?.close();
    });

    it('SocketModeClient opens a connection and gets hello', async () => {
      await socket.start(); // resolves on `hello`
      const open = sim.calls.filter((c) => c.method === 'apps.connections.open');
      assert.equal(open.length, 1);
      assert.equal(open[0].token, sim.appToken);
      assert.equal(open[0].status, 200);
      assert.match(open[0].response.url, simOptions.tls ? /^wss:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/ : /^ws:\/\//);
      assert.equal(sim.connections().length, 1);
      assert.ok(sim.connectionLog[0].helloAt >= sim.connectionLog[0].openedAt);
    });

    it('a slash command reaches the SDK and its ack with a payload is recorded', async () => {
      const { envelopeId, ack } = sim.slashCommand({ user: 'U222', text: 'declare db-primary down' });
      const record = await ack;
      assert.ok(record, 'acked before the deadline');
      assert.equal(record.envelopeId, envelopeId);
      assert.deepEqual(record.payload, { response_type: 'ephemeral', text: 'on it: declare db-primary down' });
      const body = seen.slash.at(-1);
      assert.equal(body.command, '/incident');
      assert.equal(body.user_id, 'U222');
      assert.equal(body.user_name, 'bob');
      assert.equal(body.channel_id, sim.channelByName('incidents').id);
      assert.equal(body.channel_name, 'incidents');
      assert.equal(body.api_app_id, sim.appId);
      assert.equal(body.team_id, sim.teamId);
      assert.match(body.trigger_id, /^\d+\.\d+\.[0-9a-f]+$/);
      assert.ok(body.response_url.startsWith(`${sim.baseUrl}/commands/`));
    });

    it('an events_api envelope reaches the SDK with retry_attempt 0', async () => {
      const item = { type: 'message', channel: sim.channelByName('incidents').id, ts: '1700000000.000100' };
      const { ack } = sim.event({ type: 'reaction_added', user: 'U333', reaction: 'eyes', item });
      assert.ok(await ack);
      const got = seen.events.at(-1);
      assert.equal(got.event.reaction, 'eyes');
      assert.equal(got.retryNum, 0);
      assert.match(got.body.event_id, /^Ev/);
      assert.equal(got.body.type, 'event_callback');
    });

    it('refresh_requested makes the SDK reconnect with a fresh ticket', async () => {
      const first = sim.connections()[0].id;
      sim.requestRefresh();
      await sim.waitFor(() => sim.connections().some((c) => c.id !== first && c.helloAt), 10_000, 'a new connection');
      assert.equal(sim.calls.filter((c) => c.method === 'apps.connections.open').length, 2);
      const { ack } = sim.slashCommand({ text: 'after refresh' });
      const record = await ack;
      assert.ok(record);
      assert.notEqual(record.connectionId, first);
    });

    it('WebClient: auth.test, conversations.create, chat.postMessage, conversations.history', async () => {
      const me = await web.auth.test();
      assert.equal(me.user_id, sim.botUserId);
      assert.equal(me.bot_id, sim.botId);
      const created = await web.conversations.create({ name: `inc-1-${label.toLowerCase().replace(/\W/g, '')}` });
      assert.equal(sim.channels.get(created.channel.id).creator, sim.botUserId);
      assert.ok(sim.channels.get(created.channel.id).members.has(sim.botUserId));
      const metadata = { event_type: 'warroom_outbox', event_payload: { outbox_id: 42 } };
      const posted = await web.chat.postMessage({
        channel: created.channel.id, text: 'SEV1: db down', blocks: [section('*SEV1*')], metadata,
      });
      assert.match(posted.ts, /^\d{10}\.\d{6}$/);
      const call = sim.calls.findLast((c) => c.method === 'chat.postMessage');
      assert.equal(call.encoding, 'form'); // the Node SDK form-encodes, objects as JSON strings
      const history = await web.conversations.history({ channel: created.channel.id, include_all_metadata: true });
      assert.equal(history.messages.length, 1);
      assert.equal(history.messages[0].ts, posted.ts);
      assert.deepEqual(history.messages[0].metadata, metadata);
      const plain = await web.conversations.history({ channel: created.channel.id });
      assert.equal(plain.messages[0].metadata, undefined);
      const reply = await web.chat.postMessage({ channel: created.channel.id, text: 'update', thread_ts: posted.ts, metadata });
      assert.equal(reply.message.thread_ts, posted.ts);
      const top = await web.conversations.history({ channel: created.channel.id });
      assert.equal(top.messages.length, 1, 'a reply is not in the channel history');
      const thread = await web.conversations.replies({ channel: created.channel.id, ts: posted.ts, include_all_metadata: true });
      assert.deepEqual(thread.messages.map((m) => m.ts), [posted.ts, reply.ts]);
      assert.deepEqual(thread.messages[1].metadata, metadata);
      await assert.rejects(web.conversations.replies({ channel: created.channel.id, ts: '1.000001' }),
        (e) => e.data?.error === 'thread_not_found');
    });

    it('WebClient files.uploadV2: upload URL, multipart upload, complete into a channel', async () => {
      const channel = sim.channelByName('incidents');
      const result = await web.filesUploadV2({
        channel_id: channel.id, file: Buffer.from('12:00 paged\n'), filename: 'timeline.txt', title: 'Timeline',
        initial_comment: 'timeline so far',
      });
      assert.equal(result.ok, true);
      const fileId = result.files[0].files[0].id;
      assert.equal(sim.files.get(fileId).bytes.toString(), '12:00 paged\n');
      const shared = channel.messages.at(-1);
      assert.equal(shared.text, 'timeline so far');
      assert.deepEqual(shared.files.map((f) => [f.id, f.title]), [[fileId, 'Timeline']]);
    });

    it('WebClient surfaces ok:false as WebAPIPlatformError with the code', async () => {
      const cases = [
        [() => web.conversations.create({ name: 'Has Capitals' }), 'invalid_name_specials'],
        [() => web.conversations.create({ name: 'incidents' }), 'name_taken'],
        [() => web.chat.postMessage({ channel: 'C0NOPE', text: 'x' }), 'channel_not_found'],
        [() => web.chat.postMessage({ channel: 'incidents' }), 'no_text'],
      ];
      for (const [call, code] of cases) {
        await assert.rejects(call, (err) => err.code === ErrorCode.PlatformError && err.data.error === code, code);
      }
    });

    it('a 429 with Retry-After is waited out and retried by the SDK', async () => {
      const retrying = new WebClient(sim.botToken, {
        slackApiUrl: sim.apiUrl, logLevel: quiet, retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 10 },
      });
      sim.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
      const started = Date.now();
      const posted = await retrying.chat.postMessage({ channel: 'incidents', text: 'after a 429' });
      const elapsed = Date.now() - started;
      assert.equal(posted.ok, true);
      assert.ok(elapsed >= 1000, `waited ${elapsed} ms, Retry-After said 1 s`);
      const statuses = sim.calls.filter((c) => c.method === 'chat.postMessage').slice(-2).map((c) => c.status);
      assert.deepEqual(statuses, [429, 200]);
    });

    if (simOptions.tls) {
      it("Node's fetch trusts the CA and rejects the wrong-host certificate", async () => {
        const headers = { authorization: `Bearer ${sim.botToken}` };
        const ok = await fetch(`${sim.apiUrl}auth.test`, { method: 'POST', headers });
        assert.equal((await ok.json()).ok, true);
        const wrong = await startSimulator({ ...simOptions, wrongHost: true });
        try {
          await assert.rejects(fetch(`${wrong.apiUrl}auth.test`, { method: 'POST' }),
            (err) => err.cause?.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
        } finally {
          await wrong.close();
        }
      });
    } else {
      it('Bolt App in socket mode: auth.test at construction, a command acked', async () => {
        const app = new bolt.App({
          token: sim.botToken, appToken: sim.appToken, socketMode: true, logLevel: quiet,
          clientOptions: { slackApiUrl: sim.apiUrl },
        });
        app.command('/incident', async ({ ack, command }) => ack(`bolt got ${command.text}`));
        await socket.disconnect(); // Bolt brings its own socket client
        await app.start();
        try {
          assert.ok(sim.calls.some((c) => c.method === 'auth.test' && c.status === 200));
          const record = await sim.slashCommand({ text: 'status' }).ack;
          assert.deepEqual(record?.payload, { text: 'bolt got status' });
        } finally {
          await app.stop(); // resolves before the socket is closed (Bolt does not await disconnect())
          await sim.waitFor(() => sim.connections().length === 0, 5000, 'Bolt closed its socket');
        }
      });
    }
  });
}

if (tlsChildCertDir) {
  sdkSuite('TLS', { tls: true, certs: certFiles(tlsChildCertDir) });
} else {
  sdkSuite('plain ws/http', { tls: false });

  describe('Slack SDKs over TLS', { timeout: suiteTimeoutMs }, () => {
    let certDir;
    before(async () => {
      certDir = await mkdtemp(join(tmpdir(), 'slack-sim-test-'));
      await makeCerts(certDir);
    });
    after(() => rm(certDir, { recursive: true, force: true }));

    it('pass in a child node with NODE_EXTRA_CA_CERTS set at start-up', async () => {
      // Without NODE_TEST_CONTEXT the child runs as a test runner of its own, not as our subprocess.
      const { NODE_TEST_CONTEXT: _runnerContext, ...env } = process.env;
      const child = spawn(process.execPath, ['--test', '--test-reporter=spec', join(here, 'fidelity.test.mjs')], {
        env: { ...env, SLACK_SIM_TLS_CHILD_CERTS: certDir, NODE_EXTRA_CA_CERTS: certFiles(certDir).caFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => { output += d; });
      child.stderr.on('data', (d) => { output += d; });
      const [code] = await once(child, 'exit');
      assert.equal(code, 0, output);
      assert.match(output, /ℹ pass 9\b/, output);
      assert.match(output, /ℹ fail 0\b/, output);
    });
  });
}

// --- the simulator's own rules ----------------------------------------------------------------------------

if (!tlsChildCertDir) {
  describe('simulator: Socket Mode', { timeout: suiteTimeoutMs }, () => {
    let sim;
    before(async () => {
      sim = await startSimulator({
        ackTimeoutMs: 200, redeliveryDelaysMs: [0, 100, 100], pingIntervalMs: 100, debugReconnectMs: 300,
      });
    });
    after(() => sim.close());
    // Each test starts without connections, so one failure does not cascade into the next.
    afterEach(async () => {
      sim.dropConnections();
      await sim.waitFor(() => sim.connections().length === 0, 2000, 'connections dropped');
    });

    it('apps.connections.open checks the token type and where it came from', async () => {
      assert.equal(await errorOf(sim, 'apps.connections.open', {}, { token: null }), 'not_authed');
      assert.equal(await errorOf(sim, 'apps.connections.open', {}, { token: sim.botToken }), 'not_allowed_token_type');
      assert.equal(await errorOf(sim, 'apps.connections.open', {}, { token: 'xapp-1-wrong' }), 'invalid_auth');
      // §1.1: the xapp token belongs in the header; in the body it does not count.
      const inBody = await api(sim, 'apps.connections.open', { token: sim.appToken }, { token: null });
      assert.equal(inBody.status, 200);
      assert.equal(inBody.body.error, 'not_authed');
      assert.equal(await errorOf(sim, 'chat.postMessage', { channel: 'incidents', text: 'x' }, { token: sim.appToken }),
        'not_allowed_token_type');
    });

    it('hello comes first and tickets are single use', async () => {
      const c = await connectRaw(sim);
      const hello = c.frames[0];
      assert.equal(hello.type, 'hello');
      assert.equal(hello.num_connections, 1);
      assert.equal(hello.connection_info.app_id, sim.appId);
      assert.equal(typeof hello.debug_info.approximate_connection_time, 'number');
      assert.equal(await upgradeStatus(c.url), 409);
      assert.equal(await upgradeStatus(c.url.replace(/ticket=[^&]+/, 'ticket=nope')), 409);
    });

    it('at most 10 connections; the 11th gets too_many_websockets', async () => {
      const clients = [];
      for (let i = 0; i < 10; i += 1) clients.push(await connectRaw(sim));
      assert.equal(clients[9].frames[0].num_connections, 10);
      const eleventh = await connectRaw(sim);
      assert.equal(eleventh.frames[0].type, 'disconnect');
      assert.equal(eleventh.frames[0].reason, 'too_many_websockets');
      await once(eleventh.ws, 'close');
      assert.equal(sim.connections().length, 10);
    });

    it('envelopes go round-robin; acks must come back on the delivering connection', async () => {
      const a = await connectRaw(sim);
      const b = await connectRaw(sim);
      const injected = [1, 2, 3, 4].map((n) => sim.slashCommand({ text: `n${n}` }));
      await waitUntil(() => a.frames.length + b.frames.length === 6, 'four envelopes');
      assert.equal(a.frames.length - 1, 2);
      assert.equal(b.frames.length - 1, 2);
      // Ack a's first envelope on b: misrouted, not counted, it times out.
      b.ws.send(JSON.stringify({ envelope_id: a.frames[1].envelope_id }));
      // Both wire forms of a good ack (§1.6), then a duplicate.
      a.ws.send(JSON.stringify({ envelope_id: a.frames[2].envelope_id }));
      b.ws.send(JSON.stringify({ envelope_id: b.frames[1].envelope_id, payload: {} }));
      b.ws.send(JSON.stringify({ envelope_id: b.frames[2].envelope_id, payload: { text: 'ok' } }));
      b.ws.send(JSON.stringify({ envelope_id: b.frames[2].envelope_id }));
      const results = await Promise.all(injected.map((i) => i.ack));
      const byId = new Map(results.filter(Boolean).map((r) => [r.envelopeId, r]));
      assert.equal(byId.size, 3);
      assert.equal(byId.get(a.frames[1].envelope_id), undefined);
      assert.deepEqual(byId.get(b.frames[2].envelope_id).payload, { text: 'ok' });
      assert.equal(sim.misroutedAcks.length, 1);
      assert.ok(sim.garbage.some((g) => g.reason === 'duplicate_ack'));
      assert.ok(sim.timeouts.some((t) => t.envelopeId === a.frames[1].envelope_id && t.error === 'operation_timeout'));
    });

    it('garbage frames are ignored and logged', async () => {
      const c = await connectRaw(sim);
      const before = sim.garbage.length;
      c.ws.send('{not json');
      c.ws.send('[1,2]');
      c.ws.send(Buffer.from([1, 2, 3]));
      c.ws.send(JSON.stringify({ envelope_id: 'never-sent' }));
      await sim.waitFor(() => sim.garbage.length === before + 4, 2000, 'garbage');
      assert.deepEqual(sim.garbage.slice(before).map((g) => g.reason),
        ['invalid_json', 'not_an_ack', 'binary', 'unknown_envelope']);
      sim.sendRaw('x'.repeat(1024 * 1024));
      sim.sendRaw('[1,2]');
      await waitUntil(() => c.frames.length === 3, 'raw frames');
      assert.equal(c.frames[1].length, 1024 * 1024);
      assert.deepEqual(c.frames[2], [1, 2]);
    });

    it('an unacked event is redelivered with retry_attempt 1..3, same event_id; a slash command is not', async () => {
      const c = await connectRaw(sim);
      sim.event({ type: 'app_mention', user: 'U111', text: `<@${sim.botUserId}> status`, channel: 'C1' });
      await waitUntil(() => c.frames.length === 5, 'four deliveries', 4000);
      const deliveries = c.frames.slice(1);
      assert.deepEqual(deliveries.map((e) => e.retry_attempt), [0, 1, 2, 3]);
      assert.deepEqual(deliveries.map((e) => e.retry_reason), ['', 'timeout', 'timeout', 'timeout']);
      assert.equal(new Set(deliveries.map((e) => e.payload.event_id)).size, 1);
      assert.equal(new Set(deliveries.map((e) => e.envelope_id)).size, 4);
      await sim.waitFor(() => sim.timeouts.some((t) => t.error === 'retries_exhausted'), 2000, 'given up');

      const slash = sim.slashCommand({ text: 'never acked' });
      assert.equal(await slash.ack, null);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(c.frames.filter((f) => f.type === 'slash_commands').length, 1);
      assert.ok(sim.timeouts.some((t) => t.envelopeId === slash.envelopeId && t.error === 'operation_timeout'));
    });

    it('envelopes injected while disconnected wait for the next hello', async () => {
      const { envelopeId } = sim.slashCommand({ text: 'queued' });
      const c = await connectRaw(sim);
      await waitUntil(() => c.frames.length === 2, 'queued envelope');
      assert.equal(c.frames[0].type, 'hello');
      assert.equal(c.frames[1].envelope_id, envelopeId);
    });

    it('server pings; client pings get pongs echoing the payload unless stopPongs', async () => {
      const c = await connectRaw(sim);
      await waitUntil(() => c.pings.length >= 2, 'server pings');
      c.ws.ping('client-1');
      await waitUntil(() => c.pongs.includes('client-1'), 'pong');
      sim.stopPongs = true;
      c.ws.ping('client-2');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(!c.pongs.includes('client-2'));
      sim.stopPongs = false;
      sim.pongDelayMs = 250;
      const sent = Date.now();
      c.ws.ping('client-3');
      await waitUntil(() => c.pongs.includes('client-3'), 'delayed pong');
      assert.ok(Date.now() - sent >= 240, `pong after ${Date.now() - sent} ms`);
      sim.pongDelayMs = 0;
    });

    it('refresh keeps delivering on the old connection until it closes', async () => {
      const old = await connectRaw(sim);
      const refreshed = sim.requestRefresh({ closeAfterMs: 300 });
      await waitUntil(() => old.frames.some((f) => f.type === 'disconnect'), 'disconnect');
      assert.equal(old.frames.at(-1).reason, 'refresh_requested');
      sim.slashCommand({ text: 'during refresh' });
      await waitUntil(() => old.frames.some((f) => f.type === 'slash_commands'), 'envelope on the old socket');
      await once(old.ws, 'close');
      const closed = () => sim.connectionLog.find((l) => l.id === refreshed && l.closedAt);
      const log = await sim.waitFor(closed, 2000, 'closed');
      assert.equal(log.how, 'refresh');
    });

    it('a warning disconnect, then a refresh that drops TCP without a close frame', async () => {
      const c = await connectRaw(sim);
      sim.sendDisconnect('warning');
      await waitUntil(() => c.frames.some((f) => f.reason === 'warning'), 'warning');
      assert.equal(sim.connections().length, 1, 'a warning alone closes nothing');
      const id = sim.requestRefresh({ dropWithoutClose: true, closeAfterMs: 50 });
      const [code] = await once(c.ws, 'close');
      assert.equal(code, 1006); // abnormal closure: no close frame was received
      assert.equal(c.frames.at(-1).reason, 'refresh_requested');
      await sim.waitFor(() => sim.connectionLog.find((l) => l.id === id).closedAt, 2000, 'closed');
      assert.equal(sim.connectionLog.find((l) => l.id === id).how, 'refresh_dropped');
    });

    it('debug_reconnects=true shortens the connection life to approximate_connection_time', async () => {
      const { body } = await api(sim, 'apps.connections.open', {}, { token: sim.appToken });
      const ws = new WebSocket(`${body.url}&debug_reconnects=true`);
      const frames = [];
      ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
      await waitUntil(() => frames.some((f) => f.type === 'disconnect'), 'refresh', 2000);
      assert.equal(frames[0].debug_info.approximate_connection_time, 1);
      assert.equal(frames[1].reason, 'refresh_requested');
    });

    it('link_disabled: connections are told and closed, new ones refused until re-enabled', async () => {
      const c = await connectRaw(sim);
      sim.linkDisabled = true;
      await once(c.ws, 'close');
      assert.equal(c.frames.at(-1).reason, 'link_disabled');
      assert.equal(await errorOf(sim, 'apps.connections.open', {}, { token: sim.appToken }), 'forbidden_team');
      sim.linkDisabled = false;
      await connectRaw(sim);
    });

    it('half-open: the socket stays up but nothing is read, written or pinged', async () => {
      const c = await connectRaw(sim);
      sim.halfOpen();
      const pingsBefore = c.pings.length;
      c.ws.ping('anyone?');
      const slash = sim.slashCommand({ text: 'into the void' });
      assert.equal(await slash.ack, null);
      assert.equal(c.frames.length, 1);
      assert.deepEqual(c.pongs, []);
      assert.ok(c.pings.length <= pingsBefore + 1);
      assert.equal(sim.connections().length, 1);
    });

    it('block_actions and view_submission payloads', async () => {
      const c = await connectRaw(sim);
      const blocks = [section('SEV1'), {
        type: 'actions', block_id: 'inc_actions',
        elements: [{ type: 'button', action_id: 'ack', text: { type: 'plain_text', text: 'Ack' }, value: 'inc-42' }],
      }];
      const { ts } = (await api(sim, 'chat.postMessage', { channel: 'incidents', text: 'SEV1', blocks })).body;
      const click = sim.blockAction({ user: 'U222', channel: 'incidents', messageTs: ts, actionId: 'ack' });
      await waitUntil(() => c.frames.length === 2, 'block action');
      const action = c.frames[1];
      assert.equal(action.type, 'interactive');
      assert.equal(action.accepts_response_payload, false);
      assert.equal(action.payload.type, 'block_actions');
      assert.equal(action.payload.container.message_ts, ts);
      const [clicked] = action.payload.actions;
      assert.deepEqual([clicked.action_id, clicked.block_id, clicked.value], ['ack', 'inc_actions', 'inc-42']);
      assert.ok(action.payload.response_url.startsWith(`${sim.baseUrl}/actions/`));
      c.ws.send(JSON.stringify({ envelope_id: action.envelope_id }));
      assert.ok(await click.ack);

      const view = { type: 'modal', title: { type: 'plain_text', text: 'Declare' }, blocks: [section('hi')] };
      const opened = await api(sim, 'views.open', { trigger_id: action.payload.trigger_id, view }, { json: true });
      assert.equal(opened.body.ok, true, JSON.stringify(opened.body));
      const values = { sev: { v: { type: 'static_select', selected_option: { value: 'sev1' } } } };
      sim.viewSubmission({ user: 'U222', view: opened.body.view.id, values });
      await waitUntil(() => c.frames.length === 3, 'view submission');
      const submission = c.frames[2];
      assert.equal(submission.accepts_response_payload, true);
      assert.equal(submission.payload.type, 'view_submission');
      assert.equal(submission.payload.view.id, opened.body.view.id);
      assert.deepEqual(submission.payload.view.state.values, values);
    });

    it('refused upgrades, dropped and reset connections are logged', async () => {
      sim.refuseConnects(1, 500);
      const { body } = await api(sim, 'apps.connections.open', {}, { token: sim.appToken });
      assert.equal(await upgradeStatus(body.url), 500);
      const c = await connectRaw(sim);
      sim.dropConnections({ reset: true });
      await once(c.ws, 'close');
      assert.equal(sim.connectionLog.at(-1).how, 'reset');
      assert.equal(sim.rejectedUpgrades.at(-1).status, 500);
    });
  });

  describe('simulator: Web API', { timeout: suiteTimeoutMs }, () => {
    let sim;
    before(async () => {
      sim = await startSimulator({ rateLimits: false, triggerTtlMs: 500 });
    });
    after(() => sim.close());

    it('channel names follow conversations.create rules', async () => {
      const cases = [
        ['', 'invalid_name_required'],
        ['x'.repeat(81), 'invalid_name_maxlength'],
        ['Upper', 'invalid_name_specials'],
        ['has space', 'invalid_name_specials'],
        ['--', 'invalid_name_punctuation'],
        ['incidents', 'name_taken'],
      ];
      for (const [name, error] of cases) {
        assert.equal(await errorOf(sim, 'conversations.create', { name }, { json: true }), error, name);
      }
      assert.equal((await api(sim, 'conversations.create', { name: 'x'.repeat(80) }, { json: true })).body.ok, true);
      sim.addChannel({ name: 'old-incident', isArchived: true });
      assert.equal(await errorOf(sim, 'conversations.create', { name: 'old-incident' }), 'name_taken');
    });

    it('argument encodings: query, form, JSON; JSON needs the header and a JSON-capable method', async () => {
      const query = await api(sim, 'users.info', {}, { token: null, query: { token: sim.botToken, user: 'U111' } });
      assert.equal(query.body.user.name, 'alice');
      assert.equal(query.headers.get('x-oauth-scopes').includes('chat:write'), true);
      const noHeader = await api(sim, 'auth.test', { token: sim.botToken }, { token: null, json: true });
      assert.equal(noHeader.body.error, 'not_authed');
      const jsonRead = await api(sim, 'users.info', { user: 'U111' }, { json: true });
      assert.equal(jsonRead.body.error, 'invalid_arguments');
      const res = await fetch(`${sim.apiUrl}auth.test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sim.botToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      const body = await res.json();
      assert.equal(body.ok, true);
      assert.deepEqual(body.response_metadata.warnings, ['missing_charset']);
      assert.equal(await errorOf(sim, 'users.info', { user: 'U999' }), 'user_not_found');
    });

    it('conversations.invite outcomes', async () => {
      const ch = (await api(sim, 'conversations.create', { name: 'inc-invite' }, { json: true })).body.channel;
      const invite = (users) => api(sim, 'conversations.invite', { channel: ch.id, users }, { json: true });
      assert.equal((await invite('U111,U222')).body.ok, true);
      assert.equal((await invite('U111')).body.error, 'already_in_channel');
      assert.equal((await invite(sim.botUserId)).body.error, 'cant_invite_self');
      const partial = await invite('U333,U999');
      assert.equal(partial.body.error, 'user_not_found');
      assert.deepEqual(partial.body.errors, [{ user: 'U999', ok: false, error: 'user_not_found' }]);
      assert.ok(!sim.channels.get(ch.id).members.has('U333'), 'nobody invited without force');
      const outsider = sim.addChannel({ name: 'not-mine', members: ['U111'] });
      assert.equal(await errorOf(sim, 'conversations.invite', { channel: outsider.id, users: 'U222' }),
        'not_in_channel');
      assert.equal(await errorOf(sim, 'chat.postMessage', { channel: outsider.id, text: 'x' }), 'not_in_channel');
      const topic = { channel: ch.id, topic: 't'.repeat(251) };
      assert.equal(await errorOf(sim, 'conversations.setTopic', topic, { json: true }), 'too_long');
    });

    it('conversations.history pages newest first with Slack cursors', async () => {
      const ch = sim.addChannel({ name: 'history' });
      const posted = [];
      for (let i = 0; i < 5; i += 1) {
        posted.push((await api(sim, 'chat.postMessage', { channel: ch.id, text: `m${i}` }, { json: true })).body.ts);
      }
      const seen = [];
      let cursor = '';
      do {
        const { body } = await api(sim, 'conversations.history', { channel: ch.id, limit: 2, cursor });
        seen.push(...body.messages.map((m) => m.ts));
        cursor = body.response_metadata.next_cursor;
        assert.equal(body.has_more, cursor !== '');
      } while (cursor);
      assert.deepEqual(seen, [...posted].reverse());
      const { body } = await api(sim, 'conversations.history', { channel: ch.id, oldest: posted[2] });
      assert.deepEqual(body.messages.map((m) => m.ts), [posted[4], posted[3]]);
    });

    it('invalid blocks: more than 50, section text over 3000, bad JSON', async () => {
      const many = Array.from({ length: 51 }, (_, i) => section(`b${i}`));
      const post = (blocks, options) => api(sim, 'chat.postMessage', { channel: 'incidents', text: 'x', blocks },
        options);
      assert.equal((await post(many, { json: true })).body.error, 'invalid_blocks');
      const long = await post([section('y'.repeat(3001))]);
      assert.equal(long.body.error, 'invalid_blocks');
      assert.match(long.body.errors[0], /json-pointer:\/blocks\/0\/text\/text/);
      assert.equal((await post('[{')).body.error, 'invalid_blocks_format');
      assert.equal((await post([section('y'.repeat(3000))])).body.ok, true);
    });

    it('chat.update, pins and reactions', async () => {
      const ts = (await api(sim, 'chat.postMessage', { channel: 'incidents', text: 'v1' }, { json: true })).body.ts;
      const ch = sim.channelByName('incidents').id;
      assert.equal((await api(sim, 'chat.update', { channel: ch, ts, text: 'v2' }, { json: true })).body.text, 'v2');
      assert.equal(await errorOf(sim, 'chat.update', { channel: ch, ts: '1.000001', text: 'x' }), 'message_not_found');
      const human = sim.userMessage({ text: 'human words' }).ts;
      assert.equal(await errorOf(sim, 'chat.update', { channel: ch, ts: human, text: 'x' }), 'cant_update_message');
      assert.equal((await api(sim, 'pins.add', { channel: ch, timestamp: ts })).body.ok, true);
      assert.equal(await errorOf(sim, 'pins.add', { channel: ch, timestamp: ts }), 'already_pinned');
      assert.equal(await errorOf(sim, 'pins.add', { channel: ch, timestamp: '1.000001' }), 'message_not_found');
      assert.equal((await api(sim, 'reactions.add', { channel: ch, timestamp: ts, name: 'eyes' })).body.ok, true);
      assert.equal(await errorOf(sim, 'reactions.add', { channel: ch, timestamp: ts, name: 'eyes' }),
        'already_reacted');
    });

    it('views.open consumes a 3 s single-use trigger; views.update checks the hash', async () => {
      const view = {
        type: 'modal', title: { type: 'plain_text', text: 'Declare' }, submit: { type: 'plain_text', text: 'Go' },
        callback_id: 'declare',
        blocks: [{ type: 'input', block_id: 'sev', label: { type: 'plain_text', text: 'Severity' },
          element: { type: 'plain_text_input', action_id: 'v' } }],
      };
      const trigger = sim.newTrigger('U111'); // what slashCommand() puts in its payload
      const opened = await api(sim, 'views.open', { trigger_id: trigger, view }, { json: true });
      assert.equal(opened.body.ok, true, JSON.stringify(opened.body));
      assert.equal(sim.views.get(opened.body.view.id).callback_id, 'declare');
      assert.equal(await errorOf(sim, 'views.open', { trigger_id: trigger, view }), 'exchanged_trigger_id');
      assert.equal(await errorOf(sim, 'views.open', { trigger_id: 'garbage', view }), 'invalid_trigger_id');
      const { submit: _dropped, ...noSubmit } = view;
      assert.equal(await errorOf(sim, 'views.open', { trigger_id: sim.newTrigger('U111'), view: noSubmit }),
        'invalid_arguments');
      const stale = sim.newTrigger('U111');
      await new Promise((resolve) => setTimeout(resolve, 550));
      assert.equal(await errorOf(sim, 'views.open', { trigger_id: stale, view }), 'expired_trigger_id');
      const { id, hash } = opened.body.view;
      assert.equal(await errorOf(sim, 'views.update', { view_id: id, hash: 'old', view }), 'hash_conflict');
      assert.equal((await api(sim, 'views.update', { view_id: id, hash, view })).body.ok, true);
      assert.equal(await errorOf(sim, 'views.update', { view_id: 'VNOPE', view }), 'not_found');
    });

    it('response_url: 5 uses, then 404; in_channel posts into the channel', async () => {
      const url = sim.newResponseUrl('commands', { channel: sim.channelByName('incidents').id, user: 'U111' });
      const post = (body) => fetch(url, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      const before = sim.channelByName('incidents').messages.length;
      assert.equal((await post({ response_type: 'in_channel', text: 'declared' })).status, 200);
      assert.equal(sim.channelByName('incidents').messages.length, before + 1);
      for (let i = 0; i < 4; i += 1) assert.equal((await post({ text: `eph ${i}` })).status, 200);
      assert.equal((await post({ text: 'sixth' })).status, 404);
      assert.equal(sim.responses.filter((r) => r.status === 200).length, 5);
    });

    it('file upload v2: URL, raw bytes, complete shares into a channel', async () => {
      const ch = sim.channelByName('incidents').id;
      const got = await api(sim, 'files.getUploadURLExternal', { filename: 'timeline.md', length: '5' });
      assert.equal(got.body.ok, true);
      assert.equal(await errorOf(sim, 'files.getUploadURLExternal', { filename: 'a', length: 5 }, { json: true }),
        'invalid_arguments');
      const up = await fetch(got.body.upload_url, { method: 'POST', body: 'hello' });
      assert.equal(up.status, 200);
      const done = await api(sim, 'files.completeUploadExternal', {
        files: [{ id: got.body.file_id, title: 'Timeline' }], channel_id: ch,
      }, { json: true });
      assert.equal(done.body.files[0].title, 'Timeline');
      assert.equal(sim.files.get(got.body.file_id).bytes.toString(), 'hello');
      assert.equal(sim.channelByName('incidents').messages.at(-1).files[0].id, got.body.file_id);
    });

    it('conversations.list and conversations.open; chat.postEphemeral', async () => {
      sim.addChannel({ name: 'secret', isPrivate: true, members: ['U111'] });
      const names = [];
      let cursor = '';
      do {
        const args = { limit: '1', types: 'public_channel,private_channel', cursor };
        const { body } = await api(sim, 'conversations.list', args);
        names.push(...body.channels.map((c) => c.name));
        cursor = body.response_metadata.next_cursor;
      } while (cursor);
      assert.ok(names.includes('incidents'));
      assert.ok(!names.includes('secret'), 'private channels the bot is not in stay hidden');
      assert.equal(new Set(names).size, names.length);
      assert.equal(await errorOf(sim, 'conversations.list', { types: 'bogus' }), 'invalid_types');
      const dm = await api(sim, 'conversations.open', { users: 'U333' }, { json: true });
      assert.match(dm.body.channel.id, /^D/);
      const again = await api(sim, 'conversations.open', { users: 'U333' }, { json: true });
      assert.equal(again.body.channel.id, dm.body.channel.id);
      assert.equal(again.body.already_open, true);
      const lonely = sim.addChannel({ name: 'lonely' });
      assert.equal(await errorOf(sim, 'chat.postEphemeral', { channel: lonely.id, user: 'U111', text: 'x' }),
        'user_not_in_channel');
      const eph = { channel: 'incidents', user: 'U111', text: 'only you' };
      assert.equal((await api(sim, 'chat.postEphemeral', eph, { json: true })).body.ok, true);
      assert.equal(sim.ephemerals.at(-1).text, 'only you');
    });

    it('faults: failNext, apiDown, latency and afterCall', async () => {
      sim.failNext('auth.test', { status: 503, html: true });
      const down = await api(sim, 'auth.test');
      assert.equal(down.status, 503);
      assert.match(down.body, /<html>/);
      sim.failNext('auth.test', { error: 'internal_error' }, 2);
      assert.equal(await errorOf(sim, 'auth.test'), 'internal_error');
      assert.equal(await errorOf(sim, 'auth.test'), 'internal_error');
      assert.equal((await api(sim, 'auth.test')).body.ok, true);
      sim.failNext('auth.test', { reset: true });
      await assert.rejects(api(sim, 'auth.test'));
      sim.apiDown = true;
      assert.equal((await api(sim, 'users.info', { user: 'U111' })).status, 503);
      sim.apiDown = false;
      sim.failNext('users.info', { delayMs: 150 });
      sim.latencyMs = 50;
      const started = Date.now();
      assert.equal((await api(sim, 'users.info', { user: 'U111' })).body.ok, true);
      assert.ok(Date.now() - started >= 200);
      sim.latencyMs = 0;
      // afterCall runs once the channel exists but before the client hears about it.
      let existedBeforeResponse = false;
      const remove = sim.afterCall('conversations.create', () => {
        existedBeforeResponse = Boolean(sim.channelByName('inc-hook'));
      });
      await api(sim, 'conversations.create', { name: 'inc-hook' });
      remove();
      assert.equal(existedBeforeResponse, true);
    });
  });

  describe("simulator: events for the bot's own actions and for people", { timeout: suiteTimeoutMs }, () => {
    let sim;
    before(async () => {
      sim = await startSimulator({ emitEvents: true, rateLimits: false });
    });
    after(() => sim.close());

    it('member_joined_channel, message (with bot_id), pin_added, app_mention', async () => {
      const c = await connectRaw(sim);
      const events = () => c.frames.filter((f) => f.type === 'events_api').map((f) => f.payload.event);
      const ch = (await api(sim, 'conversations.create', { name: 'inc-events' })).body.channel;
      const ts = (await api(sim, 'chat.postMessage', { channel: ch.id, text: 'declared' })).body.ts;
      await api(sim, 'pins.add', { channel: ch.id, timestamp: ts });
      sim.userMessage({ user: 'U111', channel: 'incidents', text: `<@${sim.botUserId}> status` });
      await waitUntil(() => events().length === 5, 'five events');
      assert.deepEqual(events().map((e) => e.type),
        ['member_joined_channel', 'message', 'pin_added', 'message', 'app_mention']);
      assert.equal(events()[1].bot_id, sim.botId);
      assert.equal(events()[2].item.message.ts, ts);
      assert.equal(events()[3].bot_id, undefined);
      c.ws.close();
    });
  });

  // --- user groups, e-mail look-up, archive, members and membership events, through Slack's SDKs -----------

  describe('Slack SDKs: user groups, e-mail, archive, members, membership events', { timeout: suiteTimeoutMs }, () => {
    let world;
    before(async () => {
      world = await startSdkWorld();
    });
    after(() => world?.close());

    it('usergroups.list (include_users, include_disabled) and usergroups.users.list', async () => {
      const { sim, web } = world;
      sim.addUserGroup({ id: 'S0SEC', handle: 'security', name: 'Security', users: ['U111', 'U222'] });
      sim.addUserGroup({ id: 'S0OLD', handle: 'old-team', name: 'Old team', users: ['U333'], disabled: true });
      const plain = await web.usergroups.list();
      assert.deepEqual(plain.usergroups.map((g) => g.id), ['S0SEC'], 'disabled groups only on request');
      const [security] = plain.usergroups;
      assert.deepEqual([security.handle, security.name, security.user_count, security.team_id, security.date_delete],
        ['security', 'Security', 2, sim.teamId, 0]);
      assert.equal(security.users, undefined);
      const full = await web.usergroups.list({ include_users: true, include_disabled: true, include_count: true });
      assert.deepEqual(full.usergroups.map((g) => [g.id, g.users, g.date_delete > 0]),
        [['S0SEC', ['U111', 'U222'], false], ['S0OLD', ['U333'], true]]);
      assert.deepEqual((await web.usergroups.users.list({ usergroup: 'S0SEC' })).users, ['U111', 'U222']);
      await rejectsWith(web.usergroups.users.list({ usergroup: 'S0NOPE' }), 'no_such_subteam');
      await rejectsWith(web.usergroups.users.list({ usergroup: 'S0OLD' }), 'no_such_subteam');
      assert.deepEqual((await web.usergroups.users.list({ usergroup: 'S0OLD', include_disabled: true })).users,
        ['U333']);
      await rejectsWith(web.apiCall('usergroups.users.list', {}), 'invalid_arguments');
    });

    it('setUserGroupMembers: subteam_members_changed with the delta reaches the SocketModeClient', async () => {
      const { sim, web, events } = world;
      sim.addUserGroup({ id: 'S0DBA', handle: 'dba', name: 'DBAs', users: ['U111', 'U222'] });
      const previous = sim.usergroups.get('S0DBA').date_update;
      const delivery = sim.setUserGroupMembers('S0DBA', ['U222', 'U333', 'U444']);
      assert.ok(await delivery.ack, 'acked by the SDK');
      const { event, body } = events.find((e) => e.type === 'subteam_members_changed');
      const { event_ts: eventTs, ...rest } = event;
      assert.deepEqual(rest, {
        type: 'subteam_members_changed', subteam_id: 'S0DBA', team_id: sim.teamId,
        date_previous_update: previous, date_update: sim.usergroups.get('S0DBA').date_update,
        added_users: ['U333', 'U444'], added_users_count: 2, removed_users: ['U111'], removed_users_count: 1,
      });
      assert.ok(rest.date_update > previous);
      assert.match(eventTs, /^\d{10}\.\d{6}$/);
      assert.equal(body.type, 'event_callback');
      assert.deepEqual((await web.usergroups.users.list({ usergroup: 'S0DBA' })).users, ['U222', 'U333', 'U444']);
      assert.equal(sim.setUserGroupMembers('S0DBA', ['U444', 'U333', 'U222']), null, 'no change, no event');
    });

    it('users.lookupByEmail; users.info carries profile.email with users:read.email', async () => {
      const { sim, web } = world;
      const found = await web.users.lookupByEmail({ email: 'carol@example.com' });
      assert.deepEqual([found.user.id, found.user.name, found.user.profile.email],
        ['U333', 'carol', 'carol@example.com']);
      assert.equal((await web.users.lookupByEmail({ email: 'Carol@Example.COM' })).user.id, 'U333');
      sim.addUser({ id: 'U555', name: 'erin', email: 'erin@example.com' });
      assert.equal((await web.users.lookupByEmail({ email: 'erin@example.com' })).user.id, 'U555');
      await rejectsWith(web.users.lookupByEmail({ email: 'nobody@example.com' }), 'users_not_found');
      await rejectsWith(web.apiCall('users.lookupByEmail', {}), 'invalid_arguments');
      assert.equal((await web.users.info({ user: 'U111' })).user.profile.email, 'alice@example.com');
      assert.equal((await web.users.info({ user: sim.botUserId })).user.profile.email, undefined, 'bots have none');
    });

    it('conversations.archive; then posting, editing, topic, invite and pins fail with is_archived', async () => {
      const { sim, web } = world;
      const ch = (await web.conversations.create({ name: 'inc-archive' })).channel;
      const { ts } = await web.chat.postMessage({ channel: ch.id, text: 'resolved' });
      assert.equal((await web.conversations.archive({ channel: ch.id })).ok, true);
      assert.equal((await web.conversations.info({ channel: ch.id })).channel.is_archived, true);
      assert.equal((await web.conversations.history({ channel: ch.id })).messages[0].ts, ts, 'history is kept');
      assert.ok(sim.channels.get(ch.id).members.has(sim.botUserId), 'members are kept');
      const writes = {
        'chat.postMessage': () => web.chat.postMessage({ channel: ch.id, text: 'x' }),
        'chat.update': () => web.chat.update({ channel: ch.id, ts, text: 'x' }),
        'conversations.setTopic': () => web.conversations.setTopic({ channel: ch.id, topic: 'x' }),
        'conversations.invite': () => web.conversations.invite({ channel: ch.id, users: 'U111' }),
        'pins.add': () => web.pins.add({ channel: ch.id, timestamp: ts }),
      };
      for (const [method, write] of Object.entries(writes)) await rejectsWith(write(), 'is_archived', method);
      const priv = (await web.conversations.create({ name: 'inc-archive-private', is_private: true })).channel;
      assert.equal((await web.conversations.archive({ channel: priv.id })).ok, true);
    });

    it('conversations.archive errors', async () => {
      const { sim, web } = world;
      sim.addChannel({ name: 'gone', isArchived: true });
      await rejectsWith(web.conversations.archive({ channel: sim.channelByName('gone').id }), 'already_archived');
      const general = sim.addChannel({ name: 'general', isGeneral: true });
      assert.equal((await web.conversations.info({ channel: general.id })).channel.is_general, true);
      await rejectsWith(web.conversations.archive({ channel: general.id }), 'cant_archive_general');
      const notMine = sim.addChannel({ name: 'not-mine-archive', members: ['U111'] });
      await rejectsWith(web.conversations.archive({ channel: notMine.id }), 'not_in_channel');
      await rejectsWith(web.conversations.archive({ channel: 'C0NOPE' }), 'channel_not_found');
      const secret = sim.addChannel({ name: 'secret-archive', isPrivate: true, members: ['U111'] });
      await rejectsWith(web.conversations.archive({ channel: secret.id }), 'channel_not_found');
      const dm = (await web.conversations.open({ users: 'U222' })).channel;
      await rejectsWith(web.conversations.archive({ channel: dm.id }), 'method_not_supported_for_channel_type');
      await rejectsWith(web.apiCall('conversations.archive', {}), 'invalid_arguments');
      assert.equal(sim.channels.get(notMine.id).is_archived, false);
    });

    it('conversations.members pages with limit and cursors (WebClient.paginate)', async () => {
      const { sim, web } = world;
      const ch = sim.addChannel({ name: 'inc-members', members: [sim.botUserId, 'U111', 'U222', 'U333', 'U444'] });
      const pages = [];
      for await (const page of web.paginate('conversations.members', { channel: ch.id, limit: 2 })) {
        pages.push(page.members);
      }
      assert.deepEqual(pages, [[sim.botUserId, 'U111'], ['U222', 'U333'], ['U444']]);
      const [first, , last] = sim.calls.filter((c) => c.method === 'conversations.members').slice(-3);
      assert.equal(Buffer.from(first.response.response_metadata.next_cursor, 'base64').toString(), 'user:U222');
      assert.equal(last.response.response_metadata.next_cursor, '');
      await rejectsWith(web.conversations.members({ channel: ch.id, cursor: 'bm9wZQ==' }), 'invalid_cursor');
      await rejectsWith(web.conversations.members({ channel: ch.id, limit: 0 }), 'invalid_limit');
      await rejectsWith(web.conversations.members({ channel: 'C0NOPE' }), 'channel_not_found');
      await rejectsWith(web.apiCall('conversations.members', {}), 'invalid_arguments');
      const outside = sim.addChannel({ name: 'inc-members-outside', members: ['U111'] });
      assert.deepEqual((await web.conversations.members({ channel: outside.id })).members, ['U111'],
        'a public channel is readable from outside');
    });

    it('joinChannel / leaveChannel: member_joined_channel and member_left_channel over Socket Mode', async () => {
      const { sim, events } = world;
      const ch = sim.addChannel({ name: 'inc-people' }); // the bot alone
      const secret = sim.addChannel({ name: 'inc-people-private', isPrivate: true });
      for (const delivery of [
        sim.joinChannel('U111', ch.id),
        sim.joinChannel('U222', 'inc-people', { inviter: 'U111' }),
        sim.leaveChannel('U111', ch.id),
        sim.joinChannel('U333', secret.id),
      ]) {
        assert.ok(await delivery.ack, 'acked by the SDK');
      }
      const mine = events.filter((e) => [ch.id, secret.id].includes(e.event.channel)).map((e) => withoutTs(e.event));
      const team = sim.teamId;
      assert.deepEqual(mine, [
        { type: 'member_joined_channel', user: 'U111', channel: ch.id, channel_type: 'C', team },
        { type: 'member_joined_channel', user: 'U222', channel: ch.id, channel_type: 'C', team, inviter: 'U111' },
        { type: 'member_left_channel', user: 'U111', channel: ch.id, channel_type: 'C', team },
        { type: 'member_joined_channel', user: 'U333', channel: secret.id, channel_type: 'G', team },
      ]);
      assert.deepEqual([...ch.members], [sim.botUserId, 'U222']);
      // In a channel without the bot the membership changes and the bot hears nothing.
      const elsewhere = sim.addChannel({ name: 'inc-elsewhere', members: ['U111'] });
      assert.equal(sim.joinChannel('U222', elsewhere.id), null);
      assert.equal(sim.leaveChannel('U111', elsewhere.id), null);
      assert.deepEqual([...elsewhere.members], ['U222']);
      assert.throws(() => sim.joinChannel('U222', ch.id), /already in/);
      assert.throws(() => sim.leaveChannel('U111', ch.id), /not in/);
      assert.throws(() => sim.joinChannel(sim.botUserId, elsewhere.id), /bot's own membership/);
      assert.throws(() => sim.joinChannel('U999', ch.id), /unknown user/);
    });

    it("conversations.invite: member_joined_channel per invited user, with inviter, emitEvents off; not the bot's own",
      async () => {
        const { sim, web, events } = world;
        const ch = (await web.conversations.create({ name: 'inc-invited' })).channel;
        await web.conversations.invite({ channel: ch.id, users: 'U111,U333' });
        await web.conversations.invite({ channel: ch.id, users: 'U222,U999', force: true }); // U999 does not exist
        const joins = await sim.waitFor(() => {
          const found = events.filter((e) => e.event.channel === ch.id);
          return found.length >= 3 && found;
        }, 5000, 'three joins');
        assert.deepEqual(joins.map((e) => withoutTs(e.event)), ['U111', 'U333', 'U222'].map((user) => ({
          type: 'member_joined_channel', user, channel: ch.id, channel_type: 'C', team: sim.teamId,
          inviter: sim.botUserId,
        })));
        // Deliveries keep their order on one connection: the create's join would have come first.
        assert.ok(!events.some((e) => e.event.user === sim.botUserId), "the bot's own join stays behind emitEvents");
      });

    it('a private channel the bot is not in is channel_not_found for every method that takes a channel', async () => {
      const { sim, web } = world;
      const secret = sim.addChannel({ name: 'secret-sweep', isPrivate: true, members: ['U111'] });
      const { ts } = sim.workspace.addMessage(secret, { user: 'U111', text: 'hush' });
      const upload = await web.files.getUploadURLExternal({ filename: 'notes.txt', length: 2 });
      await fetch(upload.upload_url, { method: 'POST', body: 'hi' });
      const channel = secret.id;
      const calls = {
        'conversations.info': { channel },
        'conversations.history': { channel },
        'conversations.members': { channel },
        'conversations.archive': { channel },
        'conversations.invite': { channel, users: 'U222' },
        'conversations.setTopic': { channel, topic: 't' },
        'conversations.setPurpose': { channel, purpose: 'p' },
        'conversations.open': { channel },
        'chat.postMessage': { channel, text: 'x' },
        'chat.update': { channel, ts, text: 'x' },
        'chat.postEphemeral': { channel, user: 'U111', text: 'x' },
        'pins.add': { channel, timestamp: ts },
        'pins.remove': { channel, timestamp: ts },
        'reactions.add': { channel, timestamp: ts, name: 'eyes' },
        'files.completeUploadExternal': { files: [{ id: upload.file_id }], channel_id: channel },
      };
      for (const [method, args] of Object.entries(calls)) {
        await rejectsWith(web.apiCall(method, args), 'channel_not_found', method);
      }
      await rejectsWith(web.chat.postMessage({ channel: '#secret-sweep', text: 'x' }), 'channel_not_found', 'by name');
      assert.equal(secret.messages.length, 1);
      assert.equal(secret.is_archived, false);
      assert.deepEqual([...secret.members], ['U111']);
    });

    it('without the scopes: no e-mail, missing_scope, groups:write for a private archive, no events', async () => {
      const without = (...dropped) => defaultBotScopes.filter((s) => !dropped.includes(s));
      const narrow = await startSdkWorld({
        botScopes: without('users:read.email', 'usergroups:read', 'groups:write', 'channels:read'),
      });
      try {
        const { sim, web, events } = narrow;
        const missing = (needed) => (err) => err.data?.error === 'missing_scope' && err.data.needed === needed;
        assert.equal((await web.users.info({ user: 'U111' })).user.profile.email, undefined);
        await assert.rejects(web.users.lookupByEmail({ email: 'alice@example.com' }), missing('users:read.email'));
        await assert.rejects(web.usergroups.list(), missing('usergroups:read'));
        await assert.rejects(web.usergroups.users.list({ usergroup: 'S0X' }), missing('usergroups:read'));
        sim.addUserGroup({ id: 'S0X', handle: 'x' });
        assert.equal(sim.setUserGroupMembers('S0X', ['U111']), null, 'not subscribed without usergroups:read');
        const secret = sim.addChannel({ name: 'secret-narrow', isPrivate: true });
        await assert.rejects(web.conversations.archive({ channel: secret.id }), missing('groups:write'));
        const open = sim.addChannel({ name: 'open-narrow' });
        assert.equal((await web.conversations.archive({ channel: open.id })).ok, true, 'channels:manage is enough');
        const quiet = sim.addChannel({ name: 'quiet-narrow' });
        assert.equal(sim.joinChannel('U111', quiet.id), null, 'public member events need channels:read');
        assert.ok(await sim.joinChannel('U222', secret.id).ack, 'private ones groups:read, which it holds');
        assert.deepEqual(events.map((e) => [e.type, e.event.user, e.event.channel_type]),
          [['member_joined_channel', 'U222', 'G']]);
      } finally {
        await narrow.close();
      }
    });

    it('with emitEvents: the bot\'s own joins and archives come back as events too', async () => {
      const own = await startSdkWorld({ emitEvents: true });
      try {
        const { sim, web, events } = own;
        const pub = (await web.conversations.create({ name: 'inc-own' })).channel;
        const priv = (await web.conversations.create({ name: 'inc-own-private', is_private: true })).channel;
        await web.conversations.invite({ channel: pub.id, users: 'U111' });
        await web.conversations.archive({ channel: pub.id });
        await web.conversations.archive({ channel: priv.id });
        await sim.waitFor(() => events.length >= 5, 5000, 'five events');
        const bot = sim.botUserId;
        const team = sim.teamId;
        assert.deepEqual(events.map((e) => withoutTs(e.event)), [
          { type: 'member_joined_channel', user: bot, channel: pub.id, channel_type: 'C', team },
          { type: 'member_joined_channel', user: bot, channel: priv.id, channel_type: 'G', team },
          { type: 'member_joined_channel', user: 'U111', channel: pub.id, channel_type: 'C', team, inviter: bot },
          { type: 'channel_archive', channel: pub.id, user: bot },
          { type: 'group_archive', channel: priv.id },
        ]);
      } finally {
        await own.close();
      }
    });
  });

  describe('simulator: rate limits', { timeout: suiteTimeoutMs }, () => {
    let sim;
    before(async () => {
      sim = await startSimulator({ rateLimits: { scale: 0.1 } }); // Tier 2 -> 2/min
    });
    after(() => sim.close());

    it('Tier 2 method: 429 with an integer Retry-After once the window is full', async () => {
      assert.equal((await api(sim, 'conversations.create', { name: 'rl-1' })).status, 200);
      assert.equal((await api(sim, 'conversations.create', { name: 'rl-2' })).status, 200);
      const limited = await api(sim, 'conversations.create', { name: 'rl-3' });
      assert.equal(limited.status, 429);
      assert.deepEqual(limited.body, { ok: false, error: 'ratelimited' });
      const retryAfter = limited.headers.get('retry-after');
      assert.match(retryAfter, /^\d+$/);
      assert.ok(Number(retryAfter) >= 59 && Number(retryAfter) <= 60, retryAfter);
      assert.equal(sim.channelByName('rl-3'), undefined);
      assert.equal((await api(sim, 'conversations.info', { channel: sim.channelByName('rl-1').id })).status, 200);
    });

    it('chat.postMessage: 5 per 5 s per channel at scale 1, other channels unaffected', async () => {
      sim.rateLimits = { scale: 1 };
      const other = sim.addChannel({ name: 'rl-other' });
      for (let i = 0; i < 5; i += 1) {
        assert.equal((await api(sim, 'chat.postMessage', { channel: 'incidents', text: `${i}` })).status, 200);
      }
      const limited = await api(sim, 'chat.postMessage', { channel: 'incidents', text: 'sixth' });
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1 && Number(limited.headers.get('retry-after')) <= 5);
      assert.equal((await api(sim, 'chat.postMessage', { channel: other.id, text: 'elsewhere' })).status, 200);
      sim.rateLimits = false;
      assert.equal((await api(sim, 'chat.postMessage', { channel: 'incidents', text: 'unlimited' })).status, 200);
    });
  });

  describe('main.mjs', { timeout: suiteTimeoutMs }, () => {
    it('prints its address and serves the /_sim/ control API', async () => {
      const child = spawn(process.execPath, [join(here, 'main.mjs'), '--port', '0', '--ack-timeout-ms', '300'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        const [line] = await once(child.stdout, 'data');
        const info = JSON.parse(line.toString().split('\n')[0]);
        assert.match(info.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
        assert.equal(info.caFile, null);
        const control = `http://127.0.0.1:${info.port}/_sim/`;
        const post = (name, body) => fetch(`${control}${name}`, { method: 'POST', body: JSON.stringify(body) });
        const slash = await post('slash', { text: 'hi', timeoutMs: 200 });
        const { envelopeId, ack } = await slash.json();
        assert.match(envelopeId, /^[0-9a-f-]{36}$/);
        assert.equal(ack, null); // nobody connected: still queued
        const { queued } = await (await fetch(`${control}connections`)).json();
        assert.equal(queued, 1);
        const channels = await (await fetch(`${control}channels`)).json();
        assert.ok(channels.some((c) => c.name === 'incidents' && c.members.includes('U0BOT')));
        await post('usergroup', { id: 'S0SEC', handle: 'security', users: ['U111'] });
        const groups = await (await fetch(`${control}usergroups`)).json();
        assert.deepEqual(groups.map((g) => [g.id, g.users]), [['S0SEC', ['U111']]]);
        const left = await (await post('leave', { user: 'U222', channel: 'incidents', wait: false })).json();
        assert.match(left.envelopeId, /^[0-9a-f-]{36}$/); // member_left_channel, queued like the command
        await post('fault', { method: 'auth.test', error: 'fatal_error' });
        const headers = { authorization: `Bearer ${info.botToken}` };
        const r = await fetch(`${info.apiUrl}auth.test`, { method: 'POST', headers });
        assert.equal((await r.json()).error, 'fatal_error');
        const calls = await (await fetch(`${control}calls?method=auth.test`)).json();
        assert.equal(calls.length, 1);
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    });
  });
}
