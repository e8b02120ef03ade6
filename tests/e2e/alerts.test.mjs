// Alert intake end to end on `warroom run`'s HTTP listener: Alertmanager's webhook with its bearer
// token (a critical alert sent twice is one incident with one war room; its resolution goes onto the
// incident), a medium alert as one triage post edited in place, the generic receiver's Standard
// Webhooks signature (wrong, stale, replayed), refusals with their status and reason, a receiver over
// its rate answered 429; low alerts as tickets to a local ticket system (its fields and token, one per
// group, retried while the system is down and delivered once, a refusal given up).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { World, sleep, messageText as text, freePort } from './harness.mjs';

const token = 'alerts-token-0123456789';
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function alertmanager(status, { severity = 'critical', name = 'HighErrorRate', startsAt, fingerprint = 'fp-1', labels = {} } = {}) {
  return {
    version: '4',
    groupKey: `{}:{alertname="${name}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'warroom',
    groupLabels: { alertname: name },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [{
      status,
      labels: { alertname: name, severity, ...labels },
      annotations: { summary: `${name} is firing` },
      startsAt,
      endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint,
    }],
  };
}

async function post(base, path, body, headers = {}) {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, body: await r.text() };
}

const bearer = { authorization: `Bearer ${token}` };

function signed(id, body, { at = Math.floor(Date.now() / 1000), key = secret } = {}) {
  const raw = Buffer.from(key.slice('whsec_'.length), 'base64');
  const sig = createHmac('sha256', raw).update(`${id}.${at}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': `v1,${sig}` };
}

describe('alert intake', { timeout: 120000 }, () => {
  test('Alertmanager: a critical alert twice is one incident and one war room; resolved goes onto it', async () => {
    const w = await World.create();
    try {
      const bot = await w.start({ env: { WARROOM_ALERTS_TOKEN: token } });
      const base = await bot.httpBase();
      const startsAt = new Date(Date.now() - 120000).toISOString();
      const firing = alertmanager('firing', { startsAt });

      assert.equal((await post(base, '/webhooks/alertmanager', firing)).status, 401, 'no token');
      assert.equal((await post(base, '/webhooks/alertmanager', firing, { authorization: 'Bearer nope' })).status, 401);
      assert.deepEqual(await post(base, '/webhooks/alertmanager', '{"alerts": [', bearer),
        { status: 400, body: 'the body is not JSON\n' });
      assert.deepEqual(await post(base, '/webhooks/alertmanager', { version: '4', alerts: [{ status: 'firing' }] }, bearer),
        { status: 400, body: 'alerts[0].startsAt is missing or not an RFC 3339 time\n' });
      assert.equal(w.rooms(1).length, 0, 'refusals change nothing');

      assert.deepEqual(await post(base, '/webhooks/alertmanager', firing, bearer), { status: 200, body: 'recorded\n' });
      assert.deepEqual(await post(base, '/webhooks/alertmanager', firing, bearer), { status: 200, body: 'nothing new\n' });
      const room = await w.waitForRoom(1);
      assert.ok(room.messages.some((m) => /HighErrorRate is firing/.test(text(m))), 'the declaration names the alert');
      await sleep(500);
      assert.equal(w.rooms(1).length, 1, 'one war room');
      assert.equal(w.rooms(2).length, 0, 'one incident');

      const resolved = alertmanager('resolved', { startsAt });
      assert.deepEqual(await post(base, '/webhooks/alertmanager', resolved, bearer), { status: 200, body: 'recorded\n' });
      await w.sim.waitFor(() => room.messages.some((m) => /Alert resolved \(alertmanager\): HighErrorRate/.test(text(m))),
        5000, 'the resolution in the war room');
      assert.deepEqual(await post(base, '/webhooks/alertmanager', resolved, bearer), { status: 200, body: 'nothing new\n' });

      assert.match(bot.log(), /alerts: alertmanager delivery of 1 alerts: recorded/);
      assert.doesNotMatch(bot.log(), new RegExp(token));
    } finally {
      await w.close();
    }
  });

  test('a medium alert is one triage post in the alert channel, edited in place when it resolves', async () => {
    const w = await World.create();
    try {
      const bot = await w.start({ env: { WARROOM_ALERTS_TOKEN: token } });
      const base = await bot.httpBase();
      const startsAt = new Date(Date.now() - 60000).toISOString();
      const firing = alertmanager('firing', { severity: 'warning', name: 'DiskFilling', startsAt, fingerprint: 'fp-d' });
      assert.equal((await post(base, '/webhooks/alertmanager', firing, bearer)).status, 200);
      assert.equal((await post(base, '/webhooks/alertmanager', firing, bearer)).status, 200);
      const channel = w.sim.channelByName('incidents');
      const triage = () => channel.messages.filter((m) => /Alert \(medium\)/.test(text(m)));
      const first = await w.sim.waitFor(() => triage()[0], 5000, 'the triage post');
      assert.match(text(first), /1 of 1 firing/);

      const resolved = alertmanager('resolved', { severity: 'warning', name: 'DiskFilling', startsAt, fingerprint: 'fp-d' });
      assert.equal((await post(base, '/webhooks/alertmanager', resolved, bearer)).status, 200);
      await w.sim.waitFor(() => /all resolved/.test(text(triage()[0])), 5000, 'the triage post edited');
      assert.match(text(triage()[0]), /automatically: all alerts resolved before anyone acted/);
      assert.ok(!JSON.stringify(triage()[0].blocks).includes('decline_alert'), 'no triage buttons once declined');
      await sleep(500);
      assert.equal(triage().length, 1, 'one message per alert group');
      assert.ok(triage()[0].edited, 'edited in place (chat.update)');
      assert.equal(w.calls('chat.update').length >= 1, true);
      assert.equal(w.rooms(1).length, 0, 'no incident for a medium alert');
    } finally {
      await w.close();
    }
  });

  test('triage buttons: Decline with a reason, Declare through the form pre-filled from the alerts, Snooze comes back', async () => {
    const w = await World.create({ config: '[post_incident]\nsnooze = "2s"\n' });
    try {
      const bot = await w.start({ env: { WARROOM_ALERTS_TOKEN: token } });
      const base = await bot.httpBase();
      const startsAt = new Date(Date.now() - 300000).toISOString();
      const channel = w.sim.channelByName('incidents');
      const postOf = (name) => channel.messages.find((m) => new RegExp(`Alert \\(high\\): ${name}`).test(text(m)));
      const opened = (callback) => w.calls('views.open').filter((c) => c.response.ok && c.response.view.callback_id === callback);
      const input = (id, value) => ({ [id]: { [id]: { type: 'plain_text_input', value } } });

      assert.equal((await post(base, '/webhooks/alertmanager',
        alertmanager('firing', { severity: 'high', name: 'QueueBacklog', startsAt, fingerprint: 'fp-q' }), bearer)).status, 200);
      const queue = await w.sim.waitFor(() => postOf('QueueBacklog is firing'), 5000, 'the triage post');
      for (const id of ['declare_alert', 'decline_alert', 'merge_alert', 'snooze_alert'])
        assert.ok(JSON.stringify(queue.blocks).includes(`"${id}"`), `${id} button`);

      await w.sim.blockAction({ user: 'U111', channel: channel.id, messageTs: queue.ts, actionId: 'decline_alert' }).ack;
      const decline = (await w.sim.waitFor(() => opened('decline_alert')[0], 5000, 'the decline form')).response.view;
      const refused = await w.sim.viewSubmission({ user: 'U111', view: decline.id, values: input('reason', '  ') }).ack;
      assert.equal(refused.payload?.response_action, 'errors');
      await w.sim.viewSubmission({ user: 'U111', view: decline.id, values: input('reason', 'planned load test') }).ack;
      await w.sim.waitFor(() => /Declined.*<@U111>: planned load test/s.test(text(postOf('QueueBacklog is firing'))), 5000,
        'the post says who declined it and why');
      assert.ok(!JSON.stringify(postOf('QueueBacklog is firing').blocks).includes('decline_alert'));
      assert.match(bot.log(), /form decline_alert submitted by U111/);

      assert.equal((await post(base, '/webhooks/alertmanager',
        alertmanager('firing', { severity: 'high', name: 'PaymentsLatency', startsAt, fingerprint: 'fp-p' }), bearer)).status, 200);
      const payments = await w.sim.waitFor(() => postOf('PaymentsLatency is firing'), 5000, 'the second triage post');
      await w.sim.blockAction({ user: 'U222', channel: channel.id, messageTs: payments.ts, actionId: 'declare_alert' }).ack;
      const declare = (await w.sim.waitFor(() => opened('declare')[0], 5000, 'the declare form')).response.view;
      const title = declare.blocks.find((b) => b.block_id === 'title');
      assert.equal(title.element.initial_value, 'PaymentsLatency is firing', 'the title from the alert');
      const severity = declare.blocks.find((b) => b.block_id === 'severity');
      assert.equal(severity.element.initial_option.value, 'P1', 'a high alert suggests P1');
      await w.sim.viewSubmission({ user: 'U222', view: declare.id, values: {
        ...input('title', 'Payments slow'),
        severity: { severity: { type: 'static_select', selected_option: { value: 'P1' } } },
      } }).ack;
      const room = await w.waitForRoom(1);
      await w.sim.waitFor(() => room.messages.some((m) => /Detected by alertmanager: PaymentsLatency/.test(text(m))), 5000,
        'the declaration names what detected it');
      await w.sim.waitFor(() => /INC-1/.test(text(postOf('PaymentsLatency is firing'))), 5000, 'the post points to the incident');
      assert.ok(!JSON.stringify(postOf('PaymentsLatency is firing').blocks).includes('declare_alert'));

      assert.equal((await post(base, '/webhooks/alertmanager',
        alertmanager('firing', { severity: 'high', name: 'CacheMisses', startsAt, fingerprint: 'fp-c' }), bearer)).status, 200);
      const cache = await w.sim.waitFor(() => postOf('CacheMisses is firing'), 5000, 'the third triage post');
      await w.sim.blockAction({ user: 'U333', channel: channel.id, messageTs: cache.ts, actionId: 'snooze_alert' }).ack;
      await w.sim.waitFor(() => /Snoozed.*<@U333>/s.test(text(postOf('CacheMisses is firing'))), 5000, 'the post says snoozed');
      const comeback = await w.sim.waitFor(() => channel.messages.find((m) => /Snooze over: CacheMisses is firing/.test(text(m))),
        8000, 'the snooze ends with a reply');
      assert.equal(comeback.thread_ts, cache.ts, 'in the triage post\'s thread');
      assert.match(text(comeback), /<@U333>/);
    } finally {
      await w.close();
    }
  });

  test('generic receiver: Standard Webhooks signature checked, a replayed id changes nothing', async () => {
    const w = await World.create();
    try {
      const bot = await w.start({ env: { WARROOM_ALERTS_WEBHOOK_SECRET: secret } });
      const base = await bot.httpBase();
      const body = JSON.stringify({ title: 'Checkout slow', severity: 'high', dedup_key: 'checkout-latency', source: 'pingdom' });
      assert.equal((await post(base, '/webhooks/generic', body)).status, 401, 'no signature');
      const wrong = signed('msg_1', body, { key: 'whsec_b3RoZXIga2V5' });
      assert.deepEqual(await post(base, '/webhooks/generic', body, wrong), { status: 401, body: 'no webhook-signature matches\n' });
      const stale = signed('msg_1', body, { at: Math.floor(Date.now() / 1000) - 600 });
      assert.deepEqual(await post(base, '/webhooks/generic', body, stale),
        { status: 401, body: 'webhook-timestamp is more than 5 minutes from now\n' });
      assert.equal((await post(base, '/webhooks/alertmanager', '{}', bearer)).status, 404, 'no token configured');

      const good = signed('msg_1', body);
      assert.deepEqual(await post(base, '/webhooks/generic', body, good), { status: 200, body: 'recorded\n' });
      assert.deepEqual(await post(base, '/webhooks/generic', body, good), { status: 200, body: 'already recorded\n' });
      const channel = w.sim.channelByName('incidents');
      await w.sim.waitFor(() => channel.messages.some((m) => /Alert \(high\): Checkout slow/.test(text(m))), 5000, 'triage post');
      await sleep(300);
      assert.equal(channel.messages.filter((m) => /Alert \(high\)/.test(text(m))).length, 1);
    } finally {
      await w.close();
    }
  });
});

describe('alert receivers are held to their rate', { timeout: 60000 }, () => {
  test('over rate_per_second and burst: 429 with Retry-After and one line, nothing recorded; later taken', async () => {
    const w = await World.create({ config: '[alerts]\nrate_per_second = 1\nburst = 2\n' });
    try {
      const bot = await w.start({ env: { WARROOM_ALERTS_TOKEN: token } });
      const base = await bot.httpBase();
      const startsAt = new Date(Date.now() - 60000).toISOString();
      const warning = (name) => alertmanager('firing', { severity: 'warning', name, startsAt, fingerprint: `fp-${name}` });
      // A stranger's flood is refused as unauthenticated and does not spend the sender's budget.
      for (let k = 0; k < 5; k++) assert.equal((await post(base, '/webhooks/alertmanager', warning('Spam'))).status, 401);
      assert.equal((await post(base, '/webhooks/alertmanager', warning('A'), bearer)).status, 200);
      assert.equal((await post(base, '/webhooks/alertmanager', warning('B'), bearer)).status, 200);
      const r = await fetch(`${base}/webhooks/alertmanager`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...bearer }, body: JSON.stringify(warning('C')),
      });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '1');
      assert.equal(await r.text(), 'too many deliveries to /webhooks/alertmanager (at most 1 a second); retry in 1 s\n');
      const channel = w.sim.channelByName('incidents');
      const triage = () => channel.messages.filter((m) => /Alert \(medium\)/.test(text(m)));
      await w.sim.waitFor(() => triage().length === 2, 5000, 'two triage posts');
      await sleep(1100);
      assert.equal(triage().length, 2, 'the refused delivery recorded nothing');
      assert.equal((await post(base, '/webhooks/alertmanager', warning('C'), bearer)).status, 200, 'taken after the wait');
      await w.sim.waitFor(() => triage().length === 3, 5000, 'the third triage post');
      assert.match(bot.log(), /alerts: alertmanager sends more than 1 deliveries a second \(bursts of 2\): refused with 429/);
      assert.match(bot.log(), /alerts: alertmanager deliveries taken again \(1 refused with 429\)/);
    } finally {
      await w.close();
    }
  });
});

// A ticket system on a local port: records each request and answers as `answer(n)` says for the n-th
// (1-based): a status, and the headers to send with it.
async function ticketSystem(port, answer = () => ({ status: 201 })) {
  const requests = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const { status, headers = {} } = answer(requests.length + 1);
      requests.push({ at: Date.now(), url: req.url, headers: req.headers, body: JSON.parse(body), status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(status < 300 ? JSON.stringify({ id: `T-${requests.length}` }) : JSON.stringify({ message: 'unknown project WR' }));
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { requests, close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }) };
}

const ticketToken = 'tkt-token-0123456789';

describe('low alerts open tickets', { timeout: 120000 }, () => {
  const config = (port) => `[alerts]\nticket_url = "http://127.0.0.1:${port}/api/tickets"\n`;
  const env = { WARROOM_ALERTS_TOKEN: token, WARROOM_ALERTS_TICKET_TOKEN: ticketToken };

  test('a low alert group is one ticket with its fields and the token; a repeat or a new alert of it is none', async () => {
    const port = await freePort();
    const tickets = await ticketSystem(port);
    const w = await World.create({ config: config(port) });
    try {
      const bot = await w.start({ env });
      const base = await bot.httpBase();
      const startsAt = '2026-03-02T09:05:07.042Z';
      const first = alertmanager('firing', { severity: 'info', name: 'DiskFilling', startsAt, fingerprint: 'fp-1', labels: { team: 'storage', instance: 'db-1' } });
      const second = alertmanager('firing', { severity: 'info', name: 'DiskFilling', startsAt, fingerprint: 'fp-2', labels: { team: 'storage', instance: 'db-2' } });
      const both = { ...first, alerts: [...first.alerts, ...second.alerts] };
      assert.deepEqual(await post(base, '/webhooks/alertmanager', both, bearer), { status: 200, body: 'recorded\n' });
      const [ticket] = await w.sim.waitFor(() => tickets.requests.length > 0 && tickets.requests, 8000, 'the ticket');
      assert.equal(ticket.url, '/api/tickets');
      assert.equal(ticket.headers.authorization, `Bearer ${ticketToken}`);
      assert.equal(ticket.headers['idempotency-key'], 'warroom-alert-group-1');
      assert.match(ticket.headers['content-type'], /^application\/json/);
      assert.deepEqual(ticket.body, {
        title: 'DiskFilling is firing', level: 'low', severity: 'low', source: 'alertmanager', group: 1,
        labels: { alertname: 'DiskFilling', severity: 'info', team: 'storage' },
        alerts: [
          { name: 'DiskFilling', summary: 'DiskFilling is firing', startsAt, url: 'http://prometheus:9090/graph' },
          { name: 'DiskFilling', summary: 'DiskFilling is firing', startsAt, url: 'http://prometheus:9090/graph' },
        ],
      });

      assert.deepEqual(await post(base, '/webhooks/alertmanager', both, bearer), { status: 200, body: 'nothing new\n' });
      const third = alertmanager('firing', { severity: 'info', name: 'DiskFilling', startsAt, fingerprint: 'fp-3' });
      assert.deepEqual(await post(base, '/webhooks/alertmanager', third, bearer), { status: 200, body: 'recorded\n' });
      await sleep(1000);
      assert.equal(tickets.requests.length, 1, 'one ticket per group opening, not per alert or delivery');
      assert.ok(!w.sim.channelByName('incidents').messages.some((m) => /DiskFilling/.test(text(m))), 'no triage post');
      assert.doesNotMatch(bot.log(), new RegExp(ticketToken));
    } finally {
      await w.close();
      await tickets.close();
    }
  });

  test('the ticket system down (not listening, then 503 with Retry-After): retried, delivered once', async (t) => {
    const port = await freePort();
    const w = await World.create({ config: config(port) });
    let tickets;
    try {
      const bot = await w.start({ env });
      const base = await bot.httpBase();
      const low = alertmanager('firing', { severity: 'low', name: 'CertExpiring', startsAt: new Date().toISOString() });
      assert.equal((await post(base, '/webhooks/alertmanager', low, bearer)).status, 200);
      await bot.waitForLog(/ticket: .*; retrying in \d+ ms/, 8000);
      await sleep(1500);
      tickets = await ticketSystem(port, (n) => (n === 1 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 201 }));
      await w.sim.waitFor(() => tickets.requests.some((r) => r.status === 201), 20000, 'the ticket delivered');
      const [refused, taken] = tickets.requests;
      t.diagnostic(`503 at +0, delivered at +${taken.at - refused.at} ms`);
      assert.ok(taken.at - refused.at >= 2000, `Retry-After: 2 honoured (${taken.at - refused.at} ms)`);
      assert.equal(taken.headers['idempotency-key'], refused.headers['idempotency-key'], 'the same key on the retry');
      assert.equal(low.alerts[0].labels.alertname, taken.body.alerts[0].name);
      await sleep(1500);
      assert.equal(tickets.requests.length, 2, 'delivered once, then never again');
    } finally {
      await w.close();
      await tickets?.close();
    }
  });

  test('a ticket the system refuses (4xx) is given up with its reason in one log line, not retried', async () => {
    const port = await freePort();
    const tickets = await ticketSystem(port, () => ({ status: 422 }));
    const w = await World.create({ config: config(port) });
    try {
      const bot = await w.start({ env });
      const base = await bot.httpBase();
      const low = alertmanager('firing', { severity: 'info', name: 'BackupLate', startsAt: new Date().toISOString() });
      assert.equal((await post(base, '/webhooks/alertmanager', low, bearer)).status, 200);
      await bot.waitForLog(/given up: failed: ticket: HTTP 422: unknown project WR$/, 8000);
      await sleep(1500);
      assert.equal(tickets.requests.length, 1);
    } finally {
      await w.close();
      await tickets.close();
    }
  });
});
