// Slack's Web API rate limits (slack-protocol.md §4): per method and workspace, sliding windows by tier;
// chat.postMessage is limited per channel instead. Exported so clients can mirror the table.

const minute = 60_000;

// Calls per window before scaling. `per: 'channel'` keys the window by the call's channel.
export const rateTiers = Object.freeze({
  'apps.connections.open': { tier: 3, limit: 50, windowMs: minute, per: 'method' },
  'auth.test': { tier: 'special', limit: 600, windowMs: minute, per: 'method' },
  'conversations.create': { tier: 2, limit: 20, windowMs: minute, per: 'method' },
  'conversations.archive': { tier: 2, limit: 20, windowMs: minute, per: 'method' },
  'conversations.setTopic': { tier: 2, limit: 20, windowMs: minute, per: 'method' },
  'conversations.setPurpose': { tier: 2, limit: 20, windowMs: minute, per: 'method' },
  'conversations.invite': { tier: 3, limit: 50, windowMs: minute, per: 'method' },
  'conversations.info': { tier: 3, limit: 50, windowMs: minute, per: 'method' },
  'conversations.list': { tier: 3, limit: 50, windowMs: minute, per: 'method' },
  'conversations.history': { tier: 3, limit: 50, windowMs: minute, per: 'method' },
  'conversations.replies': { tier: 3, limit: 50, windowMs: minute, per: 'method' },
  'conversations.open': { tier: 3, limit: 50, windowMs: minute, per: 'method' },
  'conversations.members': { tier: 4, limit: 100, windowMs: minute, per: 'method' },
  // "1 per second per channel, short bursts allowed": 5 in any 5 s window.
  'chat.postMessage': { tier: 'special', limit: 5, windowMs: 5_000, per: 'channel' },
  'chat.update': { tier: 3, limit: 50, windowMs: minute, per: 'method' },
  'chat.postEphemeral': { tier: 4, limit: 100, windowMs: minute, per: 'method' },
  'pins.add': { tier: 2, limit: 20, windowMs: minute, per: 'method' },
  'pins.remove': { tier: 2, limit: 20, windowMs: minute, per: 'method' },
  'reactions.add': { tier: 3, limit: 50, windowMs: minute, per: 'method' },
  'views.open': { tier: 4, limit: 100, windowMs: minute, per: 'method' },
  'views.update': { tier: 4, limit: 100, windowMs: minute, per: 'method' },
  'users.info': { tier: 4, limit: 100, windowMs: minute, per: 'method' },
  'users.lookupByEmail': { tier: 3, limit: 50, windowMs: minute, per: 'method' },
  'usergroups.list': { tier: 2, limit: 20, windowMs: minute, per: 'method' },
  'usergroups.users.list': { tier: 2, limit: 20, windowMs: minute, per: 'method' },
  'files.getUploadURLExternal': { tier: 4, limit: 100, windowMs: minute, per: 'method' },
  'files.completeUploadExternal': { tier: 4, limit: 100, windowMs: minute, per: 'method' },
});

export class RateLimiter {
  #windows = new Map(); // key -> timestamps (ms) of the calls inside the window, oldest first

  // Returns 0 when the call may proceed (and counts it), else the integer seconds until a slot frees.
  take(method, channel, config, now = Date.now()) {
    const rule = rateTiers[method];
    if (!config || !rule) return 0;
    const limit = Math.max(1, Math.floor(rule.limit * (config.scale ?? 1)));
    const key = rule.per === 'channel' ? `${method}/${channel ?? ''}` : method;
    const stamps = (this.#windows.get(key) ?? []).filter((t) => t > now - rule.windowMs);
    this.#windows.set(key, stamps);
    if (stamps.length >= limit) {
      return Math.max(1, Math.ceil((stamps[0] + rule.windowMs - now) / 1000));
    }
    stamps.push(now);
    return 0;
  }

  reset() {
    this.#windows.clear();
  }
}
