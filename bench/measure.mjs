// What the benchmarks read off a process and the machine: /proc figures of a bot process, the
// machine's description, a disk probe, and nearest-rank percentiles. Shared by slack_load.mjs and
// reminders.mjs so both report the same figures the same way.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, openSync, writeSync, fdatasyncSync, closeSync, rmSync } from 'node:fs';
import { tmpdir, release, cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export function statusKb(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime (14), stime (15)
}

// Time the process's threads spent runnable but waiting for a CPU (run_delay in schedstat), seconds.
export function runQueueSeconds(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try { ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]); } catch { /* gone */ }
  }
  return ns / 1e9;
}

export function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  let fs = '';
  try {
    fs = execFileSync('df', ['-PT', tmpdir()]).toString().trim().split('\n').pop().split(/\s+/).slice(0, 2).join(' ');
  } catch { /* df missing: the temp dir's path is shown instead */ }
  return {
    nproc: Number(execFileSync('nproc').toString().trim()), cpu: model, kernel: release(), node: process.version,
    loadavg: loadavg().map((x) => Number(x.toFixed(2))), storeFs: fs,
  };
}

export function pct(values, p) { // nearest rank
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

// How long a 4 KiB append + fdatasync takes in `dir` right now (median of 30, ms): warroom commits to
// SQLite with synchronous=FULL, so its pace follows the disk's, which other processes on the machine share.
export function fsyncProbe(dir) {
  const file = join(dir, 'fsync-probe');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const times = [];
  try {
    for (let k = 0; k < 30; k++) {
      const start = process.hrtime.bigint();
      writeSync(fd, block);
      fdatasyncSync(fd);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return pct(times, 50);
}
