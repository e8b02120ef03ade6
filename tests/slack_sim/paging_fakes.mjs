// Local fakes of the vendors warroom's paging and Statuspage adapters call, and a sender of the webhooks
// PagerDuty calls back with, for end-to-end tests (README.md, "Paging fakes"):
//   startPagerDuty  — PagerDuty Events API v2 (POST /v2/enqueue)
//   startOpsgenie   — Opsgenie Alert API v2 (create, acknowledge, close, add responder)
//   startStatuspage — Atlassian Statuspage REST API v1 (incidents and scheduled maintenances: create, update, list, get)
//   sendPagerDutyWebhook — one signed PagerDuty v3 webhook delivery
// Each fake is one HTTP or HTTPS server on 127.0.0.1 that checks every request against the vendor's
// documented schema, keeps the alert state the vendor would, and records what it accepted and refused.
// Where a fake is stricter than the vendor (unknown fields, nulls), it is so to catch adapter typos.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCerts } from './certs.mjs';
import { contentType, sendJson, sendText } from './lib/http_util.mjs';

// --- shared server plumbing --------------------------------------------------------------------------

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
// The vendors' limits are in characters: count code points, not UTF-16 units.
const chars = (s) => [...s].length;

function parseJson(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: text };
  }
}

// Reads the whole body even past `limit` (so the response can still be written on a keep-alive
// connection) but keeps at most `limit` bytes.
async function readBody(req, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > limit };
}

class FakeVendor {
  rejected = [];

  #accepted;
  #bodyLimit;
  #faults = []; // [{remaining, status, retryAfterSeconds}]
  #waiters = new Set();
  #server;
  #sockets = new Set();
  #ownCertDir;

  constructor(accepted, bodyLimit = Infinity) {
    this.#accepted = accepted;
    this.#bodyLimit = bodyLimit;
  }

  async listen({ tls, certs, port }) {
    let server;
    if (tls) {
      if (!certs) {
        this.#ownCertDir = await mkdtemp(join(tmpdir(), 'paging-fake-certs-'));
        certs = await makeCerts(this.#ownCertDir);
      }
      this.caFile = certs.caFile;
      const [cert, key] = await Promise.all([readFile(certs.certFile), readFile(certs.keyFile)]);
      server = https.createServer({ cert, key });
      // A client refusing the certificate is what some tests want, not a crash.
      server.on('tlsClientError', () => {});
    } else {
      server = http.createServer();
    }
    server.on('request', (req, res) => this.#onRequest(req, res));
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.#server = server;
    this.port = server.address().port;
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${this.port}/`;
  }

  // The next `count` requests, whatever they are, get `status`; Retry-After is sent when given.
  fail(count, status = 500, retryAfterSeconds) {
    this.#faults.push({ remaining: count, status, retryAfterSeconds });
  }

  // Resolves with the first accepted request (already recorded or still to come) the predicate matches.
  async waitFor(predicate, timeoutMs = 10_000) {
    const found = this.#accepted.find(predicate);
    if (found) return found;
    return new Promise((resolve, reject) => {
      const waiter = { predicate, resolve, reject };
      waiter.timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const last = this.rejected.at(-1);
        reject(new Error(`waitFor timed out after ${timeoutMs} ms: ${this.#accepted.length} accepted, `
          + `${this.rejected.length} rejected${last ? ` (last: ${last.status} ${JSON.stringify(last.errors)})` : ''}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  async close() {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('waitFor: the fake was closed'));
    }
    this.#waiters.clear();
    const closed = new Promise((resolve) => this.#server.close(resolve));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    if (this.#ownCertDir) await rm(this.#ownCertDir, { recursive: true, force: true });
  }

  // --- for the vendors ---

  accept(record) {
    this.#accepted.push(record);
    for (const waiter of [...this.#waiters]) {
      try {
        if (!waiter.predicate(record)) continue;
      } catch (err) {
        this.#settle(waiter).reject(err);
        continue;
      }
      this.#settle(waiter).resolve(record);
    }
  }

  refuse(res, status, responseBody, { body, errors, headers }) {
    this.rejected.push({ at: Date.now(), status, body, errors, headers });
    sendJson(res, status, responseBody);
  }

  // What a fault looks like on the wire; vendors override it for 429.
  faultBody() {
    return undefined;
  }

  async #onRequest(req, res) {
    try {
      const { text, tooLarge } = await readBody(req, this.#bodyLimit);
      const fault = this.#takeFault();
      if (!fault) return await this.handle(req, res, text, tooLarge);
      this.rejected.push({
        at: Date.now(), status: fault.status, body: parseJson(text).value, errors: [`injected ${fault.status}`],
        headers: req.headers,
      });
      const headers = fault.retryAfterSeconds == null ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      const body = this.faultBody(fault.status);
      if (body) sendJson(res, fault.status, body, headers);
      else sendText(res, fault.status, http.STATUS_CODES[fault.status] ?? 'error', headers);
    } catch (err) {
      // A bug in the fake: make it loud, never a silent hang.
      console.error(`paging fake: ${req.method} ${req.url} failed:`, err);
      if (!res.headersSent) sendText(res, 500, `fake error: ${err.message}`);
      else res.destroy();
    }
  }

  #settle(waiter) {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
    return waiter;
  }

  #takeFault() {
    const fault = this.#faults[0];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.shift();
    return fault;
  }
}

// --- PagerDuty Events API v2 ---------------------------------------------------------------------------
// developer.pagerduty.com, "Send an Alert Event" and "Events API v2 Overview".

const PD_MAX_BYTES = 512 * 1024;
const PD_FIELDS = new Set(['routing_key', 'event_action', 'dedup_key', 'payload', 'links', 'images', 'client',
  'client_url']);
const PD_PAYLOAD_FIELDS = new Set(['summary', 'source', 'severity', 'timestamp', 'component', 'group', 'class',
  'custom_details']);
const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'];
// ISO 8601 as PagerDuty's own example writes it ("2015-07-17T08:42:58.315+0000"); Date.parse alone
// would also take "March 7 2020".
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

function pdString(errors, where, value, { max = Infinity, required = false } = {}) {
  if (value === undefined) {
    if (required) errors.push(`'${where}' is missing or blank`);
  } else if (typeof value !== 'string') {
    errors.push(`'${where}' must be a string`);
  } else if (required && value.trim() === '') {
    errors.push(`'${where}' is missing or blank`);
  } else if (chars(value) > max) {
    errors.push(`'${where}' is too long (maximum is ${max} characters)`);
  }
}

function pdUnknown(errors, where, object, known) {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) errors.push(`'${where}${key}' is not a recognized field`);
  }
}

function pdContextList(errors, name, list, fields, required) {
  if (!Array.isArray(list)) {
    errors.push(`'${name}' must be an array`);
    return;
  }
  list.forEach((item, i) => {
    const where = `${name}[${i}]`;
    if (!isObject(item)) {
      errors.push(`'${where}' must be an object`);
      return;
    }
    pdUnknown(errors, `${where}.`, item, new Set(fields));
    for (const field of fields) pdString(errors, `${where}.${field}`, item[field], { required: field === required });
  });
}

function validatePagerDutyEvent(event, routingKey) {
  if (!isObject(event)) return ['Event must be a JSON object'];
  const errors = [];
  pdUnknown(errors, '', event, PD_FIELDS);
  const key = event.routing_key;
  pdString(errors, 'routing_key', key, { required: true });
  if (typeof key === 'string' && key.trim() !== '') {
    if (key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
    else if (key !== routingKey) errors.push('Invalid routing key');
  }
  const action = event.event_action;
  if (!['trigger', 'acknowledge', 'resolve'].includes(action)) {
    errors.push("'event_action' must be one of trigger, acknowledge, resolve");
  }
  // Required to acknowledge or resolve; optional on a trigger, but never blank when given.
  pdString(errors, 'dedup_key', event.dedup_key, { max: 255, required: action !== 'trigger' || 'dedup_key' in event });
  if (action === 'trigger') {
    const payload = event.payload;
    if (!isObject(payload)) {
      errors.push("'payload' is missing or not an object");
    } else {
      pdUnknown(errors, 'payload.', payload, PD_PAYLOAD_FIELDS);
      pdString(errors, 'payload.summary', payload.summary, { max: 1024, required: true });
      pdString(errors, 'payload.source', payload.source, { max: 255, required: true });
      if (!PD_SEVERITIES.includes(payload.severity)) {
        errors.push(`'payload.severity' must be one of ${PD_SEVERITIES.join(', ')}`);
      }
      if (payload.timestamp !== undefined
        && !(typeof payload.timestamp === 'string' && ISO_8601.test(payload.timestamp)
          && !Number.isNaN(Date.parse(payload.timestamp)))) {
        errors.push("'payload.timestamp' must be an ISO 8601 timestamp");
      }
      for (const field of ['component', 'group', 'class']) pdString(errors, `payload.${field}`, payload[field]);
      if (payload.custom_details !== undefined && !isObject(payload.custom_details)) {
        errors.push("'payload.custom_details' must be an object");
      }
    }
  }
  if (event.links !== undefined) pdContextList(errors, 'links', event.links, ['href', 'text'], 'href');
  if (event.images !== undefined) pdContextList(errors, 'images', event.images, ['src', 'href', 'alt'], 'src');
  pdString(errors, 'client', event.client);
  pdString(errors, 'client_url', event.client_url);
  return errors;
}

class PagerDutyFake extends FakeVendor {
  alerts = new Map(); // dedup_key -> {status, events, previous}

  constructor(routingKey) {
    const events = [];
    super(events, PD_MAX_BYTES);
    this.events = events;
    this.routingKey = routingKey;
  }

  faultBody(status) {
    return status === 429
      ? { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' }
      : undefined;
  }

  async handle(req, res, text, tooLarge) {
    const path = new URL(req.url, 'http://fake').pathname;
    const parsed = parseJson(text);
    const seen = { body: parsed.value, headers: req.headers };
    if (req.method !== 'POST' || (path !== '/v2/enqueue' && path !== '/v2/enqueue/')) {
      return this.refuse(res, 404, { status: 'not found', message: 'Not found' },
        { ...seen, errors: [`no route for ${req.method} ${path}`] });
    }
    const invalid = (errors) => this.refuse(res, 400,
      { status: 'invalid event', message: 'Event object is invalid', errors }, { ...seen, errors });
    if (tooLarge) return invalid([`Event is larger than ${PD_MAX_BYTES / 1024} KB`]);
    if (contentType(req).type !== 'application/json') return invalid(['Content-Type must be application/json']);
    if (!parsed.ok) return invalid(['Request body is not valid JSON']);
    const errors = validatePagerDutyEvent(parsed.value, this.routingKey);
    if (errors.length > 0) return invalid(errors);

    const event = parsed.value;
    // PagerDuty makes up a key for a trigger without one and returns it.
    const dedupKey = event.dedup_key ?? randomBytes(16).toString('hex');
    const record = { at: Date.now(), body: event, headers: req.headers, dedupKey };
    const note = this.#apply(event.event_action, dedupKey, record);
    if (note) record.note = note;
    this.accept(record);
    sendJson(res, 202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  }

  // "Once the alert is resolved, any further events with the same dedup_key will create a new alert
  // (for trigger events) or be dropped (for acknowledge and resolve events)." Returns a note when dropped.
  #apply(action, dedupKey, record) {
    const alert = this.alerts.get(dedupKey);
    const open = alert !== undefined && alert.status !== 'resolved';
    if (action === 'trigger') {
      // A trigger on an open alert is deduplicated into it; an acknowledged alert stays acknowledged.
      if (open) alert.events.push(record);
      else this.alerts.set(dedupKey, { status: 'triggered', events: [record], previous: alert ?? null });
      return undefined;
    }
    if (!open) return alert ? 'dropped: the alert is resolved' : 'dropped: no alert has this dedup_key';
    alert.events.push(record);
    alert.status = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    return undefined;
  }
}

export async function startPagerDuty({
  tls = false, certs, port = 0, routingKey = 'R0UTINGKEY0000000000000000000001',
} = {}) {
  const fake = new PagerDutyFake(routingKey);
  await fake.listen({ tls, certs, port });
  return fake;
}

// --- Opsgenie Alert API v2 -----------------------------------------------------------------------------
// docs.opsgenie.com, "Alert API": create, acknowledge, close, add responder. Every response carries
// `took` (seconds) and `requestId`; the actions are asynchronous, so an action on an alert that does not
// exist is still a 202 (the vendor reports "Alert does not exist" only through the request status).

const OG_RESPONDER_TYPES = ['team', 'user', 'escalation', 'schedule'];
const OG_VISIBLE_TO_TYPES = ['team', 'user'];
const OG_PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'];
const OG_ACTION_FIELDS = { user: 100, source: 100, note: 25000 };
const OG_CREATE_FIELDS = { message: 130, alias: 512, description: 15000, entity: 512, ...OG_ACTION_FIELDS };
const OG_UNPROCESSABLE = 'Request body is not processable. Please check the errors.';

const ogMeta = () => ({ took: Number((0.001 + Math.random() * 0.05).toFixed(3)), requestId: randomUUID() });

function ogString(errors, key, value, max, required = false) {
  if (value === undefined) {
    if (required) errors[key] = 'can not be empty';
  } else if (typeof value !== 'string') {
    errors[key] = 'should be a string';
  } else if (required && value.trim() === '') {
    errors[key] = 'can not be empty';
  } else if (chars(value) > max) {
    errors[key] = `should be at most ${max} characters`;
  }
}

// A responder or visibleTo entry: {type, id | name} or, for a user, {type, id | username}.
function ogRecipientError(recipient, types) {
  if (!isObject(recipient)) return 'should be an object';
  if (!types.includes(recipient.type)) return `type should be one of [ ${types.join(', ')} ]`;
  const names = recipient.type === 'user' ? ['id', 'username'] : ['id', 'name'];
  const unknown = Object.keys(recipient).find((k) => k !== 'type' && !names.includes(k));
  if (unknown) return `unknown field ${unknown}`;
  const given = names.filter((k) => recipient[k] !== undefined);
  if (given.length === 0) return `${names.join(' or ')} is required for a ${recipient.type}`;
  const bad = given.find((k) => typeof recipient[k] !== 'string' || recipient[k].trim() === '');
  return bad ? `${bad} should be a non-empty string` : undefined;
}

function ogRecipients(errors, key, list, types, max) {
  if (!Array.isArray(list)) {
    errors[key] = 'should be an array';
    return;
  }
  if (list.length > max) errors[key] = `should have at most ${max} items`;
  list.forEach((recipient, i) => {
    const error = ogRecipientError(recipient, types);
    if (error) errors[`${key}[${i}]`] = error;
  });
}

function ogStringList(errors, key, list, maxItems, maxChars) {
  if (!Array.isArray(list)) {
    errors[key] = 'should be an array';
    return;
  }
  if (list.length > maxItems) errors[key] = `should have at most ${maxItems} items`;
  list.forEach((item, i) => ogString(errors, `${key}[${i}]`, item, maxChars, true));
}

function ogUnknown(errors, body, known) {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) errors[key] = 'unknown field';
  }
}

function validateOpsgenieCreate(body) {
  const errors = {};
  ogUnknown(errors, body, [...Object.keys(OG_CREATE_FIELDS), 'responders', 'visibleTo', 'actions', 'tags', 'details',
    'priority']);
  for (const [key, max] of Object.entries(OG_CREATE_FIELDS)) ogString(errors, key, body[key], max, key === 'message');
  if (body.responders !== undefined) ogRecipients(errors, 'responders', body.responders, OG_RESPONDER_TYPES, 50);
  if (body.visibleTo !== undefined) ogRecipients(errors, 'visibleTo', body.visibleTo, OG_VISIBLE_TO_TYPES, 50);
  if (body.actions !== undefined) ogStringList(errors, 'actions', body.actions, 10, 50);
  if (body.tags !== undefined) ogStringList(errors, 'tags', body.tags, 20, 50);
  if (body.details !== undefined) {
    if (!isObject(body.details)) {
      errors.details = 'should be an object of string values';
    } else {
      const entries = Object.entries(body.details);
      const nonString = entries.find(([, v]) => typeof v !== 'string');
      if (nonString) errors[`details.${nonString[0]}`] = 'should be a string';
      else if (entries.reduce((n, [k, v]) => n + chars(k) + chars(v), 0) > 8000) {
        errors.details = 'should be at most 8000 characters in total';
      }
    }
  }
  if (body.priority !== undefined && !OG_PRIORITIES.includes(body.priority)) {
    errors.priority = `should be one of [ ${OG_PRIORITIES.join(', ')} ]`;
  }
  return errors;
}

function validateOpsgenieAction(body, action) {
  const errors = {};
  const known = Object.keys(OG_ACTION_FIELDS);
  if (action === 'responders') {
    known.push('responder');
    const error = body.responder === undefined
      ? 'can not be empty'
      : ogRecipientError(body.responder, OG_RESPONDER_TYPES);
    if (error) errors.responder = error;
  }
  ogUnknown(errors, body, known);
  for (const [key, max] of Object.entries(OG_ACTION_FIELDS)) ogString(errors, key, body[key], max);
  return errors;
}

// POST /v2/alerts and POST /v2/alerts/:identifier/(acknowledge|close|responders); the identifier is
// URL-encoded in the path.
function opsgenieRoute(method, pathname) {
  if (method !== 'POST') return undefined;
  const parts = pathname.split('/');
  if (parts[1] !== 'v2' || parts[2] !== 'alerts') return undefined;
  if (parts.length === 3 || (parts.length === 4 && parts[3] === '')) return { action: 'create' };
  if (parts.length !== 5 || parts[3] === '' || !['acknowledge', 'close', 'responders'].includes(parts[4])) {
    return undefined;
  }
  try {
    return { action: parts[4], identifier: decodeURIComponent(parts[3]) };
  } catch {
    return undefined;
  }
}

class OpsgenieFake extends FakeVendor {
  alerts = new Map(); // alias -> {id, tinyId, alias, message, priority, status, responders, count, requests, previous}

  #nextTinyId = 1;

  constructor(apiKey) {
    const requests = [];
    super(requests);
    this.requests = requests;
    this.apiKey = apiKey;
  }

  faultBody(status) {
    return status === 429
      ? { message: 'You are making too many requests! To avoid errors, we recommend you limit requests.', ...ogMeta() }
      : undefined;
  }

  async handle(req, res, text) {
    const url = new URL(req.url, 'http://fake');
    const parsed = parseJson(text);
    const seen = { body: text === '' ? undefined : parsed.value, headers: req.headers };
    const route = opsgenieRoute(req.method, url.pathname);
    if (!route) {
      return this.refuse(res, 404, { message: `No API found for ${req.method} ${url.pathname}`, ...ogMeta() },
        { ...seen, errors: [`no route for ${req.method} ${url.pathname}`] });
    }
    if (req.headers.authorization !== `GenieKey ${this.apiKey}`) {
      return this.refuse(res, 401, { message: 'Could not authenticate', ...ogMeta() },
        { ...seen, errors: ['missing or wrong Authorization: GenieKey'] });
    }
    const unprocessable = (errors) => this.refuse(res, 422, { message: OG_UNPROCESSABLE, errors, ...ogMeta() },
      { ...seen, errors: Object.entries(errors).map(([key, message]) => `${key}: ${message}`) });

    // The action endpoints take an optional body; create needs one.
    let body = {};
    if (text !== '' || route.action === 'create') {
      if (contentType(req).type !== 'application/json') return unprocessable({ body: 'should be application/json' });
      if (!parsed.ok || !isObject(parsed.value)) return unprocessable({ body: 'should be a JSON object' });
      body = parsed.value;
    }
    const identifierType = url.searchParams.get('identifierType') ?? 'id';
    const errors = route.action === 'create'
      ? validateOpsgenieCreate(body)
      : validateOpsgenieAction(body, route.action);
    if (route.action !== 'create' && !['id', 'alias', 'tiny'].includes(identifierType)) {
      errors.identifierType = 'should be one of [ id, alias, tiny ]';
    }
    if (Object.keys(errors).length > 0) return unprocessable(errors);

    const meta = ogMeta();
    const record = { at: Date.now(), action: route.action, body, headers: req.headers, requestId: meta.requestId };
    if (route.action === 'create') this.#create(record);
    else this.#act({ ...route, identifierType }, record);
    this.accept(record);
    sendJson(res, 202, { result: 'Request will be processed', ...meta });
  }

  // An open alias deduplicates (count + 1); a closed one is replaced by a new alert.
  #create(record) {
    const body = record.body;
    const id = randomUUID();
    record.alias = body.alias ?? id;
    const existing = this.alerts.get(record.alias);
    if (existing && existing.status !== 'closed') {
      existing.count += 1;
      existing.requests.push(record);
      record.note = 'deduplicated into the open alert';
      return;
    }
    this.alerts.set(record.alias, {
      id,
      tinyId: String(this.#nextTinyId++),
      alias: record.alias,
      message: body.message,
      priority: body.priority ?? 'P3',
      status: 'open',
      responders: [...(body.responders ?? [])],
      count: 1,
      requests: [record],
      previous: existing ?? null,
    });
  }

  #act({ action, identifier, identifierType }, record) {
    Object.assign(record, { identifier, identifierType });
    const alert = this.#find(identifier, identifierType);
    if (!alert) {
      record.note = 'Alert does not exist';
      return;
    }
    record.alias = alert.alias;
    alert.requests.push(record);
    if (action === 'responders') alert.responders.push(record.body.responder);
    else if (alert.status === 'closed') record.note = 'the alert is closed';
    else if (action === 'close') alert.status = 'closed';
    else alert.status = 'acked';
  }

  #find(identifier, identifierType) {
    if (identifierType === 'alias') return this.alerts.get(identifier);
    const field = identifierType === 'id' ? 'id' : 'tinyId';
    return [...this.alerts.values()].find((alert) => alert[field] === identifier);
  }
}

export async function startOpsgenie({ tls = false, certs, port = 0, apiKey = 'genie-key-test' } = {}) {
  const fake = new OpsgenieFake(apiKey);
  await fake.listen({ tls, certs, port });
  return fake;
}

// --- PagerDuty v3 webhooks -----------------------------------------------------------------------------
// developer.pagerduty.com, "Webhooks Overview" (payload), "Verifying Signatures", "Behavior" (headers).

const PD_WEB = 'https://acme.pagerduty.com';
const PD_API = 'https://api.pagerduty.com';

// PagerDuty object IDs look like "PGR0VU2"; derived from a seed so the same incident key or agent name
// gives the same ID in every webhook of a test.
const pdId = (seed) => `P${createHash('sha256').update(seed).digest('hex').slice(0, 6).toUpperCase()}`;

function pdReference(kind, collection, id, summary) {
  const path = `${collection}/${id}`;
  return { html_url: `${PD_WEB}/${path}`, id, self: `${PD_API}/${path}`, summary, type: `${kind}_reference` };
}

const pdStatusOf = (eventType) => (
  { 'incident.acknowledged': 'acknowledged', 'incident.resolved': 'resolved' }[eventType] ?? 'triggered');

// `occurredAt: null` leaves occurred_at out, as a forged or truncated delivery would.
function pdWebhookPayload({ eventType, incidentKey, title, agentName, status, occurredAt, serviceId }) {
  const now = occurredAt ?? new Date();
  const incidentId = pdId(`incident:${incidentKey}`);
  const agent = pdReference('user', 'users', pdId(`user:${agentName}`), agentName);
  return {
    event: {
      id: randomUUID(),
      event_type: eventType,
      resource_type: 'incident',
      ...(occurredAt === null ? {} : { occurred_at: now.toISOString() }),
      agent,
      client: null,
      data: {
        id: incidentId,
        type: 'incident',
        self: `${PD_API}/incidents/${incidentId}`,
        html_url: `${PD_WEB}/incidents/${incidentId}`,
        number: (Number.parseInt(incidentId.slice(1), 16) % 99_999) + 1,
        status,
        incident_key: incidentKey,
        created_at: now.toISOString().replace(/\.\d+Z$/, 'Z'),
        title,
        service: pdReference('service', 'services', serviceId, 'warroom test service'),
        // A resolved incident has no one assigned any more.
        assignees: status === 'resolved' ? [] : [agent],
        escalation_policy: pdReference('escalation_policy', 'escalation_policies', 'PUS0KTE', 'Default'),
        teams: [],
        priority: null,
        urgency: 'high',
        conference_bridge: null,
        resolve_reason: null,
      },
    },
  };
}

// POSTs one webhook delivery as PagerDuty does: the signature is v1=hex(HMAC-SHA256(secret, raw body)).
// `ca` (PEM text or a file path) is trusted for an https URL. Resolves to {status, body}.
export async function sendPagerDutyWebhook(url, secret, {
  eventType = 'incident.acknowledged', incidentKey = randomBytes(16).toString('hex'), title = 'warroom page',
  agentName = 'Alice', status = pdStatusOf(eventType), occurredAt = new Date(), serviceId = 'PF9KMXH',
} = {}, { ca } = {}) {
  const raw = JSON.stringify(pdWebhookPayload({ eventType, incidentKey, title, agentName, status, occurredAt, serviceId }));
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(raw),
    'user-agent': 'PagerDuty-Webhook/V3.0',
    'x-webhook-id': randomUUID(),
    'x-webhook-subscription': pdId('subscription'),
  };
  if (secret) headers['x-pagerduty-signature'] = `v1=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  const target = new URL(url);
  const options = { method: 'POST', headers };
  if (ca) options.ca = ca.includes('-----BEGIN') ? ca : await readFile(ca, 'utf8');
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(target, options, async (res) => {
      try {
        const { text } = await readBody(res, Infinity);
        resolve({ status: res.statusCode, body: parseJson(text).value });
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
    req.end(raw);
  });
}

// --- Atlassian Statuspage REST API v1 --------------------------------------------------------------------
// developer.statuspage.io: "Create an incident" (POST /v1/pages/{page_id}/incidents), "Update an
// incident" (PATCH .../incidents/{incident_id}), "Get a list of incidents" (GET .../incidents?q=),
// "Get an incident"; every call with `Authorization: OAuth <key>`; bodies {"incident": {...}}.

// The incident fields the create and update operations document.
const SP_INCIDENT_FIELDS = new Set(['name', 'status', 'impact_override', 'scheduled_for', 'scheduled_until',
  'scheduled_remind_prior', 'scheduled_auto_in_progress', 'scheduled_auto_completed', 'metadata',
  'deliver_notifications', 'auto_transition_deliver_notifications_at_end',
  'auto_transition_deliver_notifications_at_start', 'auto_transition_to_maintenance_state',
  'auto_transition_to_operational_state', 'auto_tweet_at_beginning', 'auto_tweet_on_completion',
  'auto_tweet_on_creation', 'auto_tweet_one_hour_before', 'backfill_date', 'backfilled', 'body', 'components',
  'component_ids', 'scheduled_auto_transition']);
const SP_BOOLEANS = ['deliver_notifications', 'scheduled_remind_prior', 'scheduled_auto_in_progress',
  'scheduled_auto_completed', 'backfilled', 'scheduled_auto_transition'];
// A realtime incident's statuses, and a scheduled maintenance's: which one an incident is follows from
// the status it is created with, and it keeps to that kind's statuses.
const SP_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'];
const SP_MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'];
// ISO 8601 date-times, as the scheduled_* fields take them.
const SP_ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const SP_IMPACTS = ['none', 'minor', 'major', 'critical'];
const SP_COMPONENT_STATUSES = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage',
  'major_outage'];
const spNewId = () => randomBytes(6).toString('hex');

// `maintenance`: the incident updated is a scheduled maintenance (on create: whether it would be one).
function validateStatuspageIncident(incident, { create, components, maintenance }) {
  const errors = [];
  if (!isObject(incident)) return ['incident must be an object'];
  for (const key of Object.keys(incident)) {
    if (!SP_INCIDENT_FIELDS.has(key)) errors.push(`incident.${key} is not a recognized field`);
  }
  if (create || incident.name !== undefined) {
    if (typeof incident.name !== 'string' || incident.name.trim() === '') errors.push("Name can't be blank");
  }
  if (create && incident.status === undefined) errors.push("Status can't be blank");
  if (incident.status !== undefined && !(maintenance ? SP_MAINTENANCE_STATUSES : SP_STATUSES).includes(incident.status)) {
    errors.push(`Status ${JSON.stringify(incident.status)} is not included in the list`);
  }
  for (const key of ['scheduled_for', 'scheduled_until']) {
    if (incident[key] !== undefined && !(typeof incident[key] === 'string' && SP_ISO_TIME.test(incident[key]))) {
      errors.push(`${key} must be an ISO 8601 date-time`);
    }
  }
  if (create && maintenance) {
    if (incident.scheduled_for === undefined) errors.push("Scheduled for can't be blank");
    if (incident.scheduled_until === undefined) errors.push("Scheduled until can't be blank");
    if (Date.parse(incident.scheduled_until) <= Date.parse(incident.scheduled_for)) {
      errors.push('Scheduled until must be after scheduled for');
    }
  }
  if (incident.body !== undefined && typeof incident.body !== 'string') errors.push('body must be a string');
  if (incident.impact_override !== undefined && !SP_IMPACTS.includes(incident.impact_override)) {
    errors.push(`impact_override ${JSON.stringify(incident.impact_override)} is not included in the list`);
  }
  for (const key of SP_BOOLEANS) {
    if (incident[key] !== undefined && typeof incident[key] !== 'boolean') errors.push(`${key} must be a boolean`);
  }
  if (incident.metadata !== undefined
    && (!isObject(incident.metadata) || !Object.values(incident.metadata).every(isObject))) {
    errors.push('metadata must be an object of objects (namespace -> key/value pairs)');
  }
  if (incident.component_ids !== undefined) {
    if (!Array.isArray(incident.component_ids) || !incident.component_ids.every((id) => typeof id === 'string')) {
      errors.push('component_ids must be an array of strings');
    } else {
      for (const id of incident.component_ids) if (!components.has(id)) errors.push(`Component ${id} not found`);
    }
  }
  if (incident.components !== undefined) {
    if (!isObject(incident.components)) {
      errors.push('components must be an object (component id -> status)');
    } else {
      for (const [id, status] of Object.entries(incident.components)) {
        if (!components.has(id)) errors.push(`Component ${id} not found`);
        if (!SP_COMPONENT_STATUSES.includes(status)) errors.push(`component status ${JSON.stringify(status)} is invalid`);
      }
    }
  }
  return errors;
}

class StatuspageFake extends FakeVendor {
  incidents = new Map(); // id -> the incident as Statuspage answers it
  components; // id -> status
  #drops = 0;

  constructor({ apiKey, pageId, componentIds }) {
    const requests = [];
    super(requests);
    this.requests = requests;
    this.apiKey = apiKey;
    this.pageId = pageId;
    this.components = new Map(componentIds.map((id) => [id, 'operational']));
  }

  // The next `count` accepted writes take effect, but their connection is closed unanswered: the
  // caller cannot know whether they did.
  dropAnswers(count) {
    this.#drops += count;
  }

  faultBody(status) {
    return status === 420 || status === 429 ? { error: 'Rate limit exceeded' } : undefined;
  }

  async handle(req, res, text) {
    const url = new URL(req.url, 'http://fake');
    const parsed = parseJson(text);
    const seen = { body: text === '' ? undefined : parsed.value, headers: req.headers };
    const refuse = (status, errors) => this.refuse(res, status, { error: errors.length === 1 ? errors[0] : errors },
      { ...seen, errors });
    if (req.headers.authorization !== `OAuth ${this.apiKey}`) return refuse(401, ['Could not authenticate']);
    const m = /^\/v1\/pages\/([^/]+)\/incidents(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m || m[1] !== this.pageId) return refuse(404, [`no route for ${req.method} ${url.pathname}`]);
    const id = m[2] && decodeURIComponent(m[2]);
    const write = req.method === 'POST' || req.method === 'PATCH';
    if ((req.method === 'POST' && id) || (req.method === 'PATCH' && !id) || (!write && req.method !== 'GET')) {
      return refuse(405, [`${req.method} is not allowed on ${url.pathname}`]);
    }
    if (req.method === 'GET' && text !== '') return refuse(400, ['a GET has no body']);
    if (id && !this.incidents.has(id)) return refuse(404, ['The requested resource could not be found.']);
    const record = { at: Date.now(), method: req.method, id, query: Object.fromEntries(url.searchParams), headers: req.headers };
    if (req.method === 'GET') {
      this.accept({ ...record, action: id ? 'get' : 'list' });
      if (id) return sendJson(res, 200, this.incidents.get(id));
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const found = [...this.incidents.values()].filter((i) => i.name.toLowerCase().includes(q)
        || i.incident_updates.some((u) => u.body.toLowerCase().includes(q)));
      return sendJson(res, 200, found.reverse());
    }
    if (contentType(req).type !== 'application/json') return refuse(415, ['Content-Type must be application/json']);
    if (!parsed.ok || !isObject(parsed.value)) return refuse(400, ['the body must be a JSON object']);
    const extra = Object.keys(parsed.value).filter((k) => k !== 'incident');
    if (extra.length > 0) return refuse(400, extra.map((k) => `${k} is not a recognized field`));
    const maintenance = id ? this.incidents.get(id).scheduled_for !== null
      : SP_MAINTENANCE_STATUSES.includes(parsed.value.incident?.status);
    const errors = validateStatuspageIncident(parsed.value.incident,
      { create: !id, components: this.components, maintenance });
    if (errors.length > 0) return refuse(422, errors);

    const body = parsed.value.incident;
    const incident = id ? this.incidents.get(id) : this.#open(body);
    this.#apply(incident, body);
    this.accept({ ...record, action: id ? 'update' : 'create', id: incident.id, body: parsed.value });
    if (this.#drops > 0) {
      this.#drops -= 1;
      res.destroy();
      return undefined;
    }
    return sendJson(res, id ? 200 : 201, incident);
  }

  #open(body) {
    const now = new Date().toISOString();
    const incident = {
      id: spNewId(), name: body.name, status: body.status, impact: 'none', impact_override: null,
      created_at: now, updated_at: now, monitoring_at: null, resolved_at: null, page_id: this.pageId,
      shortlink: 'https://stspg.io/fake', metadata: body.metadata ?? {}, components: [], incident_updates: [],
      scheduled_for: body.scheduled_for ?? null, scheduled_until: body.scheduled_until ?? null,
      scheduled_auto_in_progress: body.scheduled_auto_in_progress ?? false,
      scheduled_auto_completed: body.scheduled_auto_completed ?? false,
    };
    this.incidents.set(incident.id, incident);
    return incident;
  }

  #apply(incident, body) {
    const now = new Date().toISOString();
    if (body.name !== undefined) incident.name = body.name;
    if (body.status !== undefined) incident.status = body.status;
    if (body.impact_override !== undefined) incident.impact = incident.impact_override = body.impact_override;
    if (body.status === 'monitoring' && !incident.monitoring_at) incident.monitoring_at = now;
    if (body.status === 'resolved' || body.status === 'completed') incident.resolved_at = now;
    for (const key of ['scheduled_for', 'scheduled_until']) if (body[key] !== undefined) incident[key] = body[key];
    for (const [cid, status] of Object.entries(body.components ?? {})) this.components.set(cid, status);
    const ids = new Set([...incident.components.map((c) => c.id), ...(body.component_ids ?? []),
      ...Object.keys(body.components ?? {})]);
    incident.components = [...ids].map((cid) => ({ id: cid, status: this.components.get(cid) }));
    // Each change of status or body is an update on the incident's timeline, newest first.
    if (body.body !== undefined || body.status !== undefined) {
      incident.incident_updates.unshift({
        id: spNewId(), incident_id: incident.id, status: incident.status, body: body.body ?? '',
        created_at: now, display_at: now, updated_at: now,
        affected_components: Object.entries(body.components ?? {}).map(([code, status]) => ({ code, new_status: status })),
        deliver_notifications: body.deliver_notifications ?? true,
      });
    }
    incident.updated_at = now;
  }
}

export async function startStatuspage({
  tls = false, certs, port = 0, apiKey = 'statuspage-key-test', pageId = 'kctbh9vrtdwd', componentIds = [],
} = {}) {
  const fake = new StatuspageFake({ apiKey, pageId, componentIds });
  await fake.listen({ tls, certs, port });
  return fake;
}
