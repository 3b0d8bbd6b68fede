import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { consentIdFor, pairKey } from '@ledger/domain';
import { spawnSseClients } from '../../test/support/spawn-sse-clients';
import { BENCH_HEADERS, ledgerCpuMs, startLedger } from '../support/ledger';
import { seedTokens } from '../support/seed-tokens';
import { startLimit } from '../support/limit-process';
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
const BARE = 'bare node:http writing the same frames to as many subscribers';

interface Revoked {
  position: number;
  revokedAt: string;
}
/** One side of a round: the ledger, or the bare fan-out limit, each with its own subscribers in a process of their own. */
interface Side {
  clients: Awaited<ReturnType<typeof spawnSseClients>>;
  /** Every position its subscribers must hold, in order: what earlier rounds delivered. */
  expected: number[];
  revoke(k: number): Promise<void>;
  /** Every revocation so far, with its position and revokedAt. */
  revoked(): Promise<Revoked[]>;
}

/**
 * `count` revocations at RATE/s on one side, then every subscriber must hold every revocation so far, in order; the
 * report folds this round's deliveries from each revocation's revokedAt. `beforeFold` runs once all have arrived.
 */
async function deliverRound(side: Side, r: number, count: number, subscribers: number, beforeFold?: () => Promise<void>) {
  const t0 = now();
  const answers: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / RATE - now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    answers.push(side.revoke(r * count + i));
  }
  await Promise.all(answers);
  const revoked = (await side.revoked()).filter((e) => !side.expected.includes(e.position));
  side.expected.push(...revoked.map((e) => e.position));
  // Latency over this round's revocations only; completeness over every one so far.
  const since = Object.fromEntries(revoked.map((e) => [e.position, Date.parse(e.revokedAt)]));
  let report = await side.clients.report(side.expected);
  for (let i = 0; report.complete < subscribers && i < 240; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    report = await side.clients.report(side.expected);
  }
  await beforeFold?.();
  if (report.complete < subscribers) throw new Error(`${report.incompleteCount} subscribers incomplete, dropped ${JSON.stringify(report.dropped)}`);
  return side.clients.report(side.expected, since);
}

/**
 * The SSE revocation feed with a large audience: the built service (production heap) and N SSE clients in another
 * process (test/support/sse-clients.ts), RevokeConsent over HTTP at a steady 50/s. Latency is per delivery (every
 * revocation to every subscriber), from the revocation's `revokedAt` (the ledger's clock when it decided, the same
 * machine's clock as the clients') to the client reading it off its socket. RSS growth is the service's, from ready
 * without streams to the largest sample while the streams are open and the revocations flow. Rounds of revocations
 * over the same open streams. The same-run limit (bare-sse-server.ts) writes the same frames at the same rate to as
 * many subscribers of its own, in a clients process of their own, each of its rounds right before the ledger's: the
 * delivery that no fan-out on this machine beats. The targets are the issue's absolute ones; the ratio says how much
 * of a figure is the ledger's.
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
      // The limit and its own subscribers, in processes of their own as the ledger and its subscribers are.
      const bare = await startLimit(join(__dirname, '..', 'support', 'bare-sse-server.ts'), []);
      const bareClients = await spawnSseClients({ stamp: true });
      const pid = ledger.child.pid!;
      const rssIdle = rssMiB(pid);
      let rssPeak = rssIdle;
      const sampler = setInterval(() => (rssPeak = peak(rssPeak, rssMiB(pid))), 100);
      try {
        ctx.log(`${subscribers} subscribers: opening`);
        const statuses = await clients.open({ url: `${ledger.url}/v1/revocations/stream`, headers: BENCH_HEADERS.introspect, count: subscribers });
        if (statuses[200] !== subscribers) throw new Error(`streams answered ${JSON.stringify(statuses)}`);
        const bareStatuses = await bareClients.open({ url: `${bare.ready.url}/v1/revocations/stream`, headers: {}, count: subscribers });
        if (bareStatuses[200] !== subscribers) throw new Error(`bare streams answered ${JSON.stringify(bareStatuses)}`);
        const loads: number[] = [];
        const p50: number[] = [];
        const p99: number[] = [];
        const limitP50: number[] = [];
        const limitP99: number[] = [];
        const dropped: number[] = [];
        const deliveries: number[] = [];
        const ledgerCpu: number[] = [];
        const clientsCpu: number[] = [];
        const ledgerSide: Side = {
          clients,
          expected: [],
          revoke: async (k) => void (await call(`${ledger.url}/v1/consents/${consentIdFor(pairKey(`bench-user-${k}`, 'bench-app'), 1)}/revoke`, 'POST', { ...BENCH_HEADERS.commands, 'content-type': 'application/json' }, '{}')),
          // The audit export says which position each revocation got, and when it was decided.
          revoked: async () =>
            (await call(`${ledger.url}/v1/audit/events`, 'GET', BENCH_HEADERS.audit)).text
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l))
              .filter((e) => e.type === 'ConsentRevoked')
              .map((e) => ({ position: e.position as number, revokedAt: e.data.revokedAt as string })),
        };
        const bareAnswers: Revoked[] = [];
        const bareSide: Side = {
          clients: bareClients,
          expected: [],
          revoke: async (k) => void bareAnswers.push(JSON.parse((await call(`${bare.ready.url}/revoke/cns_${k}_1`, 'POST', {}, '{}')).text)),
          revoked: async () => bareAnswers,
        };
        for (let r = 0; r < ctx.rounds; r++) {
          loads.push(loadAverage());
          ctx.log(`${subscribers} subscribers, round ${r + 1}/${ctx.rounds} (load ${loads[r]}): ${count} revocations at ${RATE}/s, bare fan-out then ledger`);
          const limitReport = await deliverRound(bareSide, r, count, subscribers);
          limitP50.push(limitReport.latency!.p50);
          limitP99.push(limitReport.latency!.p99);
          const cpuBefore = await ledgerCpuMs(ledger);
          const clientsBefore = await clients.cpuMs();
          const report = await deliverRound(ledgerSide, r, count, subscribers, async () => {
            // Read before the latencies are folded (a sort of every delivery, which is the report's cost, not theirs).
            clientsCpu.push(round((((await clients.cpuMs()) - clientsBefore) * 1000) / (count * subscribers), 2));
          });
          // The ledger's CPU per revocation: the RevokeConsent request and its fan-out to every subscriber.
          ledgerCpu.push(round(((await ledgerCpuMs(ledger)) - cpuBefore) / count, 3));
          ctx.log(`${subscribers} subscribers: p50 ${report.latency!.p50} ms, p99 ${report.latency!.p99} ms, max ${report.latency!.max} ms (bare fan-out p99 ${limitReport.latency!.p99} ms); ledger CPU ${ledgerCpu[r]} ms per revocation, clients ${clientsCpu[r]} µs per delivery`);
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
          { name: `revoked -> SSE delivery p50, ${subscribers} subscribers`, unit: 'ms', ledger: p50, limit: { name: BARE, values: limitP50 }, ratio: 'x', load: loads },
          { name: `revoked -> SSE delivery p99, ${subscribers} subscribers`, unit: 'ms', ledger: p99, limit: { name: BARE, values: limitP99 }, ratio: 'x', ...(full ? { target: { of: 'value' as const, value: run === 0 ? 50 : 150, higher: false } } : {}), load: loads },
          { name: `ledger CPU per revocation (request and fan-out), ${subscribers} subscribers`, unit: 'ms', ledger: ledgerCpu, load: loads },
          { name: `SSE clients' CPU per delivery (the other process), ${subscribers} subscribers`, unit: 'µs', ledger: clientsCpu, load: loads },
          { name: `RSS growth, ${subscribers} subscribers`, unit: 'MiB', ledger: [growth], target: { of: 'value', value: 150, higher: false }, load: [loads[0]] },
          // A prompt subscriber is never dropped.
          { name: `dropped subscribers, ${subscribers}`, unit: '', ledger: dropped, target: { of: 'value', value: 0, higher: false }, load: loads },
        );
        notes[`subscribers${subscribers}`] = { deliveries, rssIdleMiB: Math.round(rssIdle), rssPeakMiB: Math.round(rssPeak) };
      } finally {
        clearInterval(sampler);
        await bareClients.stop();
        await bare.stop();
        await clients.stop();
        await ledger.stop();
      }
    }
    agent.destroy();
    return {
      workload: 'sse-fan-out',
      shape:
        `N SSE subscribers in one other process; RevokeConsent at a steady ${RATE}/s, ${count} per round, rounds over the same open streams, each after a round of the bare fan-out (the same frames at the same rate to N subscribers of its own); ` +
        'latency per delivery from revokedAt (the ledger\'s clock) to the client reading it; CPU: the ledger\'s own from /metrics per revocation, and the clients\' process per delivery; loss: every subscriber must hold every revocation, in order',
      figures,
      notes,
    };
  },
};
