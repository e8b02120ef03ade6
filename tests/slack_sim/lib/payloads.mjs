// The payloads Slack puts inside Socket Mode envelopes (slack-protocol.md §2, examples in §9): slash
// commands as JSON objects of strings, interactive payloads, and the events_api event_callback wrapper.

function userRef(sim, userId) {
  const user = sim.workspace.users.get(userId);
  if (!user) throw new Error(`unknown user ${userId}`);
  return { id: user.id, username: user.name, name: user.name, team_id: sim.teamId };
}

function channelRef(sim, ref) {
  const channel = sim.workspace.resolveChannel(ref);
  if (!channel) throw new Error(`unknown channel ${ref}`);
  return channel;
}

const channelName = (channel) => (channel.is_im ? 'directmessage' : channel.name);

export function slashCommandPayload(sim, { user = 'U111', channel = 'incidents', text = '', command = '/incident' }) {
  const c = channelRef(sim, channel);
  const u = userRef(sim, user);
  return {
    token: sim.verificationToken,
    team_id: sim.teamId,
    team_domain: sim.workspace.teamDomain,
    channel_id: c.id,
    channel_name: channelName(c),
    user_id: u.id,
    user_name: u.name,
    command,
    text,
    api_app_id: sim.appId,
    is_enterprise_install: 'false',
    response_url: sim.newResponseUrl('commands', { channel: c.id, user: u.id }),
    trigger_id: sim.newTrigger(u.id),
  };
}

// The interactive element with `actionId` in a message's blocks, with the block that holds it.
function findElement(blocks, actionId, blockId) {
  for (const block of blocks ?? []) {
    if (blockId !== undefined && block.block_id !== blockId) continue;
    const candidates = [...(block.elements ?? []), block.accessory, block.element].filter(Boolean);
    const element = candidates.find((e) => e.action_id === actionId);
    if (element) return { block, element };
  }
  return undefined;
}

// A click on an element of a message the bot posted. `value` selects an option for selects.
export function blockActionPayload(sim, { user = 'U111', channel = 'incidents', messageTs, actionId, value, blockId }) {
  const c = channelRef(sim, channel);
  const message = sim.workspace.findMessage(c, messageTs);
  if (!message) throw new Error(`blockAction: no message ${messageTs} in ${c.id}`);
  const found = findElement(message.blocks, actionId, blockId);
  if (!found) throw new Error(`blockAction: message ${messageTs} has no element with action_id ${actionId}`);
  const { block, element } = found;
  const action = {
    action_id: actionId,
    block_id: block.block_id ?? blockId ?? 'sim-block',
    type: element.type,
    action_ts: sim.workspace.nextTs(),
  };
  if (element.type === 'button') {
    Object.assign(action, { text: element.text, value: value ?? element.value });
    if (element.style) action.style = element.style;
  } else if (element.type === 'static_select' || element.type === 'overflow' || element.type === 'radio_buttons') {
    const options = element.options ?? (element.option_groups ?? []).flatMap((g) => g.options);
    const option = options.find((o) => o.value === value);
    if (!option) throw new Error(`blockAction: ${actionId} has no option ${value}`);
    action.selected_option = option;
  } else if (element.type === 'users_select') {
    action.selected_user = value;
  } else if (element.type === 'checkboxes') {
    const values = [value].flat();
    action.selected_options = element.options.filter((o) => values.includes(o.value));
  } else {
    action.value = value;
  }
  const u = userRef(sim, user);
  return {
    type: 'block_actions',
    user: u,
    api_app_id: sim.appId,
    token: sim.verificationToken,
    container: { type: 'message', message_ts: message.ts, channel_id: c.id, is_ephemeral: false },
    trigger_id: sim.newTrigger(u.id),
    team: { id: sim.teamId, domain: sim.workspace.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: c.id, name: channelName(c) },
    message: sim.workspace.messageJson(message),
    state: { values: {} },
    response_url: sim.newResponseUrl('actions', { channel: c.id, user: u.id, messageTs: message.ts }),
    actions: [action],
  };
}

// `view` is the view the bot opened (object or ID); `values` is state.values keyed block_id -> action_id.
export function viewSubmissionPayload(sim, { user = 'U111', view, values = {} }) {
  const opened = typeof view === 'string' ? sim.views.get(view) : view;
  if (!opened) throw new Error(`viewSubmission: unknown view ${view}`);
  const u = userRef(sim, user);
  return {
    type: 'view_submission',
    team: { id: sim.teamId, domain: sim.workspace.teamDomain },
    user: u,
    api_app_id: sim.appId,
    token: sim.verificationToken,
    trigger_id: sim.newTrigger(u.id),
    view: { ...opened, state: { values } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export function eventPayload(sim, inner) {
  const { workspace } = sim;
  const event = { ...inner, event_ts: inner.event_ts ?? workspace.nextTs() };
  return {
    token: sim.verificationToken,
    team_id: sim.teamId,
    api_app_id: sim.appId,
    event,
    type: 'event_callback',
    event_id: workspace.newId('Ev'),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{
      enterprise_id: null, team_id: sim.teamId, user_id: sim.botUserId, is_bot: true, is_enterprise_install: false,
    }],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${event.type}-${sim.teamId}-${event.channel ?? ''}`).toString('base64')}`,
  };
}

// --- inner events about workspace state (slack-protocol.md §2.3) -----------------------------------------

// Which scope a bot needs to be subscribed to an event about `channel`: Slack sends member and archive
// events of private channels only to apps holding groups:read (member_left_channel docs).
export const channelReadScopes = (channel) => [channel.is_private ? 'groups:read' : 'channels:read'];

// member_joined_channel / member_left_channel: user, channel, channel_type "C" (public) or "G"
// (private), team; `inviter` only on a join someone else caused.
export function membershipEvent(sim, type, channel, user, inviter) {
  const event = { type, user, channel: channel.id, channel_type: channel.is_private ? 'G' : 'C', team: sim.teamId };
  if (inviter !== undefined) event.inviter = inviter;
  return event;
}

// channel_archive carries who archived it; group_archive only the channel (the events' reference pages).
export function archiveEvent(channel, user) {
  return channel.is_private
    ? { type: 'group_archive', channel: channel.id }
    : { type: 'channel_archive', channel: channel.id, user };
}

// The delta of a user group's members. Counts are numbers, as real deliveries and @slack/types have
// them (the reference page's example quotes them as strings).
export function subteamMembersChangedEvent(sim, group, { added, removed, previousUpdate }) {
  return {
    type: 'subteam_members_changed',
    subteam_id: group.id,
    team_id: sim.teamId,
    date_previous_update: previousUpdate,
    date_update: group.date_update,
    added_users: added,
    added_users_count: added.length,
    removed_users: removed,
    removed_users_count: removed.length,
  };
}
