import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { consentIdFor, pairKey } from '@ledger/domain';
import { spawnSseClients } from '../../test/support/spawn-sse-clients';
import { BENCH_HEADERS, ledgerCpuMs, startLedger } from '../support/ledger';
import { seedTokens } from '../support/seed-tokens';
import { loadAverage, round } from '../support/stats';
import { Figure, Workload } from '../workload';

const now = () => performance.timeOrigin + performance.now();
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
function call(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
/** The service's RSS; NaN once it has gone (a sampler tick may outlive it), which Math.max then ignores. */
const rssMiB = (pid: number) => {
  try {
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return Number.NaN;
  }
};
const peak = (a: number, b: number) => (Number.isNaN(b) ? a : Math.max(a, b));
/** Revocations per second while measuring: steady traffic, not a burst, so that p99 is a delivery figure. */
const RATE = 50;

/**
 * The SSE revocation feed with a large audience: the built service (production heap) and N SSE clients in another
 * process (test/support/sse-clients.ts), RevokeConsent over HTTP at a steady 50/s. Latency is per delivery (every
 * revocation to every subscriber), from the revocation's `revokedAt` (the ledger's clock when it decided, the same
 * machine's clock as the clients') to the client reading it off its socket. RSS growth is the service's, from ready
 * without streams to the largest sample while the streams are open and the revocations flow. Rounds of revocations
 * over the same open streams; no same-run limit (a prompt subscriber dropped is the failure, and the targets are
 * the issue's absolute ones).
 */
export const sseFanOut: Workload = {
  name: 'sse-fan-out',
  description: 'GET /v1/revocations/stream with 1,000 and 5,000 subscribers in another process; RevokeConsent at 50/s: p99 revocation -> SSE delivery, RSS growth',
  async run(ctx) {
    const sizes = ctx.quick ? [100, 500] : [1000, 5000];
    const count = ctx.quick ? 50 : 250;
    const figures: Figure[] = [];
    const notes: Record<string, unknown> = { ratePerSecond: RATE, revocationsPerRound: count };
    for (const [run, subscribers] of sizes.entries()) {
      const dataDir = join(ctx.scratchDir, `data-${subscribers}`, 'data');
      await seedTokens(join(dataDir, 'events.db'), count * ctx.rounds, 1);
      // Every subscriber holds a connection: the default cap (LEDGER_MAX_CONNECTIONS, 4096) would refuse the 5,000th.
      const ledger = await startLedger(dataDir, { LEDGER_SSE_MAX_PER_CALLER: String(subscribers), LEDGER_SSE_MAX_TOTAL: String(subscribers), LEDGER_MAX_CONNECTIONS: String(subscribers + 256) });
      const clients = await spawnSseClients({ stamp: true });
      const pid = ledger.child.pid!;
      const rssIdle = rssMiB(pid);
      let rssPeak = rssIdle;
      const sampler = setInterval(() => (rssPeak = peak(rssPeak, rssMiB(pid))), 100);
      try {
        ctx.log(`${subscribers} subscribers: opening`);
        const statuses = await clients.open({ url: `${ledger.url}/v1/revocations/stream`, headers: BENCH_HEADERS.introspect, count: subscribers });
        if (statuses[200] !== subscribers) throw new Error(`streams answered ${JSON.stringify(statuses)}`);
        const loads: number[] = [];
        const p50: number[] = [];
        const p99: number[] = [];
        const dropped: number[] = [];
        const expected: number[] = [];
        const deliveries: number[] = [];
        const ledgerCpu: number[] = [];
        const clientsCpu: number[] = [];
        for (let r = 0; r < ctx.rounds; r++) {
          loads.push(loadAverage());
          ctx.log(`${subscribers} subscribers, round ${r + 1}/${ctx.rounds} (load ${loads[r]}): ${count} revocations at ${RATE}/s`);
          const cpuBefore = await ledgerCpuMs(ledger);
          const clientsBefore = await clients.cpuMs();
          const t0 = now();
          const answers: Promise<unknown>[] = [];
          for (let i = 0; i < count; i++) {
            const wait = t0 + (i * 1000) / RATE - now();
            if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
            const id = consentIdFor(pairKey(`bench-user-${r * count + i}`, 'bench-app'), 1);
            answers.push(call(`${ledger.url}/v1/consents/${id}/revoke`, 'POST', { ...BENCH_HEADERS.commands, 'content-type': 'application/json' }, '{}'));
          }
          await Promise.all(answers);
          // The audit export says which position each revocation got, and when it was decided.
          const exported = (await call(`${ledger.url}/v1/audit/events`, 'GET', BENCH_HEADERS.audit)).text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
          const revoked = exported.filter((e) => e.type === 'ConsentRevoked' && !expected.includes(e.position));
          expected.push(...revoked.map((e) => e.position as number));
          // Latency over this round's revocations only; completeness over every one so far.
          const since = Object.fromEntries(revoked.map((e) => [e.position, Date.parse(e.data.revokedAt)]));
          let report = await clients.report(expected);
          for (let i = 0; report.complete < subscribers && i < 240; i++) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            report = await clients.report(expected);
          }
          // Read before the latencies are folded (a sort of every delivery, which is the report's cost, not theirs).
          const clientsCpuMs = await clients.cpuMs();
          if (report.complete === subscribers) report = await clients.report(expected, since);
          // The ledger's CPU per revocation: the RevokeConsent request and its fan-out to every subscriber.
          ledgerCpu.push(round(((await ledgerCpuMs(ledger)) - cpuBefore) / count, 3));
          clientsCpu.push(round(((clientsCpuMs - clientsBefore) * 1000) / (count * subscribers), 2));
          if (report.complete < subscribers) throw new Error(`${report.incompleteCount} subscribers incomplete, dropped ${JSON.stringify(report.dropped)}`);
          ctx.log(`${subscribers} subscribers: p50 ${report.latency!.p50} ms, p99 ${report.latency!.p99} ms, max ${report.latency!.max} ms; ledger CPU ${ledgerCpu[r]} ms per revocation, clients ${clientsCpu[r]} µs per delivery`);
          p50.push(report.latency!.p50);
          p99.push(report.latency!.p99);
          deliveries.push(report.latency!.samples);
          dropped.push(Object.values(report.dropped).reduce((a, b) => a + b, 0));
        }
        rssPeak = peak(rssPeak, rssMiB(pid));
        const full = !ctx.quick;
        const growth = Math.round(rssPeak - rssIdle);
        ctx.log(`${subscribers} subscribers: RSS ${rssIdle.toFixed(0)} -> peak ${rssPeak.toFixed(0)} MiB`);
        figures.push(
          { name: `revoked -> SSE delivery p50, ${subscribers} subscribers`, unit: 'ms', ledger: p50, load: loads },
          { name: `revoked -> SSE delivery p99, ${subscribers} subscribers`, unit: 'ms', ledger: p99, ...(full ? { target: { of: 'value' as const, value: run === 0 ? 50 : 150, higher: false } } : {}), load: loads },
          { name: `ledger CPU per revocation (request and fan-out), ${subscribers} subscribers`, unit: 'ms', ledger: ledgerCpu, load: loads },
          { name: `SSE clients' CPU per delivery (the other process), ${subscribers} subscribers`, unit: 'µs', ledger: clientsCpu, load: loads },
          { name: `RSS growth, ${subscribers} subscribers`, unit: 'MiB', ledger: [growth], target: { of: 'value', value: 150, higher: false }, load: [loads[0]] },
          // A prompt subscriber is never dropped.
          { name: `dropped subscribers, ${subscribers}`, unit: '', ledger: dropped, target: { of: 'value', value: 0, higher: false }, load: loads },
        );
        notes[`subscribers${subscribers}`] = { deliveries, rssIdleMiB: Math.round(rssIdle), rssPeakMiB: Math.round(rssPeak) };
      } finally {
        clearInterval(sampler);
        await clients.stop();
        await ledger.stop();
      }
    }
    agent.destroy();
    return {
      workload: 'sse-fan-out',
      shape:
        `N SSE subscribers in one other process; RevokeConsent at a steady ${RATE}/s, ${count} per round, rounds over the same open streams; ` +
        'latency per delivery from revokedAt (the ledger\'s clock) to the client reading it; CPU: the ledger\'s own from /metrics per revocation, and the clients\' process per delivery; loss: every subscriber must hold every revocation, in order',
      figures,
      notes,
    };
  },
};
