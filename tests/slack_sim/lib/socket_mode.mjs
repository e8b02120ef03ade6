// Socket Mode (slack-protocol.md §1): single-use ticket URLs, `hello`, at most 10 connections,
// round-robin envelopes, server pings, ack deadlines with events_api redelivery, and the connection
// faults a robust client must survive (refresh, drop, reset, half-open, refused upgrades).
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { resetSocket } from './http_util.mjs';

const OPEN = 1; // WebSocket.OPEN

export class SocketMode {
  connections = new Map(); // id -> connection, open ones only
  connectionLog = []; // {id, openedAt, helloAt, closedAt, how}
  rejectedUpgrades = []; // {at, status, reason}
  envelopes = []; // every envelope sent: {envelopeId, type, payload, retryAttempt, retryReason, connectionId, ...}
  acks = []; // {envelopeId, payload, at, connectionId, latencyMs}
  misroutedAcks = []; // acks that arrived on another connection than the one that delivered the envelope
  garbage = []; // frames that are not a valid ack: {connectionId, at, reason, data}
  timeouts = []; // envelopes whose ack deadline passed: {envelopeId, type, at, connectionId, retryAttempt, error}
  stopPongs = false;
  stopPings = false;
  pongDelayMs = 0;
  linkDisabledError = 'forbidden_team'; // what apps.connections.open answers while the link is disabled (unverified)

  #sim;
  #options;
  #wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: 16 * 1024 * 1024 });
  #tickets = new Map(); // ticket -> {issuedAt, used}
  #refusals = []; // {remaining, status, where}
  #queue = []; // envelopes waiting for a ready connection
  #pending = new Map(); // envelopeId -> envelope awaiting its ack
  #waiters = new Map(); // envelopeId -> resolve of the promise inject() returned
  #ackTimers = new Map(); // envelopeId -> deadline timer
  #timers = new Set();
  #nextConnection = 1;
  #roundRobin = 0;
  #pingCount = 0;
  #pingTimer;
  #linkDisabled = false;
  #closed = false;

  constructor(sim, options) {
    this.#sim = sim;
    this.#options = options;
    this.#pingTimer = setInterval(() => this.#pingAll(), options.pingIntervalMs);
  }

  // --- tickets and upgrades ---------------------------------------------------------------------------

  issueTicketUrl() {
    const ticket = randomUUID();
    this.#tickets.set(ticket, { issuedAt: Date.now(), used: false });
    const scheme = this.#sim.tls ? 'wss' : 'ws';
    return `${scheme}://${this.#sim.host}:${this.#sim.port}/link/?ticket=${ticket}&app_id=${this.#sim.appId}`;
  }

  // The next n connection attempts fail: at the upgrade with HTTP `status` (where = 'upgrade'), or at
  // apps.connections.open with internal_error (where = 'open').
  refuseConnects(n, status = 500, where = 'upgrade') {
    this.#refusals.push({ remaining: n, status, where });
  }

  refuse(where) {
    const entry = this.#refusals.find((r) => r.where === where && r.remaining > 0);
    if (!entry) return undefined;
    entry.remaining -= 1;
    return entry.status;
  }

  handleUpgrade(req, socket, head) {
    const url = new URL(req.url, 'http://sim');
    const reject = (status, reason) => {
      this.rejectedUpgrades.push({ at: Date.now(), status, reason });
      const body = `${reason}\n`;
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\n`
        + `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    };
    if (url.pathname !== '/link/' && url.pathname !== '/link') return reject(404, 'not_found');
    const refused = this.refuse('upgrade');
    if (refused !== undefined) return reject(refused, 'refused');
    if (this.#linkDisabled) return reject(403, 'link_disabled');
    // Tickets are single use (§1.1: reuse unverified, the simulator rejects it with 409).
    const ticket = this.#tickets.get(url.searchParams.get('ticket') ?? '');
    if (!ticket) return reject(409, 'unknown_ticket');
    if (ticket.used) return reject(409, 'ticket_already_used');
    ticket.used = true;
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onOpen(ws, socket, url));
  }

  #onOpen(ws, socket, url) {
    const conn = {
      id: `conn-${this.#nextConnection++}`, ws, socket, ready: false, halfOpen: false, refreshRequested: false,
      log: { id: '', openedAt: Date.now(), helloAt: null, closedAt: null, how: null },
    };
    conn.log.id = conn.id;
    this.connectionLog.push(conn.log);
    ws.on('message', (data, isBinary) => this.#onFrame(conn, data, isBinary));
    ws.on('ping', (data) => this.#onPing(conn, data));
    ws.on('error', () => {}); // a reset by the peer also ends in 'close'
    ws.on('close', (code) => this.#onClose(conn, code));
    if (this.#closed) return ws.terminate();

    if (this.connections.size >= this.#options.maxConnections) {
      conn.log.how = 'too_many_websockets';
      ws.send(JSON.stringify({
        type: 'disconnect', reason: 'too_many_websockets', num_connections: this.connections.size,
        debug_info: { host: this.#host(conn) }, connection_info: { app_id: this.#sim.appId },
      }));
      ws.close(1008, 'too_many_websockets');
      return;
    }
    this.connections.set(conn.id, conn);
    const debugReconnects = url.searchParams.get('debug_reconnects') === 'true';
    const lifetimeMs = debugReconnects ? this.#options.debugReconnectMs : 18_060_000;
    ws.send(JSON.stringify({
      type: 'hello',
      num_connections: this.connections.size,
      debug_info: {
        host: this.#host(conn), build_number: 1, approximate_connection_time: Math.ceil(lifetimeMs / 1000),
      },
      connection_info: { app_id: this.#sim.appId },
    }));
    conn.ready = true;
    conn.log.helloAt = Date.now();
    // §1.2: debug_reconnects shortens the connection's life to approximate_connection_time.
    if (debugReconnects) this.#later(lifetimeMs, () => this.#refresh(conn, {}));
    this.#flushQueue();
  }

  #host(conn) {
    return `applink-sim-${conn.id.slice(5)}`;
  }

  #onClose(conn, code) {
    conn.log.closedAt = Date.now();
    conn.log.how ??= code === 1006 ? 'client_dropped' : `client_closed_${code}`;
    conn.ready = false;
    this.connections.delete(conn.id);
  }

  #onPing(conn, data) {
    if (this.stopPongs || conn.halfOpen) return;
    if (this.pongDelayMs > 0) this.#later(this.pongDelayMs, () => this.#pong(conn, data));
    else this.#pong(conn, data);
  }

  #pong(conn, data) {
    if (conn.ws.readyState === OPEN && !conn.halfOpen) conn.ws.pong(data);
  }

  #pingAll() {
    if (this.stopPings) return;
    for (const conn of this.connections.values()) {
      if (conn.ready && !conn.halfOpen && conn.ws.readyState === OPEN) conn.ws.ping(`sim-ping-${++this.#pingCount}`);
    }
  }

  // --- envelopes ----------------------------------------------------------------------------------------

  // Queues one envelope; returns {envelopeId, ack} where ack resolves to the ack record, or null once
  // the deadline passed.
  inject(type, payload, { acceptsResponsePayload, retryAttempt = 0, retryReason = '' } = {}) {
    const envelope = {
      envelopeId: randomUUID(), type, payload, acceptsResponsePayload, retryAttempt, retryReason,
      connectionId: null, queuedAt: Date.now(), sentAt: null, ackedAt: null, timedOut: false,
    };
    const ack = new Promise((resolve) => this.#waiters.set(envelope.envelopeId, resolve));
    this.#deliver(envelope);
    return { envelopeId: envelope.envelopeId, ack };
  }

  #ready() {
    return [...this.connections.values()].filter((c) => c.ready && c.ws.readyState === OPEN);
  }

  #deliver(envelope) {
    if (this.#closed) return this.#resolveWaiter(envelope.envelopeId, null);
    const ready = this.#ready();
    if (ready.length === 0) {
      this.#queue.push(envelope);
      return;
    }
    const conn = ready[this.#roundRobin++ % ready.length];
    const frame = {
      envelope_id: envelope.envelopeId, type: envelope.type, accepts_response_payload: envelope.acceptsResponsePayload,
      payload: envelope.payload,
    };
    if (envelope.type === 'events_api') {
      Object.assign(frame, { retry_attempt: envelope.retryAttempt, retry_reason: envelope.retryReason });
    }
    Object.assign(envelope, { connectionId: conn.id, sentAt: Date.now() });
    this.envelopes.push(envelope);
    this.#pending.set(envelope.envelopeId, envelope);
    this.#send(conn, JSON.stringify(frame));
    const deadline = this.#later(this.#options.ackTimeoutMs, () => this.#onAckTimeout(envelope));
    this.#ackTimers.set(envelope.envelopeId, deadline);
  }

  #flushQueue() {
    const queued = this.#queue.splice(0);
    for (const envelope of queued) this.#deliver(envelope);
  }

  // A half-open socket swallows writes: the sender cannot tell, exactly as with a dead peer.
  #send(conn, text) {
    if (!conn.halfOpen && conn.ws.readyState === OPEN) conn.ws.send(text);
  }

  // §1.7: events_api is redelivered as a new envelope (same payload and event_id, retry_attempt 1..3,
  // retry_reason "timeout"); slash commands and interactions only fail for the user.
  #onAckTimeout(envelope) {
    this.#pending.delete(envelope.envelopeId);
    this.#ackTimers.delete(envelope.envelopeId);
    envelope.timedOut = true;
    this.#resolveWaiter(envelope.envelopeId, null);
    const record = {
      envelopeId: envelope.envelopeId, type: envelope.type, at: Date.now(), connectionId: envelope.connectionId,
      retryAttempt: envelope.retryAttempt,
    };
    if (envelope.type !== 'events_api') {
      this.timeouts.push({ ...record, error: 'operation_timeout' });
      return;
    }
    const delays = this.#options.redeliveryDelaysMs;
    if (envelope.retryAttempt >= delays.length) {
      this.timeouts.push({ ...record, error: 'retries_exhausted' });
      return;
    }
    this.#later(delays[envelope.retryAttempt], () => this.inject(envelope.type, envelope.payload, {
      acceptsResponsePayload: envelope.acceptsResponsePayload,
      retryAttempt: envelope.retryAttempt + 1,
      retryReason: 'timeout',
    }));
  }

  #resolveWaiter(envelopeId, value) {
    const resolve = this.#waiters.get(envelopeId);
    this.#waiters.delete(envelopeId);
    resolve?.(value);
  }

  // §1.6: acks are {envelope_id} or {envelope_id, payload}; anything else is logged and ignored.
  #onFrame(conn, data, isBinary) {
    if (conn.halfOpen) return;
    const at = Date.now();
    const junk = (reason) => this.garbage.push({
      connectionId: conn.id,
      at,
      reason,
      data: isBinary ? data.toString('hex').slice(0, 256) : data.toString('utf8').slice(0, 1024),
    });
    if (isBinary) return junk('binary');
    if (this.#options.maxAckBytes && data.length >= this.#options.maxAckBytes) return junk('too_large');
    let message;
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch {
      return junk('invalid_json');
    }
    if (typeof message !== 'object' || message === null || typeof message.envelope_id !== 'string') {
      return junk('not_an_ack');
    }
    const envelope = this.#pending.get(message.envelope_id);
    if (!envelope) {
      const known = this.envelopes.find((e) => e.envelopeId === message.envelope_id);
      if (!known) return junk('unknown_envelope');
      return junk(known.ackedAt ? 'duplicate_ack' : 'late_ack');
    }
    const ack = { envelopeId: envelope.envelopeId, payload: message.payload, at, connectionId: conn.id };
    // Slack pairs an ack with the socket that carried the envelope (§1.10, enforced here).
    if (conn.id !== envelope.connectionId) {
      this.misroutedAcks.push(ack);
      return;
    }
    this.#pending.delete(envelope.envelopeId);
    const timer = this.#ackTimers.get(envelope.envelopeId);
    this.#ackTimers.delete(envelope.envelopeId);
    clearTimeout(timer);
    this.#timers.delete(timer);
    envelope.ackedAt = at;
    ack.latencyMs = at - envelope.sentAt;
    this.acks.push(ack);
    this.#resolveWaiter(envelope.envelopeId, ack);
  }

  // Arbitrary text (or, with binary: true, bytes) to one connection: the given id or the next in turn.
  sendRaw(text, { connection, binary = false } = {}) {
    const ready = this.#ready();
    const conn = connection ? this.connections.get(connection) : ready[this.#roundRobin++ % ready.length];
    if (!conn) throw new Error(`sendRaw: no open connection${connection ? ` ${connection}` : ''}`);
    if (binary) conn.ws.send(Buffer.from(text), { binary: true });
    else this.#send(conn, text);
    return conn.id;
  }

  // --- connection controls ------------------------------------------------------------------------------

  // §1.4/§1.10: refresh the oldest connection; it keeps receiving envelopes until it is closed.
  requestRefresh({ dropWithoutClose = false, closeAfterMs = 1000 } = {}) {
    const open = [...this.connections.values()];
    const conn = open.find((c) => !c.refreshRequested) ?? open[0];
    if (!conn) throw new Error('requestRefresh: no open connection');
    this.#refresh(conn, { dropWithoutClose, closeAfterMs });
    return conn.id;
  }

  #refresh(conn, { dropWithoutClose = false, closeAfterMs = 1000 }) {
    if (!this.connections.has(conn.id)) return;
    conn.refreshRequested = true;
    const message = { type: 'disconnect', reason: 'refresh_requested', debug_info: { host: this.#host(conn) } };
    this.#send(conn, JSON.stringify(message));
    const how = dropWithoutClose ? 'refresh_dropped' : 'refresh';
    this.#later(closeAfterMs, () => this.#serverClose(conn, how, dropWithoutClose));
  }

  // Sends disconnect/<reason> to one connection (id) or all; closes them after closeAfterMs if given.
  sendDisconnect(reason, { connection, closeAfterMs } = {}) {
    const targets = connection ? [this.connections.get(connection)].filter(Boolean) : [...this.connections.values()];
    for (const conn of targets) {
      this.#send(conn, JSON.stringify({ type: 'disconnect', reason, debug_info: { host: this.#host(conn) } }));
      if (closeAfterMs !== undefined) this.#later(closeAfterMs, () => this.#serverClose(conn, `disconnect_${reason}`));
    }
    return targets.map((c) => c.id);
  }

  #serverClose(conn, how, withoutCloseFrame = false) {
    if (!this.connections.has(conn.id)) return;
    conn.log.how ??= how;
    if (withoutCloseFrame) conn.socket.destroy();
    else conn.ws.close(1000);
  }

  // TCP reset (reset: true) or a plain FIN without a websocket close frame.
  dropConnections({ reset = false } = {}) {
    const ids = [];
    for (const conn of this.connections.values()) {
      conn.log.how ??= reset ? 'reset' : 'dropped';
      if (reset) resetSocket(conn.socket);
      else conn.socket.destroy();
      ids.push(conn.id);
    }
    return ids;
  }

  // Every open connection stops reading, writing and pinging, but its socket stays open.
  halfOpen() {
    const ids = [];
    for (const conn of this.connections.values()) {
      conn.halfOpen = true;
      conn.socket.pause();
      ids.push(conn.id);
    }
    return ids;
  }

  get linkDisabled() {
    return this.#linkDisabled;
  }

  // §1.4 link_disabled: tell and close every connection, then refuse new ones until re-enabled.
  set linkDisabled(value) {
    this.#linkDisabled = Boolean(value);
    if (this.#linkDisabled) this.sendDisconnect('link_disabled', { closeAfterMs: 100 });
  }

  get queued() {
    return this.#queue.length;
  }

  #later(ms, fn) {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  close() {
    this.#closed = true;
    clearInterval(this.#pingTimer);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const id of [...this.#waiters.keys()]) this.#resolveWaiter(id, null);
    for (const conn of this.connections.values()) {
      conn.log.how ??= 'simulator_closed';
      conn.ws.terminate();
      conn.socket.destroy();
    }
    this.#wss.close();
  }
}
