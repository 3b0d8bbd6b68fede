import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { consentIdFor, pairKey } from '@ledger/domain';
import { spawnLedger } from '../../test/support/ledger-process';
import { spawnSseClients } from '../../test/support/spawn-sse-clients';
import { seedTokens } from '../support/seed-tokens';
import { Figure, Workload } from '../workload';
import { BENCH_API_KEYS, BENCH_HEADERS } from './introspection';

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
const rssMiB = (pid: number) => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
/** Revocations per second while measuring: steady traffic, not a burst, so that p99 is a delivery figure. */
const RATE = 50;
/** The audit export says which position each revocation got, and when it was decided. */
const AUDIT_KEY = 'bench-audit:audit:bench-audit-secret-0123456789';
const AUDIT_HEADERS = { authorization: 'Bearer bench-audit-secret-0123456789' };

/**
 * The SSE revocation feed with a large audience: the built service (production heap) and N SSE clients in another
 * process (test/support/sse-clients.ts), RevokeConsent over HTTP at a steady 50/s. Latency is per delivery (every
 * revocation to every subscriber), from the revocation's `revokedAt` (the ledger's clock when it decided, the same
 * machine's clock as the clients') to the client reading it off its socket. RSS growth is the service's, from ready
 * without streams to the largest sample while the streams are open and the revocations flow.
 */
export const sseFanOut: Workload = {
  name: 'sse-fan-out',
  description: 'GET /v1/revocations/stream with 1,000 and 5,000 subscribers in another process; RevokeConsent at 50/s: p99 revocation -> SSE delivery, RSS growth',
  async run(ctx) {
    const sizes = ctx.quick ? [100, 500] : [1000, 5000];
    const count = ctx.quick ? 50 : 250;
    const figures: Figure[] = [];
    const notes: Record<string, unknown> = { ratePerSecond: RATE, revocationsPerSize: count };
    for (const [run, subscribers] of sizes.entries()) {
      const dataDir = join(ctx.scratchDir, `data-${subscribers}`);
      await seedTokens(join(dataDir, 'events.db'), count, 1);
      const ledger = await spawnLedger({
        dataDir,
        env: { LEDGER_API_KEYS: `${BENCH_API_KEYS},${AUDIT_KEY}`, LOG_LEVEL: 'warn', LEDGER_SSE_MAX_PER_CALLER: String(subscribers), LEDGER_SSE_MAX_TOTAL: String(subscribers) },
      });
      const clients = await spawnSseClients({ stamp: true });
      try {
        while ((await call(`${ledger.url}/health/ready`, 'GET', {})).status !== 200) await new Promise((r) => setTimeout(r, 100));
        const pid = ledger.child.pid!;
        const rssIdle = rssMiB(pid);
        let rssPeak = rssIdle;
        const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(pid))), 100);
        ctx.log(`${subscribers} subscribers: opening`);
        const statuses = await clients.open({ url: `${ledger.url}/v1/revocations/stream`, headers: BENCH_HEADERS.introspect, count: subscribers });
        if (statuses[200] !== subscribers) throw new Error(`streams answered ${JSON.stringify(statuses)}`);
        ctx.log(`${subscribers} subscribers: ${count} revocations at ${RATE}/s`);
        const t0 = now();
        const answers: Promise<unknown>[] = [];
        for (let i = 0; i < count; i++) {
          const wait = t0 + (i * 1000) / RATE - now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          const id = consentIdFor(pairKey(`bench-user-${i}`, 'bench-app'), 1);
          answers.push(call(`${ledger.url}/v1/consents/${id}/revoke`, 'POST', { ...BENCH_HEADERS.commands, 'content-type': 'application/json' }, '{}'));
        }
        await Promise.all(answers);
        const exported = (await call(`${ledger.url}/v1/audit/events`, 'GET', AUDIT_HEADERS)).text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
        const revoked = exported.filter((e) => e.type === 'ConsentRevoked');
        const since = Object.fromEntries(revoked.map((e) => [e.position, Date.parse(e.data.revokedAt)]));
        const expected = revoked.map((e) => e.position as number);
        let report = await clients.report(expected, since);
        for (let i = 0; report.complete < subscribers && i < 240; i++) {
          await new Promise((r) => setTimeout(r, 250));
          report = await clients.report(expected, since);
        }
        clearInterval(sampler);
        rssPeak = Math.max(rssPeak, rssMiB(pid));
        if (report.complete < subscribers) throw new Error(`${report.incompleteCount} subscribers incomplete, dropped ${JSON.stringify(report.dropped)}`);
        const full = !ctx.quick;
        const growth = Math.round(rssPeak - rssIdle);
        ctx.log(`${subscribers} subscribers: p50 ${report.latency!.p50} ms, p99 ${report.latency!.p99} ms, max ${report.latency!.max} ms; RSS ${rssIdle.toFixed(0)} -> peak ${rssPeak.toFixed(0)} MiB`);
        figures.push(
          { name: `revoked -> SSE delivery p50, ${subscribers} subscribers`, value: report.latency!.p50, unit: 'ms' },
          { name: `revoked -> SSE delivery p99, ${subscribers} subscribers`, value: report.latency!.p99, unit: 'ms', ...(full ? { target: { value: run === 0 ? 50 : 150, higher: false } } : {}) },
          { name: `RSS growth, ${subscribers} subscribers`, value: growth, unit: 'MiB', target: { value: 150, higher: false } },
          // Same-run limit: a prompt subscriber is never dropped.
          { name: `dropped subscribers, ${subscribers}`, value: Object.values(report.dropped).reduce((a, b) => a + b, 0), unit: '', target: { value: 0, higher: false } },
        );
        notes[`subscribers${subscribers}`] = { deliveries: report.latency!.samples, max: report.latency!.max, rssIdleMiB: Math.round(rssIdle), rssPeakMiB: Math.round(rssPeak) };
      } finally {
        await clients.stop();
        await ledger.stop();
      }
    }
    agent.destroy();
    return { workload: 'sse-fan-out', figures, notes };
  },
};
