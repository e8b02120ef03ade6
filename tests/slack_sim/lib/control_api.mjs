// JSON control API under /_sim/ for drivers that are not Node (the C++ tests and benchmarks): the
// same injection, fault and inspection functions as the JS API, one request each. Served only when
// the simulator was started with controlApi: true (main.mjs does).
import { readBody, sendJson, sleep } from './http_util.mjs';

// Sets become arrays, Maps objects, Buffers their length: everything the simulator records is JSON-able.
function replacer(_key, value) {
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return Object.fromEntries(value);
  if (value && value.type === 'Buffer' && Array.isArray(value.data)) return { bytes: value.data.length };
  return value;
}

function reply(res, status, body) {
  sendJson(res, status, JSON.parse(JSON.stringify(body, replacer)));
}

// {envelopeId, ack}: waits for the ack (null once the deadline passed) unless wait is false. An
// envelope queued for lack of a connection has no deadline yet, so the wait is capped (timeoutMs).
async function injected({ envelopeId, ack }, { wait, timeoutMs = 10_000 }) {
  if (wait === false) return { envelopeId, ack: null };
  return { envelopeId, ack: await Promise.race([ack, sleep(timeoutMs).then(() => null)]) };
}

// The workspace helpers return null when Slack would send the bot nothing.
const maybeInjected = (delivery, b) => (delivery ? injected(delivery, b) : { envelopeId: null, ack: null });

const readers = {
  calls: (sim, q) => sim.calls.filter((c) => (!q.get('method') || c.method === q.get('method'))
    && (!q.get('since') || c.at >= Number(q.get('since')))),
  channels: (sim) => [...sim.channels.values()],
  users: (sim) => [...sim.users.values()],
  usergroups: (sim) => [...sim.usergroups.values()],
  acks: (sim) => sim.acks,
  envelopes: (sim) => sim.envelopes,
  timeouts: (sim) => sim.timeouts,
  garbage: (sim) => sim.garbage,
  misrouted_acks: (sim) => sim.misroutedAcks,
  connections: (sim) => ({
    open: sim.connections(), log: sim.connectionLog, rejected: sim.rejectedUpgrades, queued: sim.socketMode.queued,
  }),
  responses: (sim) => sim.responses,
  ephemerals: (sim) => sim.ephemerals,
  views: (sim) => [...sim.views.values()],
};

const actions = {
  slash: (sim, b) => injected(sim.slashCommand(b), b),
  action: (sim, b) => injected(sim.blockAction(b), b),
  view_submission: (sim, b) => injected(sim.viewSubmission(b), b),
  event: (sim, b) => injected(sim.event(b.event), b),
  message: (sim, b) => {
    const { ts, deliveries } = sim.userMessage(b);
    return { ts, envelopeIds: deliveries.map((d) => d.envelopeId) };
  },
  raw: (sim, b) => ({ connection: sim.sendRaw(b.text, { connection: b.connection, binary: b.binary }) }),
  user: (sim, b) => sim.addUser(b),
  channel: (sim, b) => sim.addChannel(b),
  usergroup: (sim, b) => sim.addUserGroup(b),
  usergroup_members: (sim, b) => maybeInjected(sim.setUserGroupMembers(b.id, b.users), b),
  join: (sim, b) => maybeInjected(sim.joinChannel(b.user, b.channel, { inviter: b.inviter }), b),
  leave: (sim, b) => maybeInjected(sim.leaveChannel(b.user, b.channel), b),
  fault: (sim, { method, times, ...spec }) => {
    sim.failNext(method, spec, times ?? 1);
    return {};
  },
  // Flags: apiDown (true or {reset: true}), latencyMs, linkDisabled, stopPongs, stopPings, pongDelayMs,
  // rateLimits ({scale} or false).
  set: (sim, b) => {
    for (const key of ['apiDown', 'latencyMs', 'linkDisabled', 'stopPongs', 'stopPings', 'pongDelayMs', 'rateLimits']) {
      if (key in b) sim[key] = b[key];
    }
    return {};
  },
  // {action: 'refresh', dropWithoutClose, closeAfterMs} | {action: 'disconnect', reason, connection,
  // closeAfterMs} | {action: 'drop', reset} | {action: 'half_open'} | {action: 'refuse', n, status, where}
  connections: (sim, b) => {
    switch (b.action) {
      case 'refresh': return { connection: sim.requestRefresh(b) };
      case 'disconnect': return { connections: sim.sendDisconnect(b.reason, b) };
      case 'drop': return { connections: sim.dropConnections(b) };
      case 'half_open': return { connections: sim.halfOpen() };
      case 'refuse': sim.refuseConnects(b.n, b.status, b.where); return {};
      default: throw new Error(`unknown connections action: ${b.action}`);
    }
  },
};

export async function handleControl(sim, req, res) {
  const url = new URL(req.url, 'http://sim');
  const name = url.pathname.slice('/_sim/'.length);
  if (req.method === 'GET' && readers[name]) return reply(res, 200, readers[name](sim, url.searchParams));
  if (req.method === 'POST' && actions[name]) {
    let body;
    try {
      const raw = await readBody(req);
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      return reply(res, 400, { error: 'body must be a JSON object' });
    }
    try {
      return reply(res, 200, await actions[name](sim, body));
    } catch (err) {
      return reply(res, 400, { error: err.message });
    }
  }
  reply(res, 404, { error: `no control endpoint ${req.method} /_sim/${name}` });
}
