// A local Slack for warroom's tests: Web API, Socket Mode, response_urls and file uploads on ONE
// HTTP or HTTPS port of 127.0.0.1 (or of `host`). See README.md for the API; the wire facts it follows are in
// /work/shared/docs/slack-protocol.md (cited by section in the lib/ modules).
import { randomBytes } from 'node:crypto';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCerts } from './certs.mjs';
import { handleControl } from './lib/control_api.mjs';
import { sendText, sleep } from './lib/http_util.mjs';
import {
  blockActionPayload, channelReadScopes, eventPayload, membershipEvent, slashCommandPayload, subteamMembersChangedEvent,
  viewSubmissionPayload,
} from './lib/payloads.mjs';
import { RateLimiter } from './lib/rate_limits.mjs';
import { handleResponseUrl } from './lib/response_urls.mjs';
import { SocketMode } from './lib/socket_mode.mjs';
import { WebApi } from './lib/web_api.mjs';
import { Workspace } from './lib/workspace.mjs';

export { rateTiers } from './lib/rate_limits.mjs';

// What a typical incident bot is granted. chat:write.public is deliberately absent: posting needs
// membership unless a test grants it. usergroups:read lets it page a team by its user group,
// users:read.email map a pager's e-mail address to a Slack user.
export const defaultBotScopes = Object.freeze([
  'app_mentions:read', 'channels:history', 'channels:join', 'channels:manage', 'channels:read', 'chat:write',
  'commands', 'files:write', 'groups:history', 'groups:read', 'groups:write', 'im:history', 'im:read', 'im:write',
  'mpim:read', 'mpim:write', 'pins:write', 'reactions:write', 'usergroups:read', 'users:read', 'users:read.email',
]);

const defaults = {
  tls: false,
  // The IPv4 address served on and written in every URL handed out (apiUrl, Socket Mode, response_urls):
  // another address of this machine lets containers on a bridge network reach the simulator.
  host: '127.0.0.1',
  port: 0,
  certs: undefined,
  wrongHost: false,
  appToken: 'xapp-1-A111-test',
  botToken: 'xoxb-test-bot',
  botUserId: 'U0BOT',
  botId: 'B0BOT',
  botName: 'warroom',
  teamId: 'T111',
  teamName: 'Warroom Sim',
  teamDomain: 'warroom-sim',
  appId: 'A111',
  verificationToken: 'sim-verification-token',
  botScopes: defaultBotScopes,
  pingIntervalMs: 5000,
  ackTimeoutMs: 3000,
  redeliveryDelaysMs: [0, 60_000, 300_000],
  maxConnections: 10,
  debugReconnectMs: 360_000,
  maxAckBytes: 0, // 0 = keep every ack; 20480 drops acks >= 20 KB like Slack reportedly does (§1.6)
  triggerTtlMs: 3000,
  rateLimits: { scale: 1 },
  latencyMs: 0,
  emitEvents: false, // deliver message/member_joined_channel/pin_added/channel_archive events for the bot's own actions
  controlApi: false, // serve /_sim/ (main.mjs turns it on)
};

class Simulator {
  calls = [];
  responses = [];
  ephemerals = [];
  views = new Map();
  files = new Map();
  triggers = new Map();
  responseUrls = new Map();
  faults = new Map(); // method -> [{spec, remaining}]
  afterCallHooks = new Map(); // method or '*' -> [fn]
  revokedTokens = new Set();
  rateLimiter = new RateLimiter();
  apiDown = false;

  #options;
  #server;
  #sockets = new Set();
  #ownCertDir;
  #webApi;
  #nextResponseUrl = 1;

  constructor(options) {
    this.#options = options;
    for (const key of ['appToken', 'botToken', 'botUserId', 'botId', 'teamId', 'appId', 'verificationToken',
      'triggerTtlMs', 'latencyMs', 'rateLimits', 'tls', 'host']) {
      this[key] = options[key];
    }
    this.botScopes = [...options.botScopes];
    this.workspace = new Workspace({
      teamId: options.teamId, teamName: options.teamName, teamDomain: options.teamDomain,
      botUserId: options.botUserId, botId: options.botId, appId: options.appId,
    });
    this.workspace.addUser({ id: options.botUserId, name: options.botName, isBot: true, botId: options.botId });
    for (const [id, name] of [['U111', 'alice'], ['U222', 'bob'], ['U333', 'carol'], ['U444', 'dave']]) {
      this.workspace.addUser({ id, name, email: `${name}@example.com` });
    }
    this.workspace.addChannel({
      name: 'incidents', creator: 'U111', members: [options.botUserId, 'U111', 'U222', 'U333', 'U444'],
    });
    this.#webApi = new WebApi(this);
  }

  async listen() {
    const options = this.#options;
    let server;
    if (options.tls) {
      let certs = options.certs;
      if (!certs) {
        this.#ownCertDir = await mkdtemp(join(tmpdir(), 'slack-sim-certs-'));
        certs = await makeCerts(this.#ownCertDir);
      }
      this.caFile = certs.caFile;
      const [cert, key] = await Promise.all(options.wrongHost
        ? [readFile(certs.wrongHostCertFile), readFile(certs.wrongHostKeyFile)]
        : [readFile(certs.certFile), readFile(certs.keyFile)]);
      server = https.createServer({ cert, key });
    } else {
      server = http.createServer();
    }
    this.#server = server;
    server.on('request', (req, res) => this.#onRequest(req, res));
    server.on('upgrade', (req, socket, head) => this.socketMode.handleUpgrade(req, socket, head));
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    // TLS handshakes that fail (a client rejecting the certificate) are expected, not crashes.
    server.on('tlsClientError', () => {});
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, this.host, resolve);
    });
    this.port = server.address().port;
    this.baseUrl = `${options.tls ? 'https' : 'http'}://${this.host}:${this.port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
    this.socketMode = new SocketMode(this, options);
  }

  async #onRequest(req, res) {
    const path = new URL(req.url, 'http://sim').pathname;
    try {
      if (path.startsWith('/api/')) return await this.#webApi.handle(req, res, path.slice(5));
      if (path.startsWith('/commands/') || path.startsWith('/actions/')) {
        return await handleResponseUrl(this, req, res, path);
      }
      if (path.startsWith('/upload/v1/')) return await this.#webApi.handleUpload(req, res, path.slice(11));
      if (this.#options.controlApi && path.startsWith('/_sim/')) return await handleControl(this, req, res);
      sendText(res, 404, 'not_found');
    } catch (err) {
      // A simulator bug: make it loud, never a silent hang.
      console.error(`slack_sim: ${req.method} ${path} failed:`, err);
      if (!res.headersSent) sendText(res, 500, `simulator error: ${err.message}`);
      else res.destroy();
    }
  }

  // --- workspace ---------------------------------------------------------------------------------------

  get channels() {
    return this.workspace.channels;
  }

  get users() {
    return this.workspace.users;
  }

  get usergroups() {
    return this.workspace.usergroups;
  }

  addUser({ id, name, realName, isBot = false, email }) {
    if (this.users.has(id)) throw new Error(`addUser: ${id} exists`);
    if (email !== undefined && this.workspace.userByEmail(email)) throw new Error(`addUser: ${email} is taken`);
    return this.workspace.addUser({ id, name, realName, isBot, email });
  }

  // members defaults to the bot alone; pass [] for a channel the bot is not in. isGeneral marks the
  // workspace's one #general (which cannot be archived).
  addChannel({
    name, isPrivate = false, members = [this.botUserId], creator = 'U111', isArchived = false, isGeneral = false,
  }) {
    if (this.workspace.channelByName(name)) throw new Error(`addChannel: #${name} exists`);
    if (isGeneral && [...this.channels.values()].some((c) => c.is_general)) {
      throw new Error('addChannel: the workspace already has a general channel');
    }
    return this.workspace.addChannel({ name, isPrivate, members, creator, isArchived, isGeneral });
  }

  // ids look like "S0SEC"; handle is the @mention name. Pass disabled: true for a disabled group.
  addUserGroup({ id, handle, name, users = [], disabled = false }) {
    if (id !== undefined && this.usergroups.has(id)) throw new Error(`addUserGroup: ${id} exists`);
    if ([...this.usergroups.values()].some((g) => g.handle === handle)) {
      throw new Error(`addUserGroup: @${handle} is taken`);
    }
    this.#knownUsers('addUserGroup', users);
    return this.workspace.addUserGroup({ id, handle, name: name ?? handle, users, disabled });
  }

  // Sets a group's members, as an admin's usergroups.users.update would. Slack then sends
  // subteam_members_changed with the delta (to a bot holding usergroups:read). Returns the delivery
  // ({envelopeId, ack}), or null when nothing changed or the bot is not subscribed.
  setUserGroupMembers(id, users) {
    const group = this.usergroups.get(id);
    if (!group) throw new Error(`setUserGroupMembers: unknown user group ${id}`);
    this.#knownUsers('setUserGroupMembers', users);
    const change = this.workspace.setUserGroupUsers(group, users);
    if (change.added.length + change.removed.length === 0) return null;
    return this.emitToBot(subteamMembersChangedEvent(this, group, change), ['usergroups:read']);
  }

  // A person joins a channel (with `inviter`: is added by that person). Slack tells the bot with
  // member_joined_channel when the bot is in the channel, whatever emitEvents says: it is not the
  // bot's own action. Returns the delivery, or null when the bot hears nothing.
  joinChannel(userId, channelIdOrName, { inviter } = {}) {
    const channel = this.#membershipChange('joinChannel', userId, channelIdOrName);
    if (channel.members.has(userId)) throw new Error(`joinChannel: ${userId} is already in ${channel.id}`);
    if (channel.is_archived) throw new Error(`joinChannel: ${channel.id} is archived`);
    if (inviter !== undefined) this.#knownUsers('joinChannel', [inviter]);
    channel.members.add(userId);
    return this.#tellBotInChannel(channel, membershipEvent(this, 'member_joined_channel', channel, userId, inviter));
  }

  // A person leaves a channel (member_left_channel to the bot if the bot is in it).
  leaveChannel(userId, channelIdOrName) {
    const channel = this.#membershipChange('leaveChannel', userId, channelIdOrName);
    if (!channel.members.delete(userId)) throw new Error(`leaveChannel: ${userId} is not in ${channel.id}`);
    return this.#tellBotInChannel(channel, membershipEvent(this, 'member_left_channel', channel, userId));
  }

  // The bot's own membership changes through its Web API calls (a person adding the bot is not
  // modelled), and DMs have no joins: either is a mistake in the test.
  #membershipChange(helper, userId, channelIdOrName) {
    this.#knownUsers(helper, [userId]);
    if (userId === this.botUserId) throw new Error(`${helper}: use the Web API for the bot's own membership`);
    const channel = this.workspace.resolveChannel(channelIdOrName);
    if (!channel) throw new Error(`${helper}: unknown channel ${channelIdOrName}`);
    if (channel.is_im || channel.is_mpim) throw new Error(`${helper}: ${channel.id} is a DM`);
    return channel;
  }

  #knownUsers(helper, userIds) {
    for (const u of userIds) if (!this.users.has(u)) throw new Error(`${helper}: unknown user ${u}`);
  }

  // A bot user receives channel events only for channels it is a member of.
  #tellBotInChannel(channel, inner) {
    if (!channel.members.has(this.botUserId)) return null;
    return this.emitToBot(inner, channelReadScopes(channel));
  }

  channelByName(name) {
    return this.workspace.channelByName(name);
  }

  newTrigger(userId) {
    const id = `${Date.now()}.${this.triggers.size + 1}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { issuedAt: Date.now(), used: false, user: userId });
    return id;
  }

  newResponseUrl(kind, context) {
    const path = `/${kind}/${this.teamId}/${this.#nextResponseUrl++}/${randomBytes(12).toString('hex')}`;
    this.responseUrls.set(path, { kind, ...context, createdAt: Date.now(), uses: 0 });
    return `${this.baseUrl}${path}`;
  }

  // --- injection -----------------------------------------------------------------------------------------

  slashCommand(args = {}) {
    return this.socketMode.inject('slash_commands', slashCommandPayload(this, args), { acceptsResponsePayload: true });
  }

  blockAction(args) {
    return this.socketMode.inject('interactive', blockActionPayload(this, args), { acceptsResponsePayload: false });
  }

  viewSubmission(args) {
    return this.socketMode.inject('interactive', viewSubmissionPayload(this, args), { acceptsResponsePayload: true });
  }

  event(innerEvent) {
    return this.socketMode.inject('events_api', eventPayload(this, innerEvent), { acceptsResponsePayload: false });
  }

  // A person posts in a channel: stored, then delivered as a `message` event (plus `app_mention` when
  // the text mentions the bot, as Slack sends both to an app subscribed to both).
  userMessage({ user = 'U111', channel = 'incidents', text, threadTs }) {
    const c = this.workspace.resolveChannel(channel);
    if (!c) throw new Error(`userMessage: unknown channel ${channel}`);
    const message = this.workspace.addMessage(c, { user, text, threadTs });
    message.client_msg_id = randomBytes(16).toString('hex');
    const base = { user, text, ts: message.ts, channel: c.id, event_ts: message.ts, team: this.teamId };
    if (threadTs) base.thread_ts = threadTs;
    const delivered = [this.event({
      type: 'message', ...base, channel_type: c.is_im ? 'im' : c.is_private ? 'group' : 'channel',
    })];
    if (text.includes(`<@${this.botUserId}>`)) delivered.push(this.event({ type: 'app_mention', ...base }));
    return { ts: message.ts, deliveries: delivered };
  }

  // Events about what others did reach the bot whatever emitEvents says, but only those it is
  // subscribed to: an app can subscribe only to events its scopes cover, so holding one of `scopes`
  // counts as subscribed (none given: always). Returns the delivery, or null when nothing was sent.
  emitToBot(inner, scopes = []) {
    if (scopes.length > 0 && !scopes.some((s) => this.botScopes.includes(s))) return null;
    return this.event(inner);
  }

  // Events caused by the bot's own Web API calls: only with emitEvents.
  emitOwnEvent(inner, scopes) {
    return this.#options.emitEvents ? this.emitToBot(inner, scopes) : null;
  }

  sendRaw(text, options) {
    return this.socketMode.sendRaw(text, options);
  }

  // --- Socket Mode state and controls ---------------------------------------------------------------

  get envelopes() { return this.socketMode.envelopes; }
  get acks() { return this.socketMode.acks; }
  get misroutedAcks() { return this.socketMode.misroutedAcks; }
  get garbage() { return this.socketMode.garbage; }
  get timeouts() { return this.socketMode.timeouts; }
  get connectionLog() { return this.socketMode.connectionLog; }
  get rejectedUpgrades() { return this.socketMode.rejectedUpgrades; }
  get linkDisabled() { return this.socketMode.linkDisabled; }
  set linkDisabled(v) { this.socketMode.linkDisabled = v; }
  get stopPongs() { return this.socketMode.stopPongs; }
  set stopPongs(v) { this.socketMode.stopPongs = Boolean(v); }
  get stopPings() { return this.socketMode.stopPings; }
  set stopPings(v) { this.socketMode.stopPings = Boolean(v); }
  get pongDelayMs() { return this.socketMode.pongDelayMs; }
  set pongDelayMs(v) { this.socketMode.pongDelayMs = v; }

  connections() {
    return [...this.socketMode.connections.values()].map((c) => ({
      ...c.log, ready: c.ready, halfOpen: c.halfOpen, refreshRequested: c.refreshRequested,
    }));
  }

  requestRefresh(options) { return this.socketMode.requestRefresh(options); }
  sendDisconnect(reason, options) { return this.socketMode.sendDisconnect(reason, options); }
  dropConnections(options) { return this.socketMode.dropConnections(options); }
  halfOpen() { return this.socketMode.halfOpen(); }
  refuseConnects(n, status, where) { return this.socketMode.refuseConnects(n, status, where); }

  // --- Web API faults -----------------------------------------------------------------------------------

  // spec: {status: 429, retryAfter} | {status: 500|502|503, html: true} | {error: 'code'} | {reset: true}
  // | {delayMs} (then served normally). method may also be 'upload' or 'response_url'.
  failNext(method, spec, times = 1) {
    if (!this.faults.has(method)) this.faults.set(method, []);
    this.faults.get(method).push({ spec, remaining: times });
  }

  takeFault(method) {
    const queue = this.faults.get(method);
    if (!queue || queue.length === 0) return undefined;
    const entry = queue[0];
    entry.remaining -= 1;
    if (entry.remaining <= 0) queue.shift();
    return entry.spec;
  }

  // fn(call) runs after `method` was processed and before its response is written; '*' = every method.
  // Returns a function that removes the hook.
  afterCall(method, fn) {
    if (!this.afterCallHooks.has(method)) this.afterCallHooks.set(method, []);
    this.afterCallHooks.get(method).push(fn);
    return () => {
      const hooks = this.afterCallHooks.get(method);
      hooks.splice(hooks.indexOf(fn), 1);
    };
  }

  revokeToken(token) {
    this.revokedTokens.add(token);
  }

  // --- helpers -------------------------------------------------------------------------------------------

  async waitFor(predicate, timeoutMs = 10_000, what = 'condition') {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await predicate();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`waitFor timed out after ${timeoutMs} ms: ${what}`);
      await sleep(20);
    }
  }

  async close() {
    this.socketMode.close();
    const closed = new Promise((resolve) => this.#server.close(resolve));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    if (this.#ownCertDir) await rm(this.#ownCertDir, { recursive: true, force: true });
  }
}

export async function startSimulator(options = {}) {
  const sim = new Simulator({ ...defaults, ...options });
  await sim.listen();
  return sim;
}
