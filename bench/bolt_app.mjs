// The benchmark's reference bot: an idiomatic Bolt for JavaScript app (Slack's official framework) doing
// what `warroom run` does for `/incident declare P1 type:outage <title>`: ephemeral ack, a war room
// `inc-<n>-<slug>` created, the declarer invited, the topic set, the declaration (Block Kit) posted and
// pinned, the runbook and the detection checklist posted, the announcement in #incidents linking the
// room, and the "on-call engineer paged" escalation post that warroom's P1 policy fires at declaration.
// Incident numbers are a counter in memory: nothing is persisted (warroom commits every command to
// SQLite, synchronous=FULL, before it acks).
//
// Run by bench/slack_load.mjs as its own `node` process:
//   SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-… SLACK_API_URL=http://127.0.0.1:P/api/ node bench/bolt_app.mjs
// Bolt and the SDKs come from tests/slack_sim/node_modules (`cd tests/slack_sim && npm ci`).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/slack_sim/package.json', import.meta.url));
const { App, LogLevel } = require('@slack/bolt');

const announceChannel = process.env.ANNOUNCE_CHANNEL ?? 'incidents';

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  appToken: process.env.SLACK_APP_TOKEN,
  socketMode: true,
  logLevel: LogLevel.INFO,
  // One slackApiUrl redirects both the bot's WebClient and apps.connections.open (transport notes §3.4).
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});

let lastIncident = 0;

const typeNames = {
  outage: 'Service Outage', performance: 'Performance', 'data-loss': 'Data Loss', security: 'Security',
  integration: 'Integration', privacy: 'Privacy',
};
const severityNames = { P0: 'Critical', P1: 'High', P2: 'Medium', P3: 'Low' };

function slugify(title) {
  return title.replace(/[^\x00-\x7f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

function roomName(n, title) {
  const slug = slugify(title);
  return `inc-${n}${slug ? `-${slug}` : ''}`.slice(0, 80).replace(/-+$/, '');
}

const utc = (d) => d.toISOString().slice(11, 16);
const header = (text) => ({ type: 'header', text: { type: 'plain_text', text, emoji: true } });
const mrkdwn = (text) => ({ type: 'mrkdwn', text });
const button = (actionId, text, value, style) => ({
  type: 'button', action_id: actionId, text: { type: 'plain_text', text, emoji: true }, value,
  ...(style ? { style } : {}),
});

function declarationBlocks({ n, severity, type, title, room, user, at }) {
  const next = new Date(at.getTime() + 3600_000);
  return [
    header(`🚨 ${severity} INCIDENT - ${title} (INC-${n})`),
    {
      type: 'section',
      fields: [
        mrkdwn('*Impact:*\nBeing assessed'),
        mrkdwn(`*Started:*\n${at.toISOString().slice(0, 10)} ${utc(at)} UTC`),
        mrkdwn('*Incident Lead:*\nunassigned'),
        mrkdwn('*Status:*\nInvestigating'),
        mrkdwn(`*Type:*\n${typeNames[type] ?? type}`),
        mrkdwn('*Respond within:*\n15 minutes'),
      ],
    },
    { type: 'section', text: mrkdwn(`*Actions Taken*\n• War room <#${room}> opened\n• Declared by <@${user}>`) },
    { type: 'context', elements: [mrkdwn(`*Next Update*: ${utc(next)} UTC (every 1h)`)] },
    {
      type: 'actions',
      elements: [
        button('acknowledge', 'Acknowledge', String(n), 'primary'),
        button('claim_ic', "I'll be IC", String(n)),
        button('post_update', 'Post update', String(n)),
        button('advance', 'Advance to Investigation', String(n)),
        button('resolve', 'Resolve', String(n), 'danger'),
      ],
    },
  ];
}

const runbookBlocks = () => [
  header('📘 Runbook — Incident: Application Down'),
  {
    type: 'section',
    text: mrkdwn('*Response*\n1. Check if the app is running: `curl -I https://app.example.com`\n'
      + "2. Check the hosting provider's status page\n3. Check recent deployments: `git log --oneline -5`\n"
      + '4. Roll back if a recent deployment is the likely cause (see DEPLOYMENT.md)\n'
      + '5. Check database connectivity: verify the connection strings in the environment'),
  },
];

const checklistBlocks = (n) => [
  header(`☑️ Detection checklist — INC-${n}`),
  {
    type: 'actions',
    elements: [{
      type: 'checkboxes',
      action_id: 'check',
      options: ['Incident detected', 'Initial triage and severity assessment',
        'Incident commander assigned (for P0/P1)', 'War room created', 'Initial stakeholder notification']
        .map((text, k) => ({ text: mrkdwn(text), value: `${n}:detection:${k + 1}` })),
    }],
  },
];

const announcementBlocks = ({ n, severity, title, room }) => [
  header(`🚨 ${severity} INCIDENT - ${title} (INC-${n})`),
  {
    type: 'section',
    fields: [
      mrkdwn('*Status:*\nInvestigating'),
      mrkdwn('*Impact:*\nBeing assessed'),
      mrkdwn(`*Severity:*\n${severity} ${severityNames[severity]}`),
      mrkdwn('*Audience:*\nEngineering + product teams'),
      mrkdwn(`*War room:*\n<#${room}>`),
    ],
  },
];

const escalationBlocks = ({ n, severity }) => [
  header(`📣 Escalation — INC-${n} (${severity}): On-call engineer paged`),
  { type: 'section', fields: [mrkdwn('*Trigger:*\nat declaration')] },
];

app.command('/incident', async ({ ack, command, client, logger }) => {
  const m = /^declare\s+(P[0-3])\s+type:(\S+)\s+(.+)$/i.exec(command.text.trim());
  if (!m) {
    await ack({ response_type: 'ephemeral', text: 'Usage: /incident declare P0-P3 type:<type> <title>' });
    return;
  }
  const severity = m[1].toUpperCase();
  const type = m[2].toLowerCase();
  const title = m[3].trim();
  const n = ++lastIncident;
  const name = roomName(n, title);
  const declared = `✓ Declared INC-${n}: war room #${name}`;
  await ack({ response_type: 'ephemeral', text: declared, blocks: [header(declared)] });

  try {
    const created = await client.conversations.create({ name, is_private: false });
    const room = created.channel.id;
    logger.info(`incident ${n}: war room #${name} created (${room})`);
    await client.conversations.invite({ channel: room, users: command.user_id, force: true });
    await client.conversations.setTopic({ channel: room, topic: `${severity} · Investigating · IC unassigned` });
    const facts = { n, severity, type, title, room, user: command.user_id, at: new Date() };
    const text = `🚨 ${severity} INCIDENT - ${title} (INC-${n})`;
    const declaration = await client.chat.postMessage({
      channel: room, text, blocks: declarationBlocks(facts), unfurl_links: false,
    });
    await client.pins.add({ channel: room, timestamp: declaration.ts });
    await client.chat.postMessage({
      channel: room, text: '📘 Runbook — Incident: Application Down', blocks: runbookBlocks(), unfurl_links: false,
    });
    await client.chat.postMessage({
      channel: room, text: `☑️ Detection checklist — INC-${n}`, blocks: checklistBlocks(n), unfurl_links: false,
    });
    await client.chat.postMessage({
      channel: announceChannel, text, blocks: announcementBlocks(facts), unfurl_links: false,
    });
    await client.chat.postMessage({
      channel: room, text: `📣 Escalation — INC-${n} (${severity}): On-call engineer paged`,
      blocks: escalationBlocks(facts), unfurl_links: false,
    });
  } catch (error) {
    logger.error(`incident ${n}: ${error.message ?? error}`);
  }
});

app.error(async (error) => {
  console.error(`bolt error: ${error.message ?? error}`);
});

await app.start();
console.log('bolt app: ready');

const shutdown = async () => {
  await app.stop();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
