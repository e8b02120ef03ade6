// Runs the simulator as its own process for manual use and for the C++ test harness:
//   node tests/slack_sim/main.mjs --tls --port 0
// prints ONE JSON line {apiUrl, port, caFile, appToken, botToken, ...} on stdout and serves until
// SIGINT/SIGTERM (or until stdin closes, with --exit-on-stdin-close). The /_sim/ control API is on.
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.mjs';

const { values } = parseArgs({
  options: {
    tls: { type: 'boolean', default: false },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'ack-timeout-ms': { type: 'string' },
    'ping-interval-ms': { type: 'string' },
    'redelivery-delays-ms': { type: 'string' }, // comma list, e.g. 0,1000,5000
    'rate-limit-scale': { type: 'string' },
    'no-rate-limits': { type: 'boolean', default: false },
    'emit-events': { type: 'boolean', default: false },
    'exit-on-stdin-close': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('usage: node main.mjs [--tls] [--host IPv4] [--port N] [--ack-timeout-ms N] [--ping-interval-ms N]\n'
    + '  [--redelivery-delays-ms a,b,c] [--rate-limit-scale X | --no-rate-limits] [--emit-events]\n'
    + '  [--exit-on-stdin-close]');
  process.exit(0);
}

const number = (name) => (values[name] === undefined ? undefined : Number(values[name]));
const options = { tls: values.tls, host: values.host, port: Number(values.port), controlApi: true, emitEvents: values['emit-events'] };
if (values['ack-timeout-ms']) options.ackTimeoutMs = number('ack-timeout-ms');
if (values['ping-interval-ms']) options.pingIntervalMs = number('ping-interval-ms');
if (values['redelivery-delays-ms']) options.redeliveryDelaysMs = values['redelivery-delays-ms'].split(',').map(Number);
if (values['rate-limit-scale']) options.rateLimits = { scale: number('rate-limit-scale') };
if (values['no-rate-limits']) options.rateLimits = false;

const sim = await startSimulator(options);
process.stdout.write(`${JSON.stringify({
  apiUrl: sim.apiUrl, port: sim.port, caFile: sim.caFile ?? null, appToken: sim.appToken, botToken: sim.botToken,
  botUserId: sim.botUserId, botId: sim.botId, teamId: sim.teamId, appId: sim.appId,
  controlUrl: `${sim.baseUrl}/_sim/`,
})}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await sim.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (values['exit-on-stdin-close']) {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
