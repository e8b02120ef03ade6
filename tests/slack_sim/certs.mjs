// Test certificates for the simulator's TLS mode, made with the openssl CLI exactly as verified in
// docs/slack-transport-notes.md §2: an EC P-256 CA, a leaf for localhost/127.0.0.1 and a leaf for
// wrong.invalid signed by the same CA (a client that trusts the CA must still reject it by name).
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// The file names inside `dir`; a process that trusts an existing CA (NODE_EXTRA_CA_CERTS is read once at
// start-up) must reuse these files rather than regenerate them.
export function certFiles(dir) {
  return {
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
    wrongHostCertFile: join(dir, 'wrong-host.pem'),
    wrongHostKeyFile: join(dir, 'wrong-host.key'),
  };
}

async function openssl(args, cwd) {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    throw new Error(`openssl ${args[0]} failed: ${err.stderr || err.message}`);
  }
}

async function makeLeaf(dir, name, cn, san) {
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`,
    '-addext', `subjectAltName=${san}`, '-addext', 'extendedKeyUsage=serverAuth'], dir);
  // -copy_extensions (OpenSSL >= 3.0) carries the SAN from the CSR into the certificate.
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key',
    '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-copy_extensions', 'copyall'], dir);
}

export async function makeCerts(dir) {
  await mkdir(dir, { recursive: true });
  await openssl(['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=warroom-sim test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await makeLeaf(dir, 'server', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  await makeLeaf(dir, 'wrong-host', 'wrong.invalid', 'DNS:wrong.invalid');
  return certFiles(dir);
}
