// E-mail end to end: the real binary sends through a real SMTP server (Debian's aiosmtpd, with
// smtp_sink.py printing what it takes). An escalation step's addresses get one e-mail with the
// incident's words; a server that is down delays the e-mail, which is then sent exactly once; a
// private incident's e-mail has no title; a recipient the server rejects is given up with its reason.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { World, sleep, freePort } from './harness.mjs';
import { certFiles, makeCerts } from '../slack_sim/certs.mjs';

// Debian's python3-aiosmtpd is installed for the system interpreter, whatever `python3` is on PATH.
const python = '/usr/bin/python3';

const here = dirname(fileURLToPath(import.meta.url));

// aiosmtpd on `port`: what it takes, one JSON object per message (or rejected recipient, or login).
// `secure` ({ mode: 'starttls' | 'implicit-tls', certFile, keyFile, login: 'user:password' }) makes
// it require TLS and that login.
async function startSmtp(port, secure) {
  const args = secure
    ? [join(here, 'smtp_sink.py'), String(port), `--${secure.mode}`, secure.certFile, secure.keyFile, '--login', secure.login]
    : ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'smtp_sink.Sink'];
  const child = spawn(python, ['-W', 'ignore', ...args], {
    // No __pycache__ left in the source tree.
    env: { PATH: process.env.PATH, PYTHONPATH: here, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = { taken: [], rejected: [], logins: [], errors: '' };
  let partial = '';
  child.stdout.on('data', (chunk) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop();
    for (const line of lines.filter(Boolean)) {
      const seen = JSON.parse(line);
      if (seen.rejected) server.rejected.push(seen.rejected);
      else if ('login' in seen) server.logins.push(seen);
      else server.taken.push(seen);
    }
  });
  child.stderr.on('data', (chunk) => { server.errors += chunk.toString(); });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  server.close = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  // Up once it accepts a connection.
  const deadline = Date.now() + 10000;
  for (;;) {
    const up = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (up) return server;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`aiosmtpd did not start: ${server.errors}`);
    await sleep(100);
  }
}

function config(port) {
  return `
[email]
smtp_url = "smtp://127.0.0.1:${port}"
from = "warroom <warroom@example.com>"
starttls = false  # aiosmtpd here offers no TLS
timeout = "5s"
[severity.P1]
update_every = "none"
escalation = [{ after = "0s", target = "security", label = "Security team notified", notify = ["security@example.com", "legal@example.com"] }]
[severity.P2]
update_every = "none"
escalation = [{ after = "0s", target = "nobody", label = "Nobody notified", notify = ["reject-me@example.com"] }]
`;
}

async function declare(w, text) {
  assert.ok(await w.sim.slashCommand({ user: 'U111', text: `declare ${text}` }).ack);
}

describe('e-mail through SMTP', { timeout: 120000 }, () => {
  test("an escalation step's addresses get one e-mail: recipients, subject, text and HTML", async () => {
    const port = await freePort();
    const smtp = await startSmtp(port);
    const w = await World.create({ config: config(port) });
    try {
      const bot = await w.start();
      await declare(w, 'P1 Checkout <is> down');
      const room = await w.waitForRoom(1);
      const mail = await w.sim.waitFor(() => smtp.taken[0], 10000, 'an e-mail');
      assert.equal(mail.mail_from, 'warroom@example.com');
      assert.deepEqual(mail.rcpt_tos, ['security@example.com', 'legal@example.com']);
      assert.equal(mail.from, 'warroom <warroom@example.com>');
      assert.equal(mail.to, 'security@example.com, legal@example.com');
      assert.equal(mail.subject, '[INC-1 P1] Checkout <is> down: Security team notified');
      assert.equal(mail.content_type, 'multipart/alternative');
      assert.match(mail.message_id, /^<warroom\.\d+\.[0-9a-f]{16}@example\.com>$/);
      assert.match(mail.text, /^INC-1 \(P1, Service Outage\): Checkout <is> down\r?\nSecurity team notified\r?\n/);
      assert.ok(mail.text.includes(`Join #${room.name} in Slack to take part.`), mail.text);
      assert.ok(mail.html.includes('Checkout &lt;is&gt; down'), mail.html);
      assert.ok(!mail.html.includes('<is>'), 'the title is escaped in HTML');
      await bot.waitForLog(/INC-1: e-mailed security@example\.com, legal@example\.com/);
      await sleep(1500);
      assert.equal(smtp.taken.length, 1, 'one e-mail for one recipient list');
    } finally {
      await w.close();
      await smtp.close();
    }
  });

  test('SMTP down for a while: the e-mail waits in the outbox and is sent exactly once when it is up', async () => {
    const port = await freePort();
    const w = await World.create({ config: config(port) });
    let smtp;
    try {
      const bot = await w.start();
      await declare(w, 'P1 Search is slow');
      await w.waitForRoom(1);
      await bot.waitForLog(/INC-1: e-mail to security@example\.com, legal@example\.com: smtp: .*(refused|connect)/i, 10000);
      await sleep(2000);  // it stays down through more than one try
      assert.ok(w.sim.channelByName('incidents').messages.length > 0, 'Slack is not held up by SMTP');
      smtp = await startSmtp(port);
      const mail = await w.sim.waitFor(() => smtp.taken[0], 40000, 'the e-mail once SMTP is up');
      assert.equal(mail.subject, '[INC-1 P1] Search is slow: Security team notified');
      await bot.waitForLog(/INC-1: e-mailed security@example\.com/);
      await sleep(3000);
      assert.equal(smtp.taken.length, 1, 'sent once, not once per try');
    } finally {
      await w.close();
      await smtp?.close();
    }
  });

  test("a private incident's e-mail has no title; a recipient the server rejects is given up with its reply", async () => {
    const port = await freePort();
    const smtp = await startSmtp(port);
    const w = await World.create({ config: config(port) });
    try {
      const bot = await w.start();
      await declare(w, 'P1 type:security Payroll export leaks salaries');
      const room = await w.waitForRoom(1);
      const mail = await w.sim.waitFor(() => smtp.taken[0], 10000, 'an e-mail');
      assert.deepEqual(mail.rcpt_tos, ['security@example.com', 'legal@example.com']);
      assert.equal(mail.subject, '[INC-1 P1] private incident: join its war room in Slack');
      assert.equal(mail.text.replace(/\r\n/g, '\n'),
        `INC-1 (severity P1) is a private incident: its details stay in its war room.\nJoin #${room.name} in Slack to take part.\n`);
      for (const part of [mail.subject, mail.text, mail.html, mail.raw_headers]) {
        assert.ok(!/Payroll|salaries/i.test(part), `no title in ${part}`);
      }

      await declare(w, 'P2 Reports are late');
      await w.waitForRoom(2);
      await bot.waitForLog(/INC-2: e-mail to reject-me@example\.com: smtp: the server said 550 5\.1\.1 <reject-me@example\.com>: Recipient address rejected/);
      await sleep(3000);
      assert.deepEqual(smtp.rejected, ['reject-me@example.com'], 'given up, not tried again');
      assert.equal(smtp.taken.length, 1);
    } finally {
      await w.close();
      await smtp.close();
    }
  });

  // The simulator's test CA (World with tls) is what SSL_CERT_FILE names; its leaf is for localhost.
  function secureConfig(url, user) {
    return `
[email]
smtp_url = "${url}"
from = "warroom@example.com"
username = "${user}"
timeout = "5s"
[severity.P1]
update_every = "none"
escalation = [{ after = "0s", target = "security", label = "Security team notified", notify = ["security@example.com"] }]
`;
  }

  for (const mode of ['starttls', 'implicit-tls']) {
    test(`${mode}: the server's certificate is verified against SSL_CERT_FILE, the login is made, the password never logged`, async () => {
      const port = await freePort();
      const url = mode === 'starttls' ? `smtp://localhost:${port}` : `smtps://localhost:${port}`;
      const w = await World.create({ tls: true, config: secureConfig(url, 'warroom-bot') });
      const { certFile, keyFile } = certFiles(dirname(w.sim.caFile));
      const smtp = await startSmtp(port, { mode, certFile, keyFile, login: 'warroom-bot:pa55-w0rd-x9' });
      try {
        const bot = await w.start({ env: { WARROOM_SMTP_PASSWORD: 'pa55-w0rd-x9' } });
        await declare(w, 'P1 Ledger is stale');
        const mail = await w.sim.waitFor(() => smtp.taken[0], 15000, 'an e-mail over TLS');
        assert.equal(mail.subject, '[INC-1 P1] Ledger is stale: Security team notified');
        assert.deepEqual(smtp.logins.map((l) => [l.login, l.accepted]), [['warroom-bot', true]]);
        await bot.waitForLog(/INC-1: e-mailed security@example\.com/);
        assert.ok(!bot.lines.some((l) => l.includes('pa55-w0rd-x9')), 'the password is never logged');
      } finally {
        await w.close();
        await smtp.close();
      }
    });
  }

  test('a wrong password is given up with the server\'s reply, tried once', async () => {
    const port = await freePort();
    const w = await World.create({ tls: true, config: secureConfig(`smtp://localhost:${port}`, 'warroom-bot') });
    const { certFile, keyFile } = certFiles(dirname(w.sim.caFile));
    const smtp = await startSmtp(port, { mode: 'starttls', certFile, keyFile, login: 'warroom-bot:right-one' });
    try {
      const bot = await w.start({ env: { WARROOM_SMTP_PASSWORD: 'wrong-one' } });
      await declare(w, 'P1 Ledger is stale');
      await bot.waitForLog(/INC-1: e-mail to security@example\.com: smtp: the server said 535 5\.7\.8 Authentication credentials invalid/, 15000);
      await sleep(3000);
      assert.equal(smtp.logins.length, 1, 'a refused login is not tried again');
      assert.equal(smtp.taken.length, 0);
      assert.ok(!bot.lines.some((l) => l.includes('wrong-one')), 'the password is never logged');
    } finally {
      await w.close();
      await smtp.close();
    }
  });

  test('a certificate from a CA warroom was not told to trust: no login is sent, the e-mail waits', async () => {
    const port = await freePort();
    // A plain simulator: SSL_CERT_FILE is unset, so the SMTP server's test CA is unknown.
    const w = await World.create({ config: secureConfig(`smtp://localhost:${port}`, 'warroom-bot') });
    const certs = await makeCerts(join(w.dir, 'smtp-certs'));
    const smtp = await startSmtp(port, { mode: 'starttls', certFile: certs.certFile, keyFile: certs.keyFile, login: 'warroom-bot:pw-7' });
    try {
      const bot = await w.start({ env: { WARROOM_SMTP_PASSWORD: 'pw-7' } });
      await declare(w, 'P1 Ledger is stale');
      await bot.waitForLog(/INC-1: e-mail to security@example\.com: smtp: .*certificate/i, 15000);
      await sleep(2000);
      assert.deepEqual(smtp.logins, [], 'no login over an unverified connection');
      assert.equal(smtp.taken.length, 0);
    } finally {
      await w.close();
      await smtp.close();
    }
  });
});
