// The simulated workspace: users, user groups, channels (public, private, DMs), messages with strictly
// increasing `ts`, pins and reactions. Pure state plus the JSON shapes Slack returns for it (slack-protocol.md §3.4);
// the Web API methods (web_api.mjs) hold the validation rules.

// "1700000000.000100" <-> 1700000000000100 (micro units fit a double up to year 2255).
export function parseTs(ts) {
  if (typeof ts === 'number' && Number.isFinite(ts)) return Math.round(ts * 1e6);
  if (typeof ts !== 'string' || !/^\d{1,10}(\.\d{1,6})?$/.test(ts)) return null;
  const [sec, frac = ''] = ts.split('.');
  return Number(sec) * 1e6 + Number(frac.padEnd(6, '0'));
}

export function formatTs(micros) {
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

export class Workspace {
  users = new Map();
  usergroups = new Map(); // id ("S…") -> user group
  channels = new Map();
  #lastTs = 0;
  #idCounters = new Map();
  #dms = new Map(); // sorted member list -> DM/MPIM channel id

  constructor({ teamId, teamName, teamDomain, botUserId, botId, appId }) {
    Object.assign(this, { teamId, teamName, teamDomain, botUserId, botId, appId });
  }

  // Slack-shaped IDs ("C" + 8 upper-case alphanumerics), unique per prefix.
  newId(prefix) {
    const n = (this.#idCounters.get(prefix) ?? 0) + 1;
    this.#idCounters.set(prefix, n);
    return `${prefix}SIM${n.toString(36).toUpperCase().padStart(5, '0')}`;
  }

  // One global clock keeps every channel's ts strictly increasing, even within one millisecond.
  nextTs() {
    this.#lastTs = Math.max(Date.now() * 1000, this.#lastTs + 1);
    return formatTs(this.#lastTs);
  }

  addUser({ id, name, realName, isBot = false, deleted = false, tz = 'Europe/London', botId, email }) {
    const user = {
      id: id ?? this.newId('U'), name, real_name: realName ?? name, is_bot: isBot, deleted, tz, bot_id: botId, email,
    };
    this.users.set(user.id, user);
    return user;
  }

  // Addresses are compared case-insensitively (the simulator's pick: Slack does not document it).
  userByEmail(email) {
    const wanted = email.toLowerCase();
    for (const u of this.users.values()) if (u.email?.toLowerCase() === wanted) return u;
    return undefined;
  }

  // A disabled group keeps its members and gets a date_delete, as usergroups.disable leaves it.
  addUserGroup({ id, handle, name, users = [], disabled = false, createdBy = 'U111' }) {
    const now = Math.floor(Date.now() / 1000);
    const group = {
      id: id ?? this.newId('S'), handle, name, description: '', users: [...new Set(users)], date_create: now,
      date_update: now, date_delete: disabled ? now : 0, created_by: createdBy, updated_by: createdBy,
    };
    this.usergroups.set(group.id, group);
    return group;
  }

  // Replaces the members; returns the delta subteam_members_changed reports. date_update moves on by at
  // least a second so that a client comparing it with date_previous_update always sees the change.
  setUserGroupUsers(group, users) {
    const next = [...new Set(users)];
    const added = next.filter((u) => !group.users.includes(u));
    const removed = group.users.filter((u) => !next.includes(u));
    const previousUpdate = group.date_update;
    if (added.length + removed.length > 0) {
      group.users = next;
      group.date_update = Math.max(Math.floor(Date.now() / 1000), previousUpdate + 1);
    }
    return { added, removed, previousUpdate };
  }

  addChannel({
    id, name, isPrivate = false, members = [], creator, isArchived = false, isGeneral = false, isIm = false, imUser,
  }) {
    const channel = {
      id: id ?? this.newId(isIm ? 'D' : 'C'),
      name,
      is_private: isPrivate,
      is_archived: isArchived,
      is_general: isGeneral, // the workspace's #general, which conversations.archive refuses
      is_im: isIm,
      user: imUser, // the other party of a DM
      creator: creator ?? this.botUserId,
      created: Math.floor(Date.now() / 1000),
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      members: new Set(members),
      messages: [],
      pins: new Set(),
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  channelByName(name) {
    for (const c of this.channels.values()) if (!c.is_im && c.name === name) return c;
    return undefined;
  }

  // chat.postMessage accepts an ID or a name, with or without '#'.
  resolveChannel(ref) {
    if (typeof ref !== 'string' || ref === '') return undefined;
    return this.channels.get(ref) ?? this.channelByName(ref.replace(/^#/, ''));
  }

  // The stable DM (one other user) or MPIM (several) between the caller and `userIds`.
  openConversation(caller, userIds) {
    const members = [...new Set([caller, ...userIds])].sort();
    const key = members.join(',');
    let id = this.#dms.get(key);
    const existed = id !== undefined;
    if (!existed) {
      const other = userIds.length === 1 ? userIds[0] : undefined;
      const channel = other !== undefined
        ? this.addChannel({ id: this.newId('D'), isIm: true, imUser: other, members, isPrivate: true, creator: caller })
        : this.addChannel({ id: this.newId('G'), name: `mpdm-${key}`, isPrivate: true, members, creator: caller });
      if (other === undefined) channel.is_mpim = true;
      id = channel.id;
      this.#dms.set(key, id);
    }
    return { channel: this.channels.get(id), existed };
  }

  addMessage(channel, { user, botId, text = '', blocks, metadata, threadTs, files }) {
    const message = {
      ts: this.nextTs(),
      user,
      bot_id: botId,
      text,
      blocks,
      metadata,
      thread_ts: threadTs,
      files,
      reactions: [],
      edited: undefined,
      reply_count: 0,
    };
    channel.messages.push(message);
    if (threadTs !== undefined) {
      const parent = this.findMessage(channel, threadTs);
      if (parent) {
        parent.thread_ts = parent.ts;
        parent.reply_count += 1;
      }
    }
    return message;
  }

  findMessage(channel, ts) {
    return channel.messages.find((m) => m.ts === ts);
  }

  channelJson(channel, viewer, { includeNumMembers = false } = {}) {
    if (channel.is_im) {
      return {
        id: channel.id, created: channel.created, is_im: true, is_org_shared: false, user: channel.user,
        is_archived: false, is_user_deleted: Boolean(this.users.get(channel.user)?.deleted),
      };
    }
    const json = {
      id: channel.id,
      name: channel.name,
      is_channel: !channel.is_private,
      is_group: channel.is_private && !channel.is_mpim,
      is_im: false,
      is_mpim: Boolean(channel.is_mpim),
      is_private: channel.is_private,
      created: channel.created,
      is_archived: channel.is_archived,
      is_general: channel.is_general,
      unlinked: 0,
      name_normalized: channel.name,
      is_shared: false,
      is_org_shared: false,
      is_ext_shared: false,
      is_pending_ext_shared: false,
      is_member: channel.members.has(viewer),
      creator: channel.creator,
      topic: { ...channel.topic },
      purpose: { ...channel.purpose },
      previous_names: [],
    };
    if (includeNumMembers) json.num_members = channel.members.size;
    return json;
  }

  messageJson(message, { includeMetadata = true } = {}) {
    const json = { type: 'message', ts: message.ts, user: message.user, text: message.text, team: this.teamId };
    if (message.bot_id) Object.assign(json, { bot_id: message.bot_id, app_id: this.appId });
    if (message.blocks) json.blocks = message.blocks;
    if (message.thread_ts) json.thread_ts = message.thread_ts;
    if (message.reply_count > 0) json.reply_count = message.reply_count;
    if (message.files) json.files = message.files;
    if (message.edited) json.edited = { ...message.edited };
    if (message.reactions.length > 0) {
      json.reactions = message.reactions.map((r) => ({ name: r.name, users: [...r.users], count: r.users.length }));
    }
    if (includeMetadata && message.metadata) json.metadata = message.metadata;
    return json;
  }

  // profile.email only for a caller holding users:read.email, as Slack filters it.
  userJson(user, { includeEmail = false } = {}) {
    return {
      id: user.id,
      team_id: this.teamId,
      name: user.name,
      deleted: user.deleted,
      real_name: user.real_name,
      tz: user.tz,
      is_bot: user.is_bot,
      is_app_user: false,
      is_admin: false,
      is_owner: false,
      updated: 1700000000,
      profile: {
        real_name: user.real_name,
        display_name: user.name,
        ...(user.bot_id ? { bot_id: user.bot_id, api_app_id: this.appId } : {}),
        ...(includeEmail && user.email ? { email: user.email } : {}),
        team: this.teamId,
      },
    };
  }

  // The usergroup object of usergroups.list (slack-api-ref usergroups.list example); user_count is a
  // number, as @slack/web-api's generated response types have it (the 2015 example shows a string).
  userGroupJson(group, { includeUsers = false } = {}) {
    const json = {
      id: group.id,
      team_id: this.teamId,
      is_usergroup: true,
      name: group.name,
      description: group.description,
      handle: group.handle,
      is_external: false,
      date_create: group.date_create,
      date_update: group.date_update,
      date_delete: group.date_delete,
      auto_type: null,
      created_by: group.created_by,
      updated_by: group.updated_by,
      deleted_by: group.date_delete ? group.updated_by : null,
      prefs: { channels: [], groups: [] },
      user_count: group.users.length,
    };
    if (includeUsers) json.users = [...group.users];
    return json;
  }
}
