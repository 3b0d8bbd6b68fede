/**
 * RevokeConsent at a fixed open-loop rate, or closed loop (rate 0: 32 in flight), against the built service without
 * Kafka: its user and system CPU per revocation from /proc (every thread), and each thread's share, for
 * docs/performance.md's "A request at a fixed rate". The figures the issue tracks come from the revocation-propagation
 * workload; this probe is for quick before/after comparisons of one change, run interleaved.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/profile/rate-cpu.ts 200 10
 *
 * With HEAPSAMPLE=1 and bench/profile/heap-sample.js preloaded, it also samples what the measured run allocates.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consentIdFor, pairKey } from '@ledger/domain';
import { secretsDirFor } from '../../test/support/ledger-app';
import { BENCH_HEADERS, settled, startLedger } from '../support/ledger';
import { seedTokens } from '../support/seed-tokens';

/** utime + stime of one thread (or of the process, for its main TID), in ms. */
const cpuMs = (path: string) => {
  const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
};
const threads = (pid: number) => new Map(readdirSync(`/proc/${pid}/task`).map((tid) => [tid === String(pid) ? 'main' : tid, cpuMs(`/proc/${pid}/task/${tid}/stat`)]));

async function main() {
  const rate = Number(process.argv[2] ?? 200);
  const seconds = Number(process.argv[3] ?? 10);
  const dataDir = join(mkdtempSync(join(tmpdir(), 'ledger-rate-')), 'data');
  await seedTokens(join(dataDir, 'events.db'), Math.max(rate * seconds + 3_000, 40_000), 1, undefined, { subjectKeysIn: secretsDirFor(dataDir) });
  const ledger = await startLedger(dataDir);
  while ((await fetch(`${ledger.url}/health/ready`)).status !== 200) await new Promise((r) => setTimeout(r, 200));
  // The relays' catch-up on the seeded log is not a revocation's cost (settled).
  await settled(ledger);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const latencies: number[] = [];
  const revoke = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const id = consentIdFor(pairKey(`bench-user-${next++}`, 'bench-app'), 1);
      const req = request(`${ledger.url}/v1/consents/${id}/revoke`, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...BENCH_HEADERS.commands } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? (latencies.push(performance.now() - started), resolve()) : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end('{}');
    });
  const openLoop = async (count: number) => {
    const t0 = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let k = 0; k < count; k++) {
      const wait = t0 + (k * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(revoke());
    }
    await Promise.all(inFlight);
    return count;
  };
  const closedLoop = async (ms: number) => {
    const end = performance.now() + ms;
    let done = 0;
    await Promise.all(Array.from({ length: 32 }, async () => { for (; performance.now() < end; done++) await revoke(); }));
    return done;
  };
  const run = (ms: number) => (rate === 0 ? closedLoop(ms) : openLoop((rate * ms) / 1000));
  await run(2_000);
  latencies.length = 0;
  const pid = ledger.child.pid!;
  // What the process spends with no request at all (timers, polls, GC of the warm-up): at a low rate this is part of
  // every revocation's share, and no change to the request path moves it.
  await new Promise((r) => setTimeout(r, 1_000));
  const idleFrom = threads(pid);
  await new Promise((r) => setTimeout(r, 3_000));
  const idleMsPerS = [...threads(pid)].reduce((sum, [tid, t]) => sum + t.user + t.system - (idleFrom.get(tid)?.user ?? 0) - (idleFrom.get(tid)?.system ?? 0), 0) / 3;
  // bench/profile/heap-sample.js, when it is preloaded: sample the allocations of the measured run only.
  if (process.env.HEAPSAMPLE) process.kill(pid, 'SIGUSR2');
  const before = threads(pid);
  const count = await run(seconds * 1000);
  const after = threads(pid);
  const total = { user: 0, system: 0 };
  const shares: Array<[string, number]> = [];
  for (const [tid, t] of after) {
    const was = before.get(tid) ?? { user: 0, system: 0 };
    total.user += t.user - was.user;
    total.system += t.system - was.system;
    shares.push([tid, t.user + t.system - was.user - was.system]);
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(2);
  process.stdout.write(
    `${rate === 0 ? `closed loop, ${Math.round(count / seconds)}/s` : `${rate}/s`}: CPU per revocation user ${(total.user / count).toFixed(3)} ms, system ${(total.system / count).toFixed(3)} ms; ` +
      `latency p50 ${q(0.5)} ms, p99 ${q(0.99)} ms; idle ${idleMsPerS.toFixed(1)} ms CPU/s\nthreads, ms over the run: ${JSON.stringify(shares.filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]))}\n`,
  );
  ledger.child.kill('SIGTERM');
  await new Promise((resolve) => ledger.child.once('exit', resolve));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
