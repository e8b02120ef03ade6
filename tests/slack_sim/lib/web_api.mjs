// The Web API under /api/<method> (slack-protocol.md §3): argument encodings, token checks, scopes,
// rate limits, injected faults, then the method itself with Slack's validation and error codes.
// Every request is recorded in `sim.calls` as {method, args, token, encoding, at, status, response}.
import { validateMessageBlocks, validateView } from './blocks.mjs';
import {
  contentType, parseMultipart, readBody, resetSocket, sendHtmlError, sendJson, sendText, sleep,
} from './http_util.mjs';
import { archiveEvent, channelReadScopes, membershipEvent } from './payloads.mjs';
import { parseTs } from './workspace.mjs';

export class ApiError extends Error {
  constructor(code, extra = {}) {
    super(code);
    this.code = code;
    this.extra = extra;
  }
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

// Validation detail goes to response_metadata.messages, as Slack does.
const invalidArguments = (...messages) => new ApiError('invalid_arguments', {
  response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) },
});

// --- argument readers: form values are strings, JSON values are typed; accept both ----------------------

function str(args, name) {
  const v = args[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalidArguments(`invalid type for field: ${name}`);
}

function required(args, name) {
  const v = str(args, name);
  if (v === undefined) throw invalidArguments(`missing required field: ${name}`);
  return v;
}

function bool(args, name, fallback = false) {
  const v = args[name];
  if (v === undefined || v === null || v === '') return fallback;
  return v === true || v === 1 || v === 'true' || v === '1';
}

function int(args, name, fallback) {
  const v = str(args, name);
  if (v === undefined || v === '') return fallback;
  if (!/^-?\d+$/.test(v)) throw invalidArguments(`invalid type for field: ${name}`);
  return Number(v);
}

// Objects arrive JSON-encoded inside form fields (the Node SDK does this) or as real JSON values.
function jsonArg(args, name, errorCode) {
  const v = args[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw errorCode ? new ApiError(errorCode) : invalidArguments(`failed to parse field as JSON: ${name}`);
  }
}

function list(value) {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

// --- the method table -------------------------------------------------------------------------------

// json: whether a JSON body is accepted (read methods do not, §3.1); token: 'bot' or 'app';
// scopes: the bot needs any one of them (empty = none).
const methods = {
  'auth.test': { json: true, scopes: [], run: authTest },
  'apps.connections.open': { json: true, token: 'app', scopes: [], run: appsConnectionsOpen },
  'conversations.create': { json: true, scopes: ['channels:manage', 'groups:write'], run: conversationsCreate },
  // Which one of the two is needed depends on the channel (conversationsArchive checks it).
  'conversations.archive': { json: true, scopes: ['channels:manage', 'groups:write'], run: conversationsArchive },
  'conversations.invite': {
    json: true, scopes: ['channels:manage', 'channels:write.invites', 'groups:write', 'groups:write.invites'],
    run: conversationsInvite,
  },
  'conversations.setTopic': {
    json: true, scopes: ['channels:manage', 'channels:write.topic', 'groups:write', 'groups:write.topic'],
    run: (api, args, ctx) => setTopicOrPurpose(api, args, ctx, 'topic'),
  },
  'conversations.setPurpose': {
    json: true, scopes: ['channels:manage', 'channels:write.topic', 'groups:write', 'groups:write.topic'],
    run: (api, args, ctx) => setTopicOrPurpose(api, args, ctx, 'purpose'),
  },
  'conversations.info': {
    json: false, scopes: ['channels:read', 'groups:read', 'im:read', 'mpim:read'], run: conversationsInfo,
  },
  'conversations.list': {
    json: false, scopes: ['channels:read', 'groups:read', 'im:read', 'mpim:read'], run: conversationsList,
  },
  'conversations.history': {
    json: true, scopes: ['channels:history', 'groups:history', 'im:history', 'mpim:history'], run: conversationsHistory,
  },
  'conversations.replies': {
    json: false, scopes: ['channels:history', 'groups:history', 'im:history', 'mpim:history'], run: conversationsReplies,
  },
  'conversations.members': {
    json: false, scopes: ['channels:read', 'groups:read', 'im:read', 'mpim:read'], run: conversationsMembers,
  },
  'conversations.open': { json: true, scopes: ['im:write', 'mpim:write'], run: conversationsOpen },
  'chat.postMessage': { json: true, scopes: ['chat:write'], run: chatPostMessage },
  'chat.update': { json: true, scopes: ['chat:write'], run: chatUpdate },
  'chat.postEphemeral': { json: true, scopes: ['chat:write'], run: chatPostEphemeral },
  'pins.add': { json: true, scopes: ['pins:write'], run: pinsAdd },
  'pins.remove': { json: true, scopes: ['pins:write'], run: pinsRemove },
  'reactions.add': { json: true, scopes: ['reactions:write'], run: reactionsAdd },
  'views.open': { json: true, scopes: [], run: viewsOpen },
  'views.update': { json: true, scopes: [], run: viewsUpdate },
  'users.info': { json: false, scopes: ['users:read'], run: usersInfo },
  'users.lookupByEmail': { json: false, scopes: ['users:read.email'], run: usersLookupByEmail },
  'usergroups.list': { json: false, scopes: ['usergroups:read'], run: usergroupsList },
  'usergroups.users.list': { json: false, scopes: ['usergroups:read'], run: usergroupsUsersList },
  'files.getUploadURLExternal': { json: false, scopes: ['files:write'], run: filesGetUploadUrl },
  'files.completeUploadExternal': { json: true, scopes: ['files:write'], run: filesCompleteUpload },
};

// --- transport --------------------------------------------------------------------------------------

export class WebApi {
  constructor(sim) {
    this.sim = sim;
  }

  get ws() {
    return this.sim.workspace;
  }

  async handle(req, res, method) {
    const sim = this.sim;
    const call = { method, args: {}, token: undefined, encoding: 'none', at: Date.now(), status: 0, response: null };
    // Records the call, runs the afterCall hooks, then answers: `response` is a JSON body, 'html' for
    // an HTML error page, or null when the connection is reset instead (status 0).
    const finish = async (status, response, headers) => {
      Object.assign(call, { status, response });
      sim.calls.push(call);
      for (const hook of [...(sim.afterCallHooks.get(method) ?? []), ...(sim.afterCallHooks.get('*') ?? [])]) {
        await hook(call);
      }
      if (response === null) resetSocket(req.socket);
      else if (response === 'html') sendHtmlError(res, status);
      else sendJson(res, status, response, headers);
    };

    let body;
    try {
      body = await readBody(req);
    } catch (err) {
      return sendText(res, err.status ?? 400, err.message);
    }

    if (sim.apiDown) return finish(sim.apiDown.reset ? 0 : 503, sim.apiDown.reset ? null : 'html');

    const fault = sim.takeFault(method);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.reset) return finish(0, null);
    if (fault?.status === 429) {
      // retryAfter: null leaves the header out (the Node SDK then gives up instead of retrying).
      const header = fault.retryAfter === null ? {} : { 'retry-after': String(fault.retryAfter ?? 1) };
      return finish(429, { ok: false, error: 'ratelimited' }, header);
    }
    if (fault?.status) return finish(fault.status, 'html');
    if (sim.latencyMs > 0) await sleep(sim.latencyMs);

    let response;
    let status = 200;
    const headers = {};
    const warnings = [];
    const warnMessages = [];
    try {
      const parsed = await this.parseArgs(req, body, warnings, warnMessages);
      Object.assign(call, { args: parsed.args, encoding: parsed.encoding });
      if (fault?.error) throw new ApiError(fault.error);
      const spec = methods[method];
      if (!spec) throw new ApiError('unknown_method', { req_method: method });
      const auth = this.authenticate(req, parsed, spec);
      call.token = auth.token;
      headers['x-oauth-scopes'] = auth.scopes.join(',');
      if (spec.scopes.length > 0) headers['x-accepted-oauth-scopes'] = spec.scopes.join(',');
      if (parsed.encoding === 'json' && !spec.json) {
        throw invalidArguments(`${method} does not accept JSON bodies; send form-encoded or query arguments`);
      }
      if (spec.scopes.length > 0 && !spec.scopes.some((s) => auth.scopes.includes(s))) {
        throw new ApiError('missing_scope', { needed: spec.scopes[0], provided: auth.scopes.join(',') });
      }
      const channelKey = method === 'chat.postMessage'
        ? this.ws.resolveChannel(parsed.args.channel)?.id ?? String(parsed.args.channel ?? '')
        : undefined;
      const retryAfter = sim.rateLimiter.take(method, channelKey, sim.rateLimits);
      if (retryAfter > 0) {
        status = 429;
        headers['retry-after'] = String(retryAfter);
        response = { ok: false, error: 'ratelimited' };
      } else {
        const ctx = { caller: auth.userId, scopes: auth.scopes, warnings, sim };
        response = { ok: true, ...(await spec.run(this, parsed.args, ctx)) };
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      response = { ok: false, error: err.code, ...err.extra };
    }
    if (warnings.length > 0) {
      const messages = [...(response.response_metadata?.messages ?? []), ...warnMessages];
      response.warning = warnings.join(',');
      response.response_metadata = { ...response.response_metadata, warnings, messages };
    }
    return finish(status, response, headers);
  }

  // Query string, then the body by its content type. A token is only read from the header or from
  // form/query fields: JSON bodies never carry it (slack-protocol.md §3.1).
  async parseArgs(req, body, warnings, warnMessages) {
    const url = new URL(req.url, 'http://sim');
    const args = Object.fromEntries(url.searchParams);
    let encoding = url.search ? 'query' : 'none';
    let bodyToken;
    const { type, charset } = contentType(req);
    if (body.length > 0 && type === 'application/json') {
      let parsed;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new ApiError('invalid_json');
      }
      if (!isObject(parsed)) throw new ApiError('json_not_object');
      const { token: _ignored, ...rest } = parsed;
      Object.assign(args, rest);
      encoding = 'json';
      if (!charset) {
        warnings.push('missing_charset');
        warnMessages.push('[WARN] A Content-Type HTTP header was presented but did not declare a charset, '
          + "such as a 'utf-8'");
      }
    } else if (body.length > 0 && type === 'application/x-www-form-urlencoded') {
      const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      bodyToken = form.token;
      Object.assign(args, form);
      encoding = 'form';
      if (charset) {
        warnings.push('superfluous_charset');
        warnMessages.push('[WARN] A Content-Type HTTP header was presented with a charset, '
          + 'but the body is form-encoded');
      }
    } else if (body.length > 0 && type === 'multipart/form-data') {
      let form;
      try {
        form = await parseMultipart(body, req.headers['content-type']);
      } catch {
        throw new ApiError('invalid_form_data');
      }
      bodyToken = typeof form.token === 'string' ? form.token : undefined;
      Object.assign(args, form);
      encoding = 'multipart';
    }
    const queryToken = url.searchParams.get('token') ?? undefined;
    delete args.token;
    return { args, encoding, bodyToken: bodyToken ?? queryToken };
  }

  authenticate(req, parsed, spec) {
    const sim = this.sim;
    const header = req.headers.authorization;
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    // apps.connections.open takes its xapp token only from the header (§1.1).
    const token = bearer ?? (spec.token === 'app' ? undefined : parsed.bodyToken);
    if (!token) throw new ApiError('not_authed');
    if (sim.revokedTokens.has(token)) throw new ApiError('token_revoked');
    let kind;
    if (token === sim.botToken) kind = 'bot';
    else if (token === sim.appToken) kind = 'app';
    else throw new ApiError('invalid_auth');
    if (kind !== (spec.token ?? 'bot')) throw new ApiError('not_allowed_token_type');
    return kind === 'bot'
      ? { token, scopes: sim.botScopes, userId: sim.botUserId }
      : { token, scopes: ['connections:write'], userId: undefined };
  }

  // POST /upload/v1/<file id>: raw bytes or multipart (the Node SDK posts multipart, §3.3).
  async handleUpload(req, res, fileId) {
    const sim = this.sim;
    const fault = sim.takeFault('upload');
    const body = await readBody(req);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.reset) return resetSocket(req.socket);
    if (fault?.status) return sendHtmlError(res, fault.status);
    const file = sim.files.get(fileId);
    if (!file || req.method !== 'POST') return sendText(res, 404, 'not_found');
    const { type } = contentType(req);
    let bytes = body;
    if (type === 'multipart/form-data') {
      let form;
      try {
        form = await parseMultipart(body, req.headers['content-type']);
      } catch {
        return sendText(res, 400, 'invalid multipart body');
      }
      const part = Object.values(form).find((v) => typeof v !== 'string') ?? Object.values(form)[0];
      bytes = typeof part === 'string' ? Buffer.from(part) : part?.bytes ?? Buffer.alloc(0);
    }
    Object.assign(file, { uploaded: true, bytes, uploadedAt: Date.now() });
    sendText(res, 200, `OK - ${bytes.length}`);
  }
}

// --- helpers shared by methods ----------------------------------------------------------------------

// Private conversations are invisible to non-members: Slack answers channel_not_found.
function visibleChannel(api, id, caller) {
  const channel = api.ws.channels.get(id);
  if (!channel || (channel.is_private && !channel.members.has(caller))) throw new ApiError('channel_not_found');
  return channel;
}

function writableChannel(api, id, caller) {
  const channel = visibleChannel(api, id, caller);
  if (channel.is_archived) throw new ApiError('is_archived');
  if (!channel.members.has(caller)) throw new ApiError('not_in_channel');
  return channel;
}

// The Conversations API wants the scope of the conversation's type (conversations.archive docs:
// "You only need the scopes corresponding to that conversation type").
function requireScope(scopes, needed) {
  if (!scopes.includes(needed)) throw new ApiError('missing_scope', { needed, provided: scopes.join(',') });
}

// One page of `all` from the cursor on. Cursors have Slack's shape, base64("<kind>:<ID of the first
// item of the page>"), e.g. "dXNlcjpVMDYxTkZUVDI=" = "user:U061NFTT2" (pagination docs).
function cursorPage(all, idOf, kind, cursor, limit) {
  let start = 0;
  if (cursor) {
    const id = Buffer.from(cursor, 'base64').toString('utf8').match(new RegExp(`^${kind}:(\\w+)$`))?.[1];
    start = all.findIndex((item) => idOf(item) === id);
    if (start < 0) throw new ApiError('invalid_cursor');
  }
  const next = all[start + limit];
  return {
    page: all.slice(start, start + limit),
    nextCursor: next === undefined ? '' : Buffer.from(`${kind}:${idOf(next)}`).toString('base64'),
  };
}

function blocksArg(args) {
  const blocks = jsonArg(args, 'blocks', 'invalid_blocks_format');
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) throw new ApiError('invalid_blocks_format');
  const problems = validateMessageBlocks(blocks);
  if (problems.length > 0) {
    throw new ApiError('invalid_blocks', {
      errors: problems, response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
    });
  }
  return blocks;
}

function metadataArg(args) {
  const metadata = jsonArg(args, 'metadata', 'invalid_metadata_format');
  if (metadata === undefined) return undefined;
  if (!isObject(metadata)) throw new ApiError('invalid_metadata_format');
  if (typeof metadata.event_type !== 'string' || metadata.event_type === '' || !isObject(metadata.event_payload)) {
    throw new ApiError('invalid_metadata_schema');
  }
  return { event_type: metadata.event_type, event_payload: metadata.event_payload };
}

// text/blocks/attachments: at least one must carry content (`no_text`).
function messageContent(args) {
  const text = str(args, 'text');
  const blocks = blocksArg(args);
  const attachments = jsonArg(args, 'attachments');
  if (attachments !== undefined && (!Array.isArray(attachments) || attachments.length > 100)) {
    throw new ApiError('too_many_attachments');
  }
  const hasContent = (text !== undefined && text !== '') || (blocks?.length ?? 0) > 0 || (attachments?.length ?? 0) > 0;
  if (!hasContent) throw new ApiError('no_text');
  return { text, blocks, attachments };
}

function messageArgs(api, args, caller) {
  const channel = visibleChannel(api, required(args, 'channel'), caller);
  const ts = required(args, 'timestamp');
  if (parseTs(ts) === null) throw new ApiError('bad_timestamp');
  const message = api.ws.findMessage(channel, ts);
  if (!message) throw new ApiError('message_not_found');
  return { channel, message };
}

// --- methods ----------------------------------------------------------------------------------------

function authTest(api) {
  const { ws } = api;
  return {
    url: `https://${ws.teamDomain}.slack.com/`,
    team: ws.teamName,
    user: ws.users.get(ws.botUserId).name,
    team_id: ws.teamId,
    user_id: ws.botUserId,
    bot_id: ws.botId,
    is_enterprise_install: false,
  };
}

function appsConnectionsOpen(api) {
  const { sim } = api;
  if (sim.socketMode.linkDisabled) throw new ApiError(sim.socketMode.linkDisabledError);
  if (sim.socketMode.refuse('open') !== undefined) throw new ApiError('internal_error');
  return { url: sim.socketMode.issueTicketUrl() };
}

// Naming rule (conversations.create docs): lower-case letters, digits, '-' and '_', at most 80; never
// auto-corrected. Archived channels keep their names reserved.
function conversationsCreate(api, args, { caller, sim }) {
  const name = str(args, 'name') ?? '';
  if (name === '') throw new ApiError('invalid_name_required');
  if (name.length > 80) throw new ApiError('invalid_name_maxlength');
  if (/^[-_]+$/.test(name)) throw new ApiError('invalid_name_punctuation');
  if (!/^[a-z0-9_-]+$/.test(name)) throw new ApiError('invalid_name_specials');
  if (api.ws.channelByName(name)) throw new ApiError('name_taken');
  const channel = api.ws.addChannel({ name, isPrivate: bool(args, 'is_private'), members: [caller], creator: caller });
  sim.emitOwnEvent(membershipEvent(sim, 'member_joined_channel', channel, caller));
  return { channel: api.ws.channelJson(channel, caller) };
}

// §3.2. Archived channels keep their members and history; writes to them fail with is_archived. DMs
// cannot be archived ("Not all types of conversations can be archived"). The order of the checks is
// the simulator's pick.
function conversationsArchive(api, args, { caller, scopes, sim }) {
  const channel = visibleChannel(api, required(args, 'channel'), caller);
  if (channel.is_im || channel.is_mpim) throw new ApiError('method_not_supported_for_channel_type');
  requireScope(scopes, channel.is_private ? 'groups:write' : 'channels:manage');
  if (channel.is_archived) throw new ApiError('already_archived');
  if (channel.is_general) throw new ApiError('cant_archive_general');
  if (!channel.members.has(caller)) throw new ApiError('not_in_channel');
  channel.is_archived = true;
  sim.emitOwnEvent(archiveEvent(channel, caller), channelReadScopes(channel));
  return {};
}

function conversationsInvite(api, args, { caller, sim }) {
  const channel = visibleChannel(api, required(args, 'channel'), caller);
  const users = list(required(args, 'users'));
  if (channel.is_im || channel.is_mpim) throw new ApiError('method_not_supported_for_channel_type');
  if (channel.is_archived) throw new ApiError('is_archived');
  if (!channel.members.has(caller)) throw new ApiError('not_in_channel');
  if (users.length === 0) throw new ApiError('no_user');
  if (users.length > 1000) throw new ApiError('too_many_users');
  const errors = [];
  const toAdd = [];
  const already = [];
  for (const user of new Set(users)) {
    if (!api.ws.users.has(user)) errors.push({ user, ok: false, error: 'user_not_found' });
    else if (user === caller) errors.push({ user, ok: false, error: 'cant_invite_self' });
    else if (channel.members.has(user)) already.push({ user, ok: false, error: 'already_in_channel' });
    else toAdd.push(user);
  }
  // Without force one bad ID fails the whole call and nobody is invited (§3.2).
  if (errors.length > 0 && !bool(args, 'force')) throw new ApiError(errors[0].error, { errors });
  if (toAdd.length === 0 && errors.length === 0) throw new ApiError('already_in_channel', { errors: already });
  // Slack tells the bot of each person it brought in (§2.3), emitEvents or not: these are other users'
  // joins (the bot never invites itself: cant_invite_self).
  for (const user of toAdd) {
    channel.members.add(user);
    sim.emitToBot(membershipEvent(sim, 'member_joined_channel', channel, user, caller), channelReadScopes(channel));
  }
  return { channel: api.ws.channelJson(channel, caller), ...(errors.length > 0 ? { errors } : {}) };
}

function setTopicOrPurpose(api, args, { caller }, field) {
  const channel = writableChannel(api, required(args, 'channel'), caller);
  const value = required(args, field);
  if (value.length > 250) throw new ApiError('too_long');
  channel[field] = { value, creator: caller, last_set: Math.floor(Date.now() / 1000) };
  return { channel: api.ws.channelJson(channel, caller) };
}

function conversationsInfo(api, args, { caller }) {
  const channel = visibleChannel(api, required(args, 'channel'), caller);
  return { channel: api.ws.channelJson(channel, caller, { includeNumMembers: bool(args, 'include_num_members') }) };
}

const conversationTypes = new Set(['public_channel', 'private_channel', 'mpim', 'im']);

function conversationsList(api, args, { caller }) {
  const types = list(str(args, 'types') ?? 'public_channel');
  if (types.some((t) => !conversationTypes.has(t))) throw new ApiError('invalid_types');
  const limit = int(args, 'limit', 100);
  if (limit < 1 || limit > 1000) throw new ApiError('invalid_limit');
  const excludeArchived = bool(args, 'exclude_archived');
  const typeOf = (c) => (c.is_im ? 'im' : c.is_mpim ? 'mpim' : c.is_private ? 'private_channel' : 'public_channel');
  const all = [...api.ws.channels.values()].filter((c) => types.includes(typeOf(c))
    && (!c.is_private || c.members.has(caller)) && !(excludeArchived && c.is_archived));
  const { page, nextCursor } = cursorPage(all, (c) => c.id, 'channel', str(args, 'cursor'), limit);
  return {
    channels: page.map((c) => api.ws.channelJson(c, caller)),
    response_metadata: { next_cursor: nextCursor },
  };
}

// Members in the order they joined. A public channel's members are readable without being in it; a
// limit above 1000 is capped ("Fewer than the requested number of items may be returned").
function conversationsMembers(api, args, { caller }) {
  const channel = visibleChannel(api, required(args, 'channel'), caller);
  const limit = int(args, 'limit', 100);
  if (limit < 1) throw new ApiError('invalid_limit');
  const { page, nextCursor } = cursorPage([...channel.members], (u) => u, 'user', str(args, 'cursor'),
    Math.min(limit, 1000));
  return { members: page, response_metadata: { next_cursor: nextCursor } };
}

// Newest first; only top-level messages (thread replies live in conversations.replies). Cursors have
// Slack's shape: base64("next_ts:<digits of the next message's ts>").
function conversationsHistory(api, args, { caller }) {
  const channel = visibleChannel(api, required(args, 'channel'), caller);
  if (!channel.members.has(caller)) throw new ApiError('not_in_channel');
  const oldestArg = str(args, 'oldest');
  const latestArg = str(args, 'latest');
  const oldest = oldestArg === undefined || oldestArg === '' ? 0 : parseTs(oldestArg);
  const latest = latestArg === undefined || latestArg === '' ? Infinity : parseTs(latestArg);
  if (oldest === null) throw new ApiError('invalid_ts_oldest');
  if (latest === null) throw new ApiError('invalid_ts_latest');
  const inclusive = bool(args, 'inclusive');
  const limit = int(args, 'limit', 100);
  if (limit < 1) throw new ApiError('invalid_limit');
  const includeMetadata = bool(args, 'include_all_metadata');
  let upper = latest;
  let upperInclusive = inclusive;
  const cursor = str(args, 'cursor');
  if (cursor) {
    const digits = Buffer.from(cursor, 'base64').toString('utf8').match(/^next_ts:(\d+)$/)?.[1];
    if (!digits) throw new ApiError('invalid_cursor');
    upper = Number(digits);
    upperInclusive = true;
  }
  const matching = channel.messages
    .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
    .filter((m) => {
      const t = parseTs(m.ts);
      const aboveOldest = inclusive ? t >= oldest : t > oldest;
      const belowUpper = upperInclusive ? t <= upper : t < upper;
      return aboveOldest && belowUpper;
    })
    .reverse();
  const page = matching.slice(0, Math.min(limit, 999));
  const next = matching[page.length];
  const nextCursor = next ? Buffer.from(`next_ts:${next.ts.replace('.', '')}`).toString('base64') : '';
  return {
    messages: page.map((m) => api.ws.messageJson(m, { includeMetadata })),
    has_more: next !== undefined,
    pin_count: channel.pins.size,
    channel_actions_ts: null,
    channel_actions_count: 0,
    response_metadata: { next_cursor: nextCursor },
  };
}

// A thread oldest first: the parent, then its replies. A ts that is not a message is thread_not_found.
function conversationsReplies(api, args, { caller }) {
  const channel = visibleChannel(api, required(args, 'channel'), caller);
  if (!channel.members.has(caller)) throw new ApiError('not_in_channel');
  const ts = required(args, 'ts');
  const parent = api.ws.findMessage(channel, ts);
  if (!parent) throw new ApiError('thread_not_found');
  const limit = int(args, 'limit', 100);
  if (limit < 1) throw new ApiError('invalid_limit');
  const includeMetadata = bool(args, 'include_all_metadata');
  const thread = channel.messages.filter((m) => m.ts === ts || m.thread_ts === ts);
  const { page, nextCursor } = cursorPage(thread, (m) => m.ts.replace('.', ''), 'next_ts', str(args, 'cursor'),
    Math.min(limit, 1000));
  return { messages: page.map((m) => api.ws.messageJson(m, { includeMetadata })), has_more: nextCursor !== '', response_metadata: { next_cursor: nextCursor } };
}

function conversationsOpen(api, args, { caller }) {
  const existing = str(args, 'channel');
  if (existing) {
    const channel = visibleChannel(api, existing, caller);
    return { no_op: true, already_open: true, channel: { id: channel.id } };
  }
  const users = list(str(args, 'users') ?? '');
  if (users.length === 0) throw new ApiError('users_list_not_supplied');
  if (users.length > 8) throw new ApiError('too_many_users');
  for (const u of users) if (!api.ws.users.has(u)) throw new ApiError('user_not_found');
  const { channel, existed } = api.ws.openConversation(caller, users.filter((u) => u !== caller));
  const json = bool(args, 'return_im') ? api.ws.channelJson(channel, caller) : { id: channel.id };
  return { ...(existed ? { no_op: true, already_open: true } : {}), channel: json };
}

function chatPostMessage(api, args, { caller, scopes, warnings, sim }) {
  const ref = str(args, 'channel');
  // A user ID posts to the DM with that user (the app's Messages tab).
  const channel = ref && api.ws.users.has(ref)
    ? api.ws.openConversation(caller, [ref]).channel
    : api.ws.resolveChannel(ref);
  if (!channel || (channel.is_private && !channel.members.has(caller))) throw new ApiError('channel_not_found');
  if (channel.is_archived) throw new ApiError('is_archived');
  if (!channel.members.has(caller) && !(scopes.includes('chat:write.public') && !channel.is_private)) {
    throw new ApiError('not_in_channel');
  }
  let { text, blocks, attachments } = messageContent(args);
  const metadata = metadataArg(args);
  if (text !== undefined && text.length > 40_000) {
    text = text.slice(0, 40_000);
    warnings.push('message_truncated');
  }
  const message = api.ws.addMessage(channel, {
    user: caller, botId: api.ws.botId, text: text ?? '', blocks, metadata, threadTs: str(args, 'thread_ts'),
  });
  if (attachments) message.attachments = attachments;
  sim.emitOwnEvent({
    type: 'message', channel: channel.id, user: caller, bot_id: api.ws.botId, text: message.text, ts: message.ts,
    event_ts: message.ts, channel_type: channel.is_im ? 'im' : channel.is_private ? 'group' : 'channel',
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}), ...(blocks ? { blocks } : {}),
  });
  return { channel: channel.id, ts: message.ts, message: api.ws.messageJson(message) };
}

function chatUpdate(api, args, { caller }) {
  const channel = visibleChannel(api, required(args, 'channel'), caller);
  const ts = required(args, 'ts');
  const message = api.ws.findMessage(channel, ts);
  if (!message) throw new ApiError('message_not_found');
  if (message.user !== caller) throw new ApiError('cant_update_message');
  if (channel.is_archived) throw new ApiError('is_archived');
  const { text, blocks, attachments } = messageContent(args);
  if (text !== undefined && text.length > 4000) throw new ApiError('msg_too_long');
  const metadata = metadataArg(args);
  if (text !== undefined) message.text = text;
  if (blocks !== undefined) message.blocks = blocks;
  if (attachments !== undefined) message.attachments = attachments;
  if (metadata !== undefined) message.metadata = metadata;
  message.edited = { user: caller, ts: api.ws.nextTs() };
  return { channel: channel.id, ts, text: message.text, message: api.ws.messageJson(message) };
}

function chatPostEphemeral(api, args, { caller, sim }) {
  const channel = api.ws.resolveChannel(required(args, 'channel'));
  const user = required(args, 'user');
  if (!channel || (channel.is_private && !channel.members.has(caller))) throw new ApiError('channel_not_found');
  if (!api.ws.users.has(user)) throw new ApiError('user_not_found');
  if (channel.is_archived) throw new ApiError('is_archived');
  if (!channel.members.has(caller)) throw new ApiError('not_in_channel');
  if (!channel.members.has(user)) throw new ApiError('user_not_in_channel');
  const { text, blocks } = messageContent(args);
  const messageTs = api.ws.nextTs();
  sim.ephemerals.push({
    channel: channel.id, user, text: text ?? '', blocks, ts: messageTs, thread_ts: str(args, 'thread_ts'),
  });
  return { message_ts: messageTs };
}

function pinsAdd(api, args, { caller, sim }) {
  const { channel, message } = messageArgs(api, args, caller);
  // Not among pins.add's documented errors (unverified): the simulator answers as the other writes do.
  if (channel.is_archived) throw new ApiError('is_archived');
  if (!channel.members.has(caller)) throw new ApiError('not_in_channel');
  if (channel.pins.has(message.ts)) throw new ApiError('already_pinned');
  if (channel.pins.size >= 100) throw new ApiError('too_many_pins');
  channel.pins.add(message.ts);
  sim.emitOwnEvent({
    type: 'pin_added', user: caller, channel_id: channel.id,
    item: { type: 'message', channel: channel.id, created_by: caller, message: api.ws.messageJson(message) },
    pin_count: channel.pins.size, event_ts: api.ws.nextTs(),
  });
  return {};
}

function pinsRemove(api, args, { caller }) {
  const { channel, message } = messageArgs(api, args, caller);
  if (!channel.members.has(caller)) throw new ApiError('not_in_channel');
  if (!channel.pins.delete(message.ts)) throw new ApiError('no_pin');
  return {};
}

function reactionsAdd(api, args, { caller }) {
  if (str(args, 'timestamp') === undefined) throw new ApiError('no_item_specified');
  const name = required(args, 'name').replace(/^:|:$/g, '');
  if (!/^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/.test(name)) throw new ApiError('invalid_name');
  const { channel, message } = messageArgs(api, args, caller);
  if (channel.is_archived) throw new ApiError('is_archived');
  let reaction = message.reactions.find((r) => r.name === name);
  if (reaction?.users.includes(caller)) throw new ApiError('already_reacted');
  if (!reaction) {
    if (message.reactions.length >= 23) throw new ApiError('too_many_reactions');
    reaction = { name, users: [] };
    message.reactions.push(reaction);
  }
  reaction.users.push(caller);
  return {};
}

function viewArg(args) {
  const view = jsonArg(args, 'view');
  if (view === undefined) throw invalidArguments('missing required field: view');
  const problems = validateView(view);
  if (problems.length > 0) throw invalidArguments(...problems);
  if (JSON.stringify(view).length > 250_000) throw new ApiError('view_too_large');
  return view;
}

function newHash() {
  return `${Math.floor(Date.now() / 1000)}.${Math.random().toString(36).slice(2, 10)}`;
}

// trigger_ids come from injected slash commands and interactions: valid 3 s, single use (§2.2).
function viewsOpen(api, args, { sim }) {
  const triggerId = str(args, 'trigger_id') ?? str(args, 'interactivity_pointer');
  if (triggerId === undefined) throw invalidArguments('missing required field: trigger_id');
  const view = viewArg(args);
  if (!/^\d+\.\d+\.[0-9a-f]+$/.test(triggerId)) throw new ApiError('invalid_trigger_id');
  const trigger = sim.triggers.get(triggerId);
  if (!trigger) throw new ApiError('invalid_trigger_id');
  if (trigger.used) throw new ApiError('exchanged_trigger_id');
  if (Date.now() - trigger.issuedAt > sim.triggerTtlMs) throw new ApiError('expired_trigger_id');
  if (view.external_id && [...sim.views.values()].some((v) => v.external_id === view.external_id)) {
    throw new ApiError('duplicate_external_id');
  }
  trigger.used = true;
  const id = api.ws.newId('V');
  const stored = {
    id,
    team_id: api.ws.teamId,
    type: view.type,
    blocks: view.blocks,
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    state: { values: {} },
    hash: newHash(),
    title: view.title,
    clear_on_close: Boolean(view.clear_on_close),
    notify_on_close: Boolean(view.notify_on_close),
    close: view.close ?? null,
    submit: view.submit ?? null,
    previous_view_id: null,
    root_view_id: id,
    app_id: api.ws.appId,
    external_id: view.external_id ?? '',
    app_installed_team_id: api.ws.teamId,
    bot_id: api.ws.botId,
  };
  sim.views.set(id, stored);
  return { view: stored };
}

function viewsUpdate(api, args, { sim }) {
  const viewId = str(args, 'view_id');
  const externalId = str(args, 'external_id');
  if (viewId === undefined && externalId === undefined) throw invalidArguments('missing required field: view_id');
  const view = viewArg(args);
  const stored = viewId !== undefined
    ? sim.views.get(viewId)
    : [...sim.views.values()].find((v) => v.external_id === externalId);
  if (!stored) throw new ApiError('not_found');
  const hash = str(args, 'hash');
  if (hash !== undefined && hash !== stored.hash) throw new ApiError('hash_conflict');
  Object.assign(stored, {
    blocks: view.blocks,
    title: view.title,
    close: view.close ?? null,
    submit: view.submit ?? null,
    private_metadata: view.private_metadata ?? stored.private_metadata,
    callback_id: view.callback_id ?? stored.callback_id,
    hash: newHash(),
  });
  return { view: stored };
}

function usersInfo(api, args, { scopes }) {
  const user = api.ws.users.get(required(args, 'user'));
  if (!user) throw new ApiError('user_not_found');
  return { user: api.ws.userJson(user, { includeEmail: scopes.includes('users:read.email') }) };
}

// Needs users:read.email, so the user always comes with profile.email.
function usersLookupByEmail(api, args) {
  const user = api.ws.userByEmail(required(args, 'email'));
  if (!user) throw new ApiError('users_not_found');
  return { user: api.ws.userJson(user, { includeEmail: true }) };
}

// include_count is accepted and changes nothing: the documented example has user_count without it.
function usergroupsList(api, args) {
  const includeDisabled = bool(args, 'include_disabled');
  const groups = [...api.ws.usergroups.values()].filter((g) => includeDisabled || g.date_delete === 0);
  return { usergroups: groups.map((g) => api.ws.userGroupJson(g, { includeUsers: bool(args, 'include_users') })) };
}

// §3.2. A disabled group answers only with include_disabled ("Allow results that involve disabled User
// Groups"); what Slack answers without it is unverified, the simulator says no_such_subteam.
function usergroupsUsersList(api, args) {
  const group = api.ws.usergroups.get(required(args, 'usergroup'));
  if (!group || (group.date_delete !== 0 && !bool(args, 'include_disabled'))) throw new ApiError('no_such_subteam');
  return { users: [...group.users] };
}

function filesGetUploadUrl(api, args, { caller, sim }) {
  const filename = required(args, 'filename');
  const length = int(args, 'length', undefined);
  if (length === undefined || length < 1) throw new ApiError('missing_argument');
  const altText = str(args, 'alt_txt') ?? str(args, 'alt_text');
  if (altText !== undefined && altText.length > 1000) throw new ApiError('alt_txt_too_large');
  const id = api.ws.newId('F');
  sim.files.set(id, {
    id, filename, length, user: caller, created: Math.floor(Date.now() / 1000), uploaded: false, bytes: null,
    snippet_type: str(args, 'snippet_type'),
  });
  return { upload_url: `${sim.baseUrl}/upload/v1/${id}`, file_id: id };
}

function filesCompleteUpload(api, args, { caller, sim }) {
  const files = jsonArg(args, 'files');
  if (!Array.isArray(files) || files.length === 0 || !files.every((f) => isObject(f) && typeof f.id === 'string')) {
    throw invalidArguments('files must be a JSON array of {"id": ..., "title": ...}');
  }
  const stored = files.map((f) => {
    const file = sim.files.get(f.id);
    if (!file || !file.uploaded) throw new ApiError('file_not_found');
    return { file, title: f.title ?? file.filename };
  });
  const channelIds = list([str(args, 'channels'), str(args, 'channel_id')].filter(Boolean).join(','));
  if (channelIds.length > 100) throw new ApiError('channels_limit_exceeded');
  const channels = channelIds.map((id) => writableChannel(api, id, caller));
  const json = stored.map(({ file, title }) => {
    file.title = title;
    return {
      id: file.id, created: file.created, name: file.filename, title, user: caller, size: file.bytes.length,
      mimetype: 'application/octet-stream', filetype: 'binary', is_external: false,
    };
  });
  for (const channel of channels) {
    api.ws.addMessage(channel, {
      user: caller, botId: api.ws.botId, text: str(args, 'initial_comment') ?? '', files: json,
      threadTs: str(args, 'thread_ts'),
    });
  }
  return { files: json };
}
