// The public status page, end to end: nothing shows before someone publishes, only the
// Communications Lead (or the IC while there is none) publishes, the resolution shows only once its
// button is pressed, a private incident's title is on no endpoint, the Atom feed parses as Atom with
// an entry id that changes on each update, the JSON matches Statuspage's public API shape, and
// ETags answer 304. Then in a real browser (Debian's chromium, headless, driven by puppeteer-core):
// the DOM names each component with its status in words, shows the published update and not a
// private title, works with JavaScript off, fits a phone's width, and axe-core finds no serious or
// critical accessibility violation, and a phone-sized screenshot matches the committed reference.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { assertLooksLike } from './screenshot.mjs';
import { World, messageText as text, statusPageBase as pageBase } from './harness.mjs';

// The test-only packages live with the simulator's (tests/slack_sim/package.json and its lock).
const fromSim = createRequire(new URL('../slack_sim/package.json', import.meta.url));
const { XMLParser, XMLValidator } = fromSim('fast-xml-parser');
const Ajv = fromSim('ajv').default;
const addFormats = fromSim('ajv-formats').default;
const puppeteer = fromSim('puppeteer-core');
const axeSource = readFileSync(fromSim.resolve('axe-core/axe.min.js'), 'utf8');
// The phone-sized screenshot the page is compared with; UPDATE_GOLDEN=1 records it again.
const reference = new URL('./status_page.png', import.meta.url);

const config = `[status_page]
listen = "127.0.0.1:0"
name = "Example Status"
url = "https://status.example.com"
[[status_page.components]]
name = "API"
group = "Core"
description = "The public REST API"
[[status_page.components]]
name = "Website"
[[status_page.components]]
name = "Exports"
`;

const endpoints = ['/', '/history.atom', '/api/v2/summary.json', '/api/v2/status.json', '/api/v2/incidents.json'];
const ephemeralText = (ack) => JSON.stringify(ack?.payload ?? {});
const hasAction = (m, id) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${id}"`);

async function fetchAll(base) {
  const out = {};
  for (const path of endpoints) {
    const r = await fetch(base + path, { signal: AbortSignal.timeout(5000) });
    assert.equal(r.status, 200, path);
    out[path] = await r.text();
  }
  return out;
}

// Statuspage's public API (https://<page>.statuspage.io/api/v2/): the fields its clients read.
const time = { type: 'string', format: 'date-time' };
const nullableTime = { anyOf: [time, { type: 'null' }] };
const page = {
  type: 'object',
  required: ['id', 'name', 'url', 'time_zone', 'updated_at'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, url: { type: 'string' }, time_zone: { type: 'string' }, updated_at: time },
};
const status = {
  type: 'object',
  required: ['indicator', 'description'],
  properties: { indicator: { enum: ['none', 'minor', 'major', 'critical', 'maintenance'] }, description: { type: 'string' } },
};
const component = {
  type: 'object',
  required: ['id', 'name', 'status', 'created_at', 'updated_at', 'position', 'description', 'group_id', 'page_id', 'group', 'only_show_if_degraded', 'showcase'],
  properties: {
    id: { type: 'string' }, name: { type: 'string' },
    status: { enum: ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] },
    created_at: time, updated_at: time, position: { type: 'integer' },
    description: { type: ['string', 'null'] }, group_id: { type: ['string', 'null'] }, page_id: { type: 'string' },
    group: { type: 'boolean' }, only_show_if_degraded: { type: 'boolean' }, showcase: { type: 'boolean' },
    components: { type: 'array', items: { type: 'string' } },
  },
};
const incident = {
  type: 'object',
  required: ['id', 'name', 'status', 'impact', 'shortlink', 'created_at', 'updated_at', 'monitoring_at', 'resolved_at', 'page_id', 'incident_updates', 'components'],
  properties: {
    id: { type: 'string' }, name: { type: 'string' },
    status: { enum: ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'] },
    impact: { enum: ['none', 'minor', 'major', 'critical'] }, shortlink: { type: 'string' },
    created_at: time, updated_at: time, monitoring_at: nullableTime, resolved_at: nullableTime, page_id: { type: 'string' },
    incident_updates: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'status', 'body', 'incident_id', 'created_at', 'updated_at', 'display_at'],
        properties: {
          id: { type: 'string' }, status: { enum: ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'] },
          body: { type: 'string' }, incident_id: { type: 'string' }, created_at: time, updated_at: time, display_at: time,
        },
      },
    },
    components: { type: 'array', items: component },
  },
};
const schemas = {
  '/api/v2/summary.json': {
    type: 'object', required: ['page', 'status', 'components', 'incidents', 'scheduled_maintenances'],
    properties: { page, status, components: { type: 'array', items: component }, incidents: { type: 'array', items: incident }, scheduled_maintenances: { type: 'array' } },
  },
  '/api/v2/status.json': { type: 'object', required: ['page', 'status'], properties: { page, status } },
  '/api/v2/incidents.json': { type: 'object', required: ['page', 'incidents'], properties: { page, incidents: { type: 'array', items: incident } } },
};

function checkShapes(bodies) {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  for (const [path, schema] of Object.entries(schemas)) {
    const validate = ajv.compile(schema);
    assert.ok(validate(JSON.parse(bodies[path])), `${path}: ${ajv.errorsText(validate.errors)}`);
  }
}

// The feed as Atom: well-formed XML, a feed in Atom's namespace with its required elements.
function atomEntries(xml) {
  assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'entry' || name === 'link' }).parse(xml);
  const feed = doc.feed;
  assert.equal(feed['@_xmlns'], 'http://www.w3.org/2005/Atom');
  for (const field of ['id', 'title', 'updated', 'author']) assert.ok(feed[field], `feed has ${field}`);
  const entries = feed.entry ?? [];
  for (const e of entries) {
    for (const field of ['id', 'title', 'updated', 'content']) assert.ok(e[field], `entry has ${field}`);
    assert.match(e.id, /^tag:status\.example\.com,\d{4}-\d{2}-\d{2}:/);
  }
  return entries;
}

describe('status page', { timeout: 90000 }, () => {
  test('publish flow: nothing before publish, the speaker publishes, the resolution only when asked', async () => {
    const w = await World.create({ config });
    try {
      const bot = await w.start();
      const base = await pageBase(bot);
      const title = 'Checkout database lost its disk';
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: `declare P1 type:outage component:API ${title}` }).ack);
      const room = await w.waitForRoom(1);
      await w.join('U222', room);
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'update status:identified component:API disk failed' }).ack);
      await w.sim.waitFor(() => room.messages.some((m) => /disk failed/.test(text(m))), 10000, 'update posted');

      const before = await fetchAll(base);
      for (const [path, body] of Object.entries(before)) {
        assert.ok(!body.includes('lost its disk') && !body.includes('disk failed'), `${path} shows nothing unpublished`);
      }
      assert.equal(JSON.parse(before['/api/v2/summary.json']).incidents.length, 0);
      assert.equal(JSON.parse(before['/api/v2/status.json']).status.indicator, 'none');
      assert.equal(atomEntries(before['/history.atom']).length, 0);
      checkShapes(before);

      // No Communications Lead: only the IC speaks; then only the Communications Lead.
      const refused = await w.sim.slashCommand({ user: 'U222', channel: room.id, text: 'publish We are looking into it' }).ack;
      assert.match(ephemeralText(refused), /only the Incident Commander \(@U111\) or an incident admin can publish INC-1 on the status page/);
      const bad = await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'publish status:sideways Hmm' }).ack;
      assert.match(ephemeralText(bad), /unknown component status 'sideways'/);
      assert.match(ephemeralText(bad), /Usage: \/incident publish \[component:&lt;name&gt;…\] \[status:&lt;component status&gt;\] &lt;public text&gt;/);
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'assign comms @U222' }).ack);
      const notIc = await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'publish We are looking into it' }).ack;
      assert.match(ephemeralText(notIc), /only the Communications Lead \(@U222\) or an incident admin can publish INC-1/);
      const text1 = 'Checkout is failing for all customers; we are on it.';
      assert.ok(await w.sim.slashCommand({ user: 'U222', channel: room.id, text: `publish component:API status:major-outage ${text1}` }).ack);
      await w.sim.waitFor(() => room.messages.some((m) => /Published on the status page by <@U222>/.test(text(m))), 10000, 'publication told in the room');

      const published = await fetchAll(base);
      assert.match(published['/'], /Checkout is failing for all customers/);
      assert.match(published['/'], /API<\/span><span class="st"><span aria-hidden="true">✕<\/span> Major Outage/);
      assert.ok(!published['/'].includes('disk failed'), 'internal updates stay internal');
      const summary = JSON.parse(published['/api/v2/summary.json']);
      assert.equal(summary.status.indicator, 'critical');
      assert.equal(summary.components.find((c) => c.name === 'API').status, 'major_outage');
      assert.equal(summary.incidents[0].incident_updates[0].body, text1);
      checkShapes(published);
      const [entry1] = atomEntries(published['/history.atom']);
      assert.match(entry1.id, /incident-1-update-1$/);

      // Caching: the same ETag until something is published; If-None-Match gets a 304.
      const first = await fetch(`${base}/`, { signal: AbortSignal.timeout(5000) });
      const tag = first.headers.get('etag');
      assert.ok(tag);
      assert.match(first.headers.get('cache-control'), /max-age=/);
      const again = await fetch(`${base}/`, { headers: { 'If-None-Match': tag }, signal: AbortSignal.timeout(5000) });
      assert.equal(again.status, 304);

      // Resolved: the page keeps what was published until the resolution is.
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'resolve Replaced the disk' }).ack);
      const offer = await w.sim.waitFor(() => room.messages.find((m) => hasAction(m, 'publish_resolution')), 10000, 'Publish resolution offered');
      const still = JSON.parse((await fetchAll(base))['/api/v2/summary.json']);
      assert.equal(still.incidents.length, 1, 'still active on the page');
      assert.equal(still.components.find((c) => c.name === 'API').status, 'major_outage');

      await w.sim.blockAction({ user: 'U222', channel: room.id, messageTs: offer.ts, actionId: 'publish_resolution' }).ack;
      await w.sim.waitFor(async () => JSON.parse((await fetchAll(base))['/api/v2/summary.json']).incidents.length === 0, 10000, 'resolution on the page');
      const after = await fetchAll(base);
      const incidents = JSON.parse(after['/api/v2/incidents.json']).incidents;
      assert.equal(incidents[0].status, 'resolved');
      assert.equal(incidents[0].incident_updates[0].body, 'Resolved');
      assert.equal(JSON.parse(after['/api/v2/summary.json']).components.find((c) => c.name === 'API').status, 'operational');
      assert.match(after['/'], /Past incidents/);
      checkShapes(after);
      const [entry2] = atomEntries(after['/history.atom']);
      assert.match(entry2.id, /incident-1-update-2$/);
      assert.notEqual(entry2.id, entry1.id, 'a new entry id with each update');
      const stale = await fetch(`${base}/`, { headers: { 'If-None-Match': tag }, signal: AbortSignal.timeout(5000) });
      assert.equal(stale.status, 200, 'the old ETag no longer matches');
    } finally {
      await w.close();
    }
  });

  test("a private incident's title is on no endpoint, before or after it is published", async () => {
    const w = await World.create({ config });
    try {
      const bot = await w.start();
      const base = await pageBase(bot);
      const title = 'Payroll export of ACME posted to a public bucket';
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: `declare P1 type:security component:Website ${title}` }).ack);
      const room = await w.waitForRoom(1);
      const leaks = (bodies) => Object.entries(bodies).filter(([, b]) => /ACME|Payroll|bucket/.test(b)).map(([p]) => p);
      assert.deepEqual(leaks(await fetchAll(base)), []);
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'publish component:Website status:degraded-performance Some exports are delayed.' }).ack);
      await w.sim.waitFor(() => room.messages.some((m) => /Published on the status page/.test(text(m))), 10000, 'published');
      const bodies = await fetchAll(base);
      assert.deepEqual(leaks(bodies), []);
      assert.match(bodies['/'], /Some exports are delayed\./);
      assert.match(bodies['/'], /Incident INC-1/);
      checkShapes(bodies);
      atomEntries(bodies['/history.atom']);
    } finally {
      await w.close();
    }
  });
});

describe('status page in a browser', { timeout: 120000 }, () => {
  test('components with their status in words, the published update, no private title, no serious axe violation', async () => {
    const w = await World.create({ config });
    let browser;
    try {
      const bot = await w.start();
      const base = await pageBase(bot);
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P1 type:outage Checkout database lost its disk' }).ack);
      const room = await w.waitForRoom(1);
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: room.id, text: 'publish component:API status:partial-outage Some API calls fail; we are on it.' }).ack);
      assert.ok(await w.sim.slashCommand({ user: 'U111', text: 'declare P1 type:security Token of ACME leaked' }).ack);
      const secret = await w.waitForRoom(2);
      assert.ok(await w.sim.slashCommand({ user: 'U111', channel: secret.id, text: 'publish component:Exports status:degraded-performance Exports are delayed.' }).ack);
      await w.sim.waitFor(() => secret.messages.some((m) => /Published on the status page/.test(text(m))), 10000, 'published');

      // Chromium refuses to run as root inside its sandbox; the page is ours and local.
      browser = await puppeteer.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'],
        timeout: 30000,
      });
      const page = await browser.newPage();
      await page.setJavaScriptEnabled(false);
      await page.setViewport({ width: 390, height: 844 });
      const response = await page.goto(`${base}/`, { waitUntil: 'load', timeout: 15000 });
      assert.equal(response.status(), 200);

      const components = await page.$$eval('li.c', (items) => items.map((li) => ({
        name: li.querySelector('.name').textContent,
        status: li.querySelector('.st').textContent.trim(),
      })));
      assert.deepEqual(components, [
        { name: 'API', status: '▲ Partial Outage' },
        { name: 'Website', status: '✓ Operational' },
        { name: 'Exports', status: '◆ Degraded Performance' },
      ]);
      const body = await page.$eval('body', (b) => b.innerText);
      assert.match(body, /Some API calls fail; we are on it\./);
      assert.match(body, /Exports are delayed\./);
      assert.doesNotMatch(body, /ACME|leaked/);
      assert.equal(await page.$eval('html', (h) => h.lang), 'en');
      assert.ok(await page.$('main'), 'a main landmark');
      assert.equal(await page.$$eval('h1', (h) => h.length), 1);
      // Readable on a phone: nothing wider than the viewport.
      assert.ok(await page.$eval('html', (h) => h.scrollWidth <= 390), 'no horizontal scrolling at 390px');

      // axe-core needs script: the same page, with JavaScript on for the check only.
      await page.setJavaScriptEnabled(true);
      await page.goto(`${base}/`, { waitUntil: 'load', timeout: 15000 });
      await page.evaluate(axeSource);
      const result = await page.evaluate(async () => await globalThis.axe.run(document, { resultTypes: ['violations'] }));
      const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(serious.map((v) => `${v.id}: ${v.help}`), []);

      // The screenshot, with what depends on the clock (times, the uptime figures) held still.
      await page.evaluate(() => {
        for (const t of document.querySelectorAll('time')) t.textContent = '2026-03-02 09:00 UTC';
        for (const m of document.querySelectorAll('.meta span:nth-child(2)')) m.textContent = '99.99% uptime';
      });
      await assertLooksLike(page, reference);
    } finally {
      if (browser) await browser.close();
      await w.close();
    }
  });
});
