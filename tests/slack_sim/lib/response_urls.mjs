// response_url endpoints under /commands/... and /actions/... (slack-protocol.md §5): JSON message
// payloads, at most 5 uses within 30 minutes, then 404. Posts are applied to the workspace (in_channel
// messages, replace_original, delete_original) and recorded in `sim.responses`.
import { readBody, resetSocket, sendHtmlError, sendText, sleep } from './http_util.mjs';

const maxUses = 5;
const lifetimeMs = 30 * 60_000;

// Slack's docs show these booleans as strings ("true"); accept both.
const flag = (v) => v === true || v === 'true';

export async function handleResponseUrl(sim, req, res, path) {
  const body = await readBody(req);
  const fault = sim.takeFault('response_url');
  if (fault?.delayMs) await sleep(fault.delayMs);
  if (fault?.reset) return resetSocket(req.socket);
  if (fault?.status) return sendHtmlError(res, fault.status);

  const entry = sim.responseUrls.get(path);
  const record = { url: `${sim.baseUrl}${path}`, kind: entry?.kind, body: null, at: Date.now(), status: 0 };
  sim.responses.push(record);
  const reply = (status, text) => {
    record.status = status;
    sendText(res, status, text);
  };
  if (!entry || req.method !== 'POST') return reply(404, 'no_service');
  if (entry.uses >= maxUses || Date.now() - entry.createdAt > lifetimeMs) return reply(404, 'expired_url');
  try {
    record.body = JSON.parse(body.toString('utf8'));
  } catch {
    return reply(400, 'invalid_payload');
  }
  if (typeof record.body !== 'object' || record.body === null) return reply(400, 'invalid_payload');
  entry.uses += 1;
  applyResponse(sim, entry, record.body);
  reply(200, 'ok');
}

function applyResponse(sim, entry, body) {
  const { workspace } = sim;
  const channel = workspace.channels.get(entry.channel);
  const original = entry.messageTs && channel ? workspace.findMessage(channel, entry.messageTs) : undefined;
  // replace_original / delete_original act on the message holding the clicked element; a slash
  // command has no such message, so they do nothing there.
  if (flag(body.delete_original) && original) {
    channel.messages.splice(channel.messages.indexOf(original), 1);
    channel.pins.delete(original.ts);
    return;
  }
  if (flag(body.replace_original) && original) {
    if (body.text !== undefined) original.text = body.text;
    if (body.blocks !== undefined) original.blocks = body.blocks;
    original.edited = { user: sim.botUserId, ts: workspace.nextTs() };
    return;
  }
  if (body.response_type === 'in_channel' && channel) {
    workspace.addMessage(channel, {
      user: sim.botUserId, botId: sim.botId, text: body.text ?? '', blocks: body.blocks, threadTs: body.thread_ts,
    });
    return;
  }
  sim.ephemerals.push({
    channel: entry.channel, user: entry.user, text: body.text ?? '', blocks: body.blocks, ts: workspace.nextTs(),
    via: 'response_url',
  });
}
