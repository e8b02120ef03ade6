// Proves the paging fakes hold warroom's adapters to the vendors' documented schemas: the vendors' own
// example payloads pass, each rule refuses a payload that breaks it, alert state moves as the vendor's
// does, faults and TLS work, and sendPagerDutyWebhook's signature verifies.
// Run: cd tests/slack_sim && node --test paging_fakes.test.mjs
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { makeCerts } from './certs.mjs';
import { sendPagerDutyWebhook, startOpsgenie, startPagerDuty, startStatuspage } from './paging_fakes.mjs';

// --- helpers -------------------------------------------------------------------------------------------

// One request the way an adapter makes it; `body` undefined sends none, a string is sent as is.
function request(url, body, { method = 'POST', headers = {}, ca } = {}) {
  const raw = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const target = new URL(url);
  const allHeaders = { 'content-length': Buffer.byteLength(raw), ...headers };
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    allHeaders['content-type'] = 'application/json';
  }
  return new Promise((resolve, reject) => {
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(target, { method, headers: allHeaders, ca }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try {
          parsed = JSON.parse(text);
        } catch { /* 5xx faults are plain text */ }
        resolve({ status: res.statusCode, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(raw);
  });
}

const clone = (value) => structuredClone(value);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// A receiver for webhooks that keeps the raw body, since the signature is over the exact bytes.
async function startReceiver({ tlsCerts } = {}) {
  const deliveries = [];
  const onRequest = (req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  };
  const server = tlsCerts
    ? https.createServer({ cert: await readFile(tlsCerts.certFile), key: await readFile(tlsCerts.keyFile) }, onRequest)
    : http.createServer(onRequest);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `${tlsCerts ? 'https' : 'http'}://127.0.0.1:${server.address().port}/pagerduty`,
    deliveries,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// --- PagerDuty -----------------------------------------------------------------------------------------

const ROUTING_KEY = 'R0UTINGKEY0000000000000000000001';

// The trigger example of PagerDuty's "Send an Alert Event" page, with a routing key the fake knows
// (the page's "samplekeyhere" is not 32 characters).
const pdTriggerExample = {
  payload: {
    summary: 'Example alert on host1.example.com',
    timestamp: '2015-07-17T08:42:58.315+0000',
    source: 'monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003',
    severity: 'info',
    component: 'postgres',
    group: 'prod-datapipe',
    class: 'deploy',
    custom_details: { 'ping time': '1500ms', 'load avg': 0.75 },
  },
  routing_key: ROUTING_KEY,
  dedup_key: 'samplekeyhere',
  images: [{
    src: 'https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png',
    href: 'https://example.com/',
    alt: 'Example text',
  }],
  links: [{ href: 'https://example.com/', text: 'Link text' }],
  event_action: 'trigger',
  client: 'Sample Monitoring Service',
  client_url: 'https://monitoring.example.com',
};

// What warroom's adapter sends for core's `page` effect.
const pdTrigger = (dedupKey = 'warroom-inc-7') => ({
  routing_key: ROUTING_KEY,
  event_action: 'trigger',
  dedup_key: dedupKey,
  payload: { summary: 'INC-7 P0 outage: Checkout is down', source: 'warroom', severity: 'critical' },
});
const pdFollowUp = (action, dedupKey = 'warroom-inc-7') => ({
  routing_key: ROUTING_KEY, event_action: action, dedup_key: dedupKey,
});

describe('PagerDuty Events API v2 fake', () => {
  let pd;
  const enqueue = (event, options) => request(`${pd.url}v2/enqueue`, event, options);

  beforeEach(async () => {
    await pd?.close();
    pd = await startPagerDuty();
  });
  after(() => pd.close());

  it('accepts the documented trigger, acknowledge and resolve examples and moves the alert through them', async () => {
    assert.match(pd.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const trigger = await enqueue(pdTriggerExample);
    assert.equal(trigger.status, 202);
    assert.deepEqual(trigger.body, { status: 'success', message: 'Event processed', dedup_key: 'samplekeyhere' });
    assert.equal(pd.alerts.get('samplekeyhere').status, 'triggered');

    // The acknowledge and resolve examples, keyed to the alert above.
    assert.equal((await enqueue({ ...pdFollowUp('acknowledge', 'samplekeyhere') })).status, 202);
    assert.equal(pd.alerts.get('samplekeyhere').status, 'acknowledged');
    assert.equal((await request(`${pd.url}v2/enqueue/`, pdFollowUp('resolve', 'samplekeyhere'))).status, 202);
    const alert = pd.alerts.get('samplekeyhere');
    assert.equal(alert.status, 'resolved');
    assert.deepEqual(alert.events.map((e) => e.body.event_action), ['trigger', 'acknowledge', 'resolve']);

    assert.equal(pd.events.length, 3);
    assert.deepEqual(pd.events[0].body, pdTriggerExample);
    assert.equal(pd.events[0].headers['content-type'], 'application/json');
    assert.equal(typeof pd.events[0].at, 'number');
    assert.deepEqual(pd.rejected, []);
  });

  it('makes up a 32-hex dedup_key for a trigger without one', async () => {
    const { dedup_key: _, ...event } = pdTrigger();
    const res = await enqueue(event);
    assert.equal(res.status, 202);
    assert.match(res.body.dedup_key, /^[0-9a-f]{32}$/);
    assert.equal(pd.events[0].dedupKey, res.body.dedup_key);
    assert.equal(pd.alerts.get(res.body.dedup_key).status, 'triggered');
  });

  // [what breaks, the event, a part of the expected error]
  const invalid = [
    ['routing_key missing', (e) => delete e.routing_key, "'routing_key' is missing or blank"],
    ['routing_key not 32 characters', (e) => { e.routing_key = 'samplekeyhere'; },
      "Length of 'routing_key' is incorrect"],
    ['routing_key unknown', (e) => { e.routing_key = 'X'.repeat(32); }, 'Invalid routing key'],
    ['event_action missing', (e) => delete e.event_action, "'event_action' must be one of"],
    ['event_action unknown', (e) => { e.event_action = 'escalate'; }, "'event_action' must be one of"],
    ['dedup_key over 255', (e) => { e.dedup_key = 'k'.repeat(256); }, "'dedup_key' is too long"],
    ['dedup_key blank', (e) => { e.dedup_key = ''; }, "'dedup_key' is missing or blank"],
    ['dedup_key not a string', (e) => { e.dedup_key = 7; }, "'dedup_key' must be a string"],
    ['payload missing on trigger', (e) => delete e.payload, "'payload' is missing"],
    ['payload.summary missing', (e) => delete e.payload.summary, "'payload.summary' is missing or blank"],
    ['payload.summary blank', (e) => { e.payload.summary = '  '; }, "'payload.summary' is missing or blank"],
    ['payload.summary over 1024', (e) => { e.payload.summary = 's'.repeat(1025); }, "'payload.summary' is too long"],
    ['payload.source missing', (e) => delete e.payload.source, "'payload.source' is missing or blank"],
    ['payload.source over 255', (e) => { e.payload.source = 's'.repeat(256); }, "'payload.source' is too long"],
    ['payload.severity missing', (e) => delete e.payload.severity, "'payload.severity' must be one of"],
    ['payload.severity unknown', (e) => { e.payload.severity = 'high'; }, "'payload.severity' must be one of"],
    ['payload.timestamp not ISO 8601', (e) => { e.payload.timestamp = 'March 7 2020'; }, "'payload.timestamp'"],
    ['payload.component not a string', (e) => { e.payload.component = 5; }, "'payload.component' must be a string"],
    ['payload.group not a string', (e) => { e.payload.group = ['a']; }, "'payload.group' must be a string"],
    ['payload.class not a string', (e) => { e.payload.class = null; }, "'payload.class' must be a string"],
    ['payload.custom_details an array', (e) => { e.payload.custom_details = ['x']; },
      "'payload.custom_details' must be an object"],
    ['payload with an unknown field', (e) => { e.payload.details = {}; },
      "'payload.details' is not a recognized field"],
    ['links not an array', (e) => { e.links = { href: 'https://x' }; }, "'links' must be an array"],
    ['a link without href', (e) => { e.links = [{ text: 'runbook' }]; }, "'links[0].href' is missing or blank"],
    ['a link with an unknown field', (e) => { e.links = [{ href: 'https://x', url: 'y' }]; },
      "'links[0].url' is not a recognized"],
    ['an image without src', (e) => { e.images = [{ href: 'https://x' }]; }, "'images[0].src' is missing or blank"],
    ['client not a string', (e) => { e.client = {}; }, "'client' must be a string"],
    ['client_url not a string', (e) => { e.client_url = 1; }, "'client_url' must be a string"],
    // Events API v1's name for the dedup key: the likeliest typo.
    ['an unknown top-level field', (e) => { e.incident_key = 'x'; }, "'incident_key' is not a recognized field"],
  ];
  for (const [what, breakIt, expected] of invalid) {
    it(`refuses a trigger with ${what}`, async () => {
      const event = clone(pdTriggerExample);
      breakIt(event);
      const res = await enqueue(event);
      assert.equal(res.status, 400);
      assert.equal(res.body.status, 'invalid event');
      assert.equal(res.body.message, 'Event object is invalid');
      assert.ok(res.body.errors.some((e) => e.includes(expected)), JSON.stringify(res.body.errors));
      assert.deepEqual(pd.rejected[0].errors, res.body.errors);
      assert.deepEqual(pd.rejected[0].body, event);
      assert.equal(pd.events.length, 0);
    });
  }

  for (const action of ['acknowledge', 'resolve']) {
    it(`refuses ${action} without a dedup_key`, async () => {
      const res = await enqueue({ routing_key: ROUTING_KEY, event_action: action });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.errors, ["'dedup_key' is missing or blank"]);
    });
  }

  it('refuses a body that is not JSON, the wrong content type, over 512 KB, and other paths', async () => {
    const notJson = await enqueue('{"routing_key":');
    assert.equal(notJson.status, 400);
    assert.deepEqual(notJson.body.errors, ['Request body is not valid JSON']);
    assert.equal(pd.rejected[0].body, '{"routing_key":');

    const form = await enqueue(new URLSearchParams({ routing_key: ROUTING_KEY }).toString(),
      { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual(form.body.errors, ['Content-Type must be application/json']);

    const big = pdTrigger();
    big.payload.custom_details = { log: 'x'.repeat(512 * 1024) };
    const tooBig = await enqueue(big);
    assert.equal(tooBig.status, 400);
    assert.deepEqual(tooBig.body.errors, ['Event is larger than 512 KB']);

    const charset = await enqueue(pdTrigger(), { headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.equal(charset.status, 202);

    assert.equal((await request(`${pd.url}v2/enqueue`, undefined, { method: 'GET' })).status, 404);
    assert.equal((await request(`${pd.url}v1/enqueue`, pdTrigger())).status, 404);
    assert.equal(pd.events.length, 1);
    assert.equal(pd.rejected.length, 5);
  });

  it('keeps alert state as PagerDuty does: dedup, acknowledged stays acknowledged, drops after resolve', async () => {
    await enqueue(pdTrigger());
    await enqueue(pdTrigger());
    let alert = pd.alerts.get('warroom-inc-7');
    assert.equal(alert.status, 'triggered');
    assert.equal(alert.events.length, 2);

    await enqueue(pdFollowUp('acknowledge'));
    await enqueue(pdTrigger()); // an escalation re-trigger does not un-acknowledge
    await enqueue(pdFollowUp('acknowledge'));
    assert.equal(alert.status, 'acknowledged');
    assert.equal(alert.events.length, 5);

    await enqueue(pdFollowUp('resolve'));
    assert.equal(alert.status, 'resolved');
    const late = await enqueue(pdFollowUp('acknowledge'));
    assert.equal(late.status, 202);
    assert.equal(pd.events.at(-1).note, 'dropped: the alert is resolved');
    assert.equal(alert.status, 'resolved');

    await enqueue(pdTrigger());
    alert = pd.alerts.get('warroom-inc-7');
    assert.equal(alert.status, 'triggered');
    assert.equal(alert.events.length, 1);
    assert.equal(alert.previous.status, 'resolved');

    const unknown = await enqueue(pdFollowUp('resolve', 'warroom-inc-99'));
    assert.equal(unknown.status, 202);
    assert.equal(unknown.body.dedup_key, 'warroom-inc-99');
    assert.equal(pd.events.at(-1).note, 'dropped: no alert has this dedup_key');
    assert.equal(pd.alerts.has('warroom-inc-99'), false);
  });

  it('fail(): 500s as plain text, then a 429 with Retry-After, then normal service', async () => {
    pd.fail(2);
    pd.fail(1, 429, 30);
    pd.fail(1, 429);
    const first = await enqueue(pdTrigger());
    assert.equal(first.status, 500);
    assert.equal(first.body, 'Internal Server Error');
    assert.equal((await enqueue(pdTrigger())).status, 500);
    const throttled = await enqueue(pdTrigger());
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['retry-after'], '30');
    assert.equal(throttled.body.status, 'throttle event');
    const noHeader = await enqueue(pdTrigger());
    assert.equal(noHeader.status, 429);
    assert.equal(noHeader.headers['retry-after'], undefined);
    assert.equal((await enqueue(pdTrigger())).status, 202);
    assert.deepEqual(pd.rejected.map((r) => r.status), [500, 500, 429, 429]);
    assert.deepEqual(pd.rejected[0].errors, ['injected 500']);
    assert.equal(pd.events.length, 1);
  });

  it('waitFor resolves on a past or later event and times out with what it saw', async () => {
    await enqueue(pdTrigger('warroom-inc-1'));
    const past = await pd.waitFor((e) => e.dedupKey === 'warroom-inc-1', 100);
    assert.equal(past.body.event_action, 'trigger');

    const later = pd.waitFor((e) => e.body.event_action === 'resolve', 2000);
    await enqueue(pdFollowUp('resolve', 'warroom-inc-1'));
    assert.equal((await later).dedupKey, 'warroom-inc-1');

    await enqueue({ ...pdTrigger(), severity: 'critical' });
    await assert.rejects(pd.waitFor((e) => e.dedupKey === 'nope', 50),
      /timed out after 50 ms: 2 accepted, 1 rejected \(last: 400 .*'severity' is not a recognized field/);
  });
});

// --- Opsgenie ------------------------------------------------------------------------------------------

const API_KEY = 'genie-key-test';
const auth = { authorization: `GenieKey ${API_KEY}` };

// The create example of Opsgenie's "Alert API" page.
const ogCreateExample = {
  message: 'An example alert message',
  alias: 'Life is too short for no alias',
  description: 'Every alert needs a description',
  responders: [
    { id: '4513b7ea-3b91-438f-b7e4-e3e54af9147c', type: 'team' },
    { name: 'NOC', type: 'team' },
    { id: 'bb4d9938-c3c2-455d-aaab-727aa701c0d8', type: 'user' },
    { username: 'trinity@opsgenie.com', type: 'user' },
    { id: 'aee8a0de-c80f-4515-a232-501c0bc9d715', type: 'escalation' },
    { name: 'Nightwatch Escalation', type: 'escalation' },
    { id: '80564037-1984-4f38-b98e-8a1f662df552', type: 'schedule' },
    { name: 'First Responders Schedule', type: 'schedule' },
  ],
  visibleTo: [
    { id: '4513b7ea-3b91-438f-b7e4-e3e54af9147c', type: 'team' },
    { name: 'rocket_team', type: 'team' },
    { id: 'bb4d9938-c3c2-455d-aaab-727aa701c0d8', type: 'user' },
    { username: 'trinity@opsgenie.com', type: 'user' },
  ],
  actions: ['Restart', 'AnExampleAction'],
  tags: ['OverwriteQuietHours', 'Critical'],
  details: { key1: 'value1', key2: 'value2' },
  entity: 'An example entity',
  priority: 'P1',
};
// The body of the page's acknowledge, close and add-responder examples.
const ogActionExample = { user: 'Monitoring Script', source: 'AWS Lambda', note: 'Action executed via Alert API' };
const ogResponderExample = { responder: { type: 'user', username: 'user@opsgenie.com' }, ...ogActionExample };

describe('Opsgenie Alert API v2 fake', () => {
  let og;
  const create = (body, headers = auth) => request(`${og.url}v2/alerts`, body, { headers });
  const act = (identifier, action, body, { type, headers = auth } = {}) => request(
    `${og.url}v2/alerts/${encodeURIComponent(identifier)}/${action}${type ? `?identifierType=${type}` : ''}`,
    body, { headers },
  );
  const expectAccepted = (res) => {
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.result, 'Request will be processed');
    assert.equal(typeof res.body.took, 'number');
    assert.match(res.body.requestId, UUID);
  };

  beforeEach(async () => {
    await og?.close();
    og = await startOpsgenie();
  });
  after(() => og.close());

  it('accepts the documented create, acknowledge, add-responder and close examples', async () => {
    expectAccepted(await create(ogCreateExample));
    const alias = ogCreateExample.alias;
    const alert = og.alerts.get(alias);
    assert.equal(alert.status, 'open');
    assert.equal(alert.priority, 'P1');
    assert.deepEqual(alert.responders, ogCreateExample.responders);
    assert.match(alert.id, UUID);

    expectAccepted(await act(alias, 'acknowledge', ogActionExample, { type: 'alias' }));
    assert.equal(alert.status, 'acked');
    expectAccepted(await act(alias, 'responders', ogResponderExample, { type: 'alias' }));
    assert.deepEqual(alert.responders.at(-1), ogResponderExample.responder);
    expectAccepted(await act(alias, 'close', ogActionExample, { type: 'alias' }));
    assert.equal(alert.status, 'closed');

    assert.deepEqual(og.requests.map((r) => r.action), ['create', 'acknowledge', 'responders', 'close']);
    assert.deepEqual(alert.requests, og.requests);
    assert.equal(og.requests[1].identifier, alias);
    assert.equal(og.requests[1].identifierType, 'alias');
    assert.equal(og.requests[0].headers.authorization, `GenieKey ${API_KEY}`);
    assert.deepEqual(og.rejected, []);
  });

  it('finds alerts by id (the default), tiny id and a URL-encoded alias; bodies are optional for actions', async () => {
    await create({ message: 'INC-7 P0 outage: Checkout is down', alias: 'warroom/inc 7?' });
    await create({ message: 'no alias' });
    const [withAlias, withoutAlias] = [...og.alerts.values()];
    assert.equal(withoutAlias.alias, withoutAlias.id); // Opsgenie uses the id when no alias is given

    expectAccepted(await act(withAlias.id, 'acknowledge'));
    assert.equal(withAlias.status, 'acked');
    expectAccepted(await act(withoutAlias.tinyId, 'close', undefined, { type: 'tiny' }));
    assert.equal(withoutAlias.status, 'closed');
    expectAccepted(await act('warroom/inc 7?', 'close', {}, { type: 'alias' }));
    assert.equal(withAlias.status, 'closed');
  });

  it('keeps alert state: an open alias dedups, a closed one starts a new alert, unknown ones are noted', async () => {
    await create({ message: 'INC-7', alias: 'warroom-inc-7' });
    await create({ message: 'INC-7 again', alias: 'warroom-inc-7' });
    const first = og.alerts.get('warroom-inc-7');
    assert.equal(first.count, 2);
    assert.equal(og.requests[1].note, 'deduplicated into the open alert');

    await act('warroom-inc-7', 'close', undefined, { type: 'alias' });
    expectAccepted(await act('warroom-inc-7', 'acknowledge', undefined, { type: 'alias' }));
    assert.equal(og.requests.at(-1).note, 'the alert is closed');
    assert.equal(first.status, 'closed');

    await create({ message: 'INC-7 reopened', alias: 'warroom-inc-7' });
    const second = og.alerts.get('warroom-inc-7');
    assert.notEqual(second.id, first.id);
    assert.equal(second.status, 'open');
    assert.equal(second.previous, first);

    expectAccepted(await act('warroom-inc-99', 'close', undefined, { type: 'alias' }));
    assert.equal(og.requests.at(-1).note, 'Alert does not exist');
    assert.equal(og.alerts.has('warroom-inc-99'), false);
  });

  it('answers 401 without the right GenieKey', async () => {
    for (const headers of [{}, { authorization: 'GenieKey wrong' }, { authorization: `Bearer ${API_KEY}` },
      { authorization: API_KEY }]) {
      const res = await create({ message: 'x' }, headers);
      assert.equal(res.status, 401);
      assert.equal(res.body.message, 'Could not authenticate');
      assert.match(res.body.requestId, UUID);
    }
    assert.equal((await act('x', 'close', undefined, { headers: {} })).status, 401);
    assert.equal(og.requests.length, 0);
    assert.equal(og.rejected.length, 5);
  });

  const long = (n) => 'x'.repeat(n);
  const many = (n, make) => Array.from({ length: n }, (_, i) => make(i));
  // [what breaks, the create body (from the documented example), the field the error names]
  const invalidCreates = [
    ['message missing', (b) => delete b.message, 'message'],
    ['message blank', (b) => { b.message = ' '; }, 'message'],
    ['message over 130', (b) => { b.message = long(131); }, 'message'],
    ['alias over 512', (b) => { b.alias = long(513); }, 'alias'],
    ['description over 15000', (b) => { b.description = long(15001); }, 'description'],
    ['responders not an array', (b) => { b.responders = 'NOC'; }, 'responders'],
    ['over 50 responders', (b) => { b.responders = many(51, (i) => ({ type: 'team', name: `t${i}` })); }, 'responders'],
    ['a responder of an unknown type', (b) => { b.responders = [{ type: 'group', name: 'x' }]; }, 'responders[0]'],
    ['a team responder without id or name', (b) => { b.responders = [{ type: 'team' }]; }, 'responders[0]'],
    ['a user responder by name', (b) => { b.responders = [{ type: 'user', name: 'alice' }]; }, 'responders[0]'],
    ['a responder with an empty id', (b) => { b.responders = [{ type: 'schedule', id: '' }]; }, 'responders[0]'],
    ['visibleTo an escalation', (b) => { b.visibleTo = [{ type: 'escalation', name: 'x' }]; }, 'visibleTo[0]'],
    ['over 10 actions', (b) => { b.actions = many(11, (i) => `a${i}`); }, 'actions'],
    ['an action over 50', (b) => { b.actions = [long(51)]; }, 'actions[0]'],
    ['over 20 tags', (b) => { b.tags = many(21, (i) => `t${i}`); }, 'tags'],
    ['a tag over 50', (b) => { b.tags = ['ok', long(51)]; }, 'tags[1]'],
    ['a tag not a string', (b) => { b.tags = [7]; }, 'tags[0]'],
    ['details an array', (b) => { b.details = ['x']; }, 'details'],
    ['a details value not a string', (b) => { b.details = { incident: 7 }; }, 'details.incident'],
    ['details over 8000 characters', (b) => { b.details = { a: long(4000), b: long(4000) }; }, 'details'],
    ['entity over 512', (b) => { b.entity = long(513); }, 'entity'],
    ['source over 100', (b) => { b.source = long(101); }, 'source'],
    ['priority P0', (b) => { b.priority = 'P0'; }, 'priority'],
    ['user over 100', (b) => { b.user = long(101); }, 'user'],
    ['note over 25000', (b) => { b.note = long(25001); }, 'note'],
    // The Alert API v1 field, replaced by responders in v2.
    ['an unknown field', (b) => { b.teams = ['NOC']; }, 'teams'],
  ];
  for (const [what, breakIt, field] of invalidCreates) {
    it(`refuses a create with ${what}`, async () => {
      const body = clone(ogCreateExample);
      breakIt(body);
      const res = await create(body);
      assert.equal(res.status, 422);
      assert.equal(res.body.message, 'Request body is not processable. Please check the errors.');
      assert.deepEqual(Object.keys(res.body.errors), [field]);
      assert.match(res.body.requestId, UUID);
      assert.ok(og.rejected[0].errors[0].startsWith(`${field}: `));
      assert.equal(og.requests.length, 0);
    });
  }

  it('refuses bad action requests with 422 and unknown routes with 404', async () => {
    await create({ message: 'INC-7', alias: 'warroom-inc-7' });
    const cases = [
      ['acknowledge', { ...ogActionExample, comment: 'x' }, { type: 'alias' }, 'comment'],
      ['close', { note: long(25001) }, { type: 'alias' }, 'note'],
      ['close', { user: 7 }, { type: 'alias' }, 'user'],
      ['acknowledge', undefined, { type: 'name' }, 'identifierType'],
      ['responders', ogActionExample, { type: 'alias' }, 'responder'],
      ['responders', { responder: { type: 'user', name: 'alice' } }, { type: 'alias' }, 'responder'],
    ];
    for (const [action, body, options, field] of cases) {
      const res = await act('warroom-inc-7', action, body, options);
      assert.equal(res.status, 422, `${action} ${JSON.stringify(body)}`);
      assert.deepEqual(Object.keys(res.body.errors), [field]);
    }
    const notJson = await request(`${og.url}v2/alerts`, 'message=x', { headers: auth });
    assert.equal(notJson.status, 422);
    assert.deepEqual(notJson.body.errors, { body: 'should be a JSON object' });
    const form = await request(`${og.url}v2/alerts`, 'message=x',
      { headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual(form.body.errors, { body: 'should be application/json' });
    assert.equal((await create(undefined)).status, 422);

    for (const [method, path] of [['GET', 'v2/alerts'], ['POST', 'v2/alerts/x/snooze'], ['POST', 'v1/json/alert'],
      ['POST', 'v2/alerts/a/b/close']]) {
      const res = await request(`${og.url}${path}`, method === 'GET' ? undefined : {}, { method, headers: auth });
      assert.equal(res.status, 404, path);
      assert.equal(typeof res.body.message, 'string');
    }
    assert.equal(og.alerts.get('warroom-inc-7').status, 'open');
    assert.equal(og.requests.length, 1);
  });

  it('fail(): a 429 with Retry-After and a 503, then normal service; waitFor sees the request', async () => {
    og.fail(1, 429, 5);
    og.fail(1, 503);
    const throttled = await create({ message: 'INC-7' });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['retry-after'], '5');
    assert.match(throttled.body.requestId, UUID);
    assert.equal((await create({ message: 'INC-7' })).status, 503);
    const waiting = og.waitFor((r) => r.action === 'create', 2000);
    expectAccepted(await create({ message: 'INC-7' }));
    assert.equal((await waiting).body.message, 'INC-7');
    assert.deepEqual(og.rejected.map((r) => r.status), [429, 503]);
  });
});

// --- Statuspage ----------------------------------------------------------------------------------------

// The create example of Statuspage's "Create an incident" operation, with the fake's component.
const spCreateExample = {
  incident: {
    name: 'Elevated API errors', status: 'investigating', impact_override: 'major', deliver_notifications: true,
    metadata: { jira: { issue_id: 'INC-1' } }, body: 'We are investigating.', components: { '8kbf7d35c070': 'partial_outage' },
    component_ids: ['8kbf7d35c070'],
  },
};

describe('Statuspage REST API v1 fake', () => {
  let sp;
  const spAuth = { authorization: 'OAuth statuspage-key-test' };
  const incidents = () => `${sp.url}v1/pages/kctbh9vrtdwd/incidents`;
  const call = (method, url, body, headers = spAuth) => request(url, body, { method, headers });

  beforeEach(async () => {
    await sp?.close();
    sp = await startStatuspage({ componentIds: ['8kbf7d35c070'] });
  });
  after(() => sp.close());

  it('opens, updates, lists and reads an incident as Statuspage does', async () => {
    const opened = await call('POST', incidents(), spCreateExample);
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    assert.match(opened.body.id, /^[0-9a-f]{12}$/);
    assert.equal(sp.components.get('8kbf7d35c070'), 'partial_outage');
    const patched = await call('PATCH', `${incidents()}/${opened.body.id}`,
      { incident: { status: 'resolved', body: 'Fixed.', components: { '8kbf7d35c070': 'operational' } } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.incident_updates.map((u) => u.status), ['resolved', 'investigating']);
    assert.equal(sp.components.get('8kbf7d35c070'), 'operational');
    const listed = await call('GET', `${incidents()}?q=elevated`);
    assert.deepEqual(listed.body.map((i) => i.id), [opened.body.id]);
    assert.deepEqual(listed.body[0].metadata, spCreateExample.incident.metadata);
    const read = await call('GET', `${incidents()}/${opened.body.id}`);
    assert.equal(read.body.status, 'resolved');
    assert.deepEqual(sp.requests.map((r) => r.action), ['create', 'update', 'list', 'get']);
  });

  it('refuses a missing key, unknown fields, wrong types, bad status words and unknown components', async () => {
    const refused = async (status, body, pattern, { method = 'POST', url = incidents(), headers = spAuth } = {}) => {
      const res = await call(method, url, body, headers);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.match([res.body.error].flat().join('; '), pattern);
    };
    await refused(401, spCreateExample, /Could not authenticate/, { headers: {} });
    await refused(401, spCreateExample, /Could not authenticate/, { headers: { authorization: 'Bearer statuspage-key-test' } });
    await refused(404, spCreateExample, /no route/, { url: `${sp.url}v1/pages/otherpage/incidents` });
    await refused(400, { ...spCreateExample, page: {} }, /page is not a recognized field/);
    const with_ = (fields) => ({ incident: { ...spCreateExample.incident, ...fields } });
    await refused(422, with_({ colour: 'red' }), /incident.colour is not a recognized field/);
    await refused(422, with_({ status: 'implementing-fix' }), /Status "implementing-fix" is not included in the list/);
    await refused(422, with_({ name: '' }), /Name can't be blank/);
    await refused(422, with_({ deliver_notifications: 'yes' }), /deliver_notifications must be a boolean/);
    await refused(422, with_({ impact_override: 'huge' }), /impact_override "huge"/);
    await refused(422, with_({ components: { '8kbf7d35c070': 'major-outage' } }), /component status "major-outage" is invalid/);
    await refused(422, with_({ component_ids: ['nope00000000'] }), /Component nope00000000 not found/);
    await refused(422, with_({ component_ids: '8kbf7d35c070' }), /component_ids must be an array of strings/);
    await refused(404, { incident: { body: 'x' } }, /could not be found/, { method: 'PATCH', url: `${incidents()}/nothere00000` });
    assert.equal(sp.requests.length, 0);
    assert.equal(sp.incidents.size, 0);
  });

  it('opens a scheduled maintenance with its window, completes it, and refuses it off the schema', async () => {
    const maintenance = {
      incident: {
        name: 'Database upgrade', status: 'scheduled', body: 'Database upgrade',
        scheduled_for: '2026-12-08T02:00:00.000Z', scheduled_until: '2026-12-08T03:00:00.000Z',
        scheduled_auto_in_progress: true, scheduled_auto_completed: true, component_ids: ['8kbf7d35c070'],
        metadata: { warroom: { maintenance: 'MNT-1' } },
      },
    };
    const refused = async (body, pattern, { method = 'POST', url = incidents() } = {}) => {
      const res = await call(method, url, body);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.match([res.body.error].flat().join('; '), pattern);
    };
    const with_ = (fields) => ({ incident: { ...maintenance.incident, ...fields } });
    await refused(with_({ scheduled_for: undefined }), /Scheduled for can't be blank/);
    await refused(with_({ scheduled_until: 'tomorrow' }), /scheduled_until must be an ISO 8601 date-time/);
    await refused(with_({ scheduled_until: '2026-12-08T01:00:00Z' }), /Scheduled until must be after scheduled for/);
    await refused(with_({ scheduled_auto_completed: 'yes' }), /scheduled_auto_completed must be a boolean/);
    await refused(with_({ scheduled_duration: 60 }), /incident.scheduled_duration is not a recognized field/);
    await refused(with_({ status: 'cancelled' }), /Status "cancelled" is not included in the list/);

    const opened = await call('POST', incidents(), maintenance);
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    assert.equal(opened.body.status, 'scheduled');
    assert.equal(opened.body.scheduled_for, '2026-12-08T02:00:00.000Z');
    const url = `${incidents()}/${opened.body.id}`;
    await refused({ incident: { status: 'resolved' } }, /Status "resolved" is not included in the list/, { method: 'PATCH', url });
    const done = await call('PATCH', url, { incident: { status: 'completed', body: 'Called off.' } });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.deepEqual(done.body.incident_updates.map((u) => u.status), ['completed', 'scheduled']);
    const realtime = await call('POST', incidents(), spCreateExample);
    await refused({ incident: { status: 'completed' } }, /Status "completed" is not included in the list/,
      { method: 'PATCH', url: `${incidents()}/${realtime.body.id}` });
  });

  it('answers 429 with Retry-After on demand, and can take a write without answering it', async () => {
    sp.fail(1, 429, 3);
    const limited = await call('POST', incidents(), spCreateExample);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '3');
    assert.deepEqual(limited.body, { error: 'Rate limit exceeded' });
    sp.dropAnswers(1);
    await assert.rejects(call('POST', incidents(), spCreateExample));
    assert.equal(sp.incidents.size, 1, 'the write took effect');
    assert.equal((await call('POST', incidents(), spCreateExample)).status, 201);
  });
});

// --- PagerDuty v3 webhooks -----------------------------------------------------------------------------

const verifies = (secret, raw, header) => {
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  return header.split(',').some((sig) => sig.length === expected.length && timingSafeEqual(Buffer.from(sig), expected));
};

describe('sendPagerDutyWebhook', () => {
  let receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('sends the documented v3 payload and headers with a signature that verifies', async () => {
    const res = await sendPagerDutyWebhook(receiver.url, 'whsec-test',
      { incidentKey: 'warroom-inc-7', title: 'INC-7' });
    assert.deepEqual(res, { status: 202, body: { ok: true } });
    const { headers, raw } = receiver.deliveries.at(-1);
    assert.ok(verifies('whsec-test', raw, headers['x-pagerduty-signature']));
    assert.ok(!verifies('other-secret', raw, headers['x-pagerduty-signature']));
    assert.equal(headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(headers['user-agent'], 'PagerDuty-Webhook/V3.0');
    assert.match(headers['x-webhook-id'], UUID);
    assert.match(headers['x-webhook-subscription'], /^P[0-9A-Z]{6}$/);

    const { event } = JSON.parse(raw);
    assert.deepEqual(Object.keys(event),
      ['id', 'event_type', 'resource_type', 'occurred_at', 'agent', 'client', 'data']);
    assert.equal(event.event_type, 'incident.acknowledged');
    assert.equal(event.resource_type, 'incident');
    assert.ok(!Number.isNaN(Date.parse(event.occurred_at)));
    assert.deepEqual(Object.keys(event.agent), ['html_url', 'id', 'self', 'summary', 'type']);
    assert.equal(event.agent.summary, 'Alice');
    assert.equal(event.agent.type, 'user_reference');
    assert.equal(event.client, null);
    assert.deepEqual(Object.keys(event.data), ['id', 'type', 'self', 'html_url', 'number', 'status', 'incident_key',
      'created_at', 'title', 'service', 'assignees', 'escalation_policy', 'teams', 'priority', 'urgency',
      'conference_bridge', 'resolve_reason']);
    assert.equal(event.data.type, 'incident');
    assert.equal(event.data.status, 'acknowledged');
    assert.equal(event.data.incident_key, 'warroom-inc-7');
    assert.equal(event.data.title, 'INC-7');
    assert.equal(event.data.service.type, 'service_reference');
    assert.equal(event.data.escalation_policy.type, 'escalation_policy_reference');
    assert.deepEqual(event.data.assignees, [event.agent]);
    assert.ok(Number.isInteger(event.data.number) && event.data.number > 0);
  });

  it('derives the status from the event type, keeps one incident per key, and signs only with a secret', async () => {
    const incidents = [];
    const types = ['incident.triggered', 'incident.acknowledged', 'incident.resolved', 'incident.escalated'];
    for (const eventType of types) {
      await sendPagerDutyWebhook(receiver.url, 's', { eventType, incidentKey: 'warroom-inc-8', agentName: 'Bob' });
      incidents.push(JSON.parse(receiver.deliveries.at(-1).raw).event.data);
    }
    assert.deepEqual(incidents.map((d) => d.status), ['triggered', 'acknowledged', 'resolved', 'triggered']);
    assert.equal(new Set(incidents.map((d) => d.id)).size, 1);
    assert.deepEqual(incidents[2].assignees, []);

    await sendPagerDutyWebhook(receiver.url, '', { eventType: 'incident.resolved', status: 'acknowledged' });
    const { headers, raw } = receiver.deliveries.at(-1);
    assert.equal(headers['x-pagerduty-signature'], undefined);
    assert.equal(JSON.parse(raw).event.data.status, 'acknowledged');
  });
});

// --- TLS -----------------------------------------------------------------------------------------------

describe('TLS', () => {
  let dir;
  let certs;
  let ca;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paging-fakes-test-'));
    certs = await makeCerts(dir);
    ca = await readFile(certs.caFile, 'utf8');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('both fakes serve https with makeCerts certificates; a client that does not trust the CA fails', async () => {
    const pd = await startPagerDuty({ tls: true, certs });
    const og = await startOpsgenie({ tls: true, certs });
    try {
      assert.match(pd.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
      assert.equal(pd.caFile, certs.caFile);
      assert.equal((await request(`${pd.url}v2/enqueue`, pdTrigger(), { ca })).status, 202);
      assert.equal((await request(`${og.url}v2/alerts`, { message: 'INC-7' }, { ca, headers: auth })).status, 202);
      await assert.rejects(request(`${pd.url}v2/enqueue`, pdTrigger()), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    } finally {
      await Promise.all([pd.close(), og.close()]);
    }
  });

  it('a fake without certs makes its own and removes them on close', async () => {
    const pd = await startPagerDuty({ tls: true });
    const caFile = pd.caFile;
    assert.equal((await request(`${pd.url}v2/enqueue`, pdTrigger(), { ca: await readFile(caFile) })).status, 202);
    await pd.close();
    await assert.rejects(readFile(caFile), { code: 'ENOENT' });
  });

  it('sendPagerDutyWebhook trusts a CA given as a path or as PEM text', async () => {
    const receiver = await startReceiver({ tlsCerts: certs });
    try {
      assert.equal((await sendPagerDutyWebhook(receiver.url, 's', {}, { ca: certs.caFile })).status, 202);
      assert.equal((await sendPagerDutyWebhook(receiver.url, 's', {}, { ca })).status, 202);
      await assert.rejects(sendPagerDutyWebhook(receiver.url, 's'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      assert.equal(receiver.deliveries.length, 2);
    } finally {
      await receiver.close();
    }
  });
});
