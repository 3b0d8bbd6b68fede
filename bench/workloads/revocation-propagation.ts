import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { consentIdFor, pairKey } from '@ledger/domain';
import { KafkaBroker } from '../../test/support/kafka-broker';
import { spawnLedger } from '../../test/support/ledger-process';
import { seedTokens } from '../support/seed-tokens';
import { Workload } from '../workload';
import { BENCH_API_KEYS, BENCH_HEADERS, cpuMs } from './introspection';

const now = () => performance.timeOrigin + performance.now();

/**
 * The load generator shares the machine's two cores with the ledger, the broker and the consumer, so it uses plain
 * node:http over kept-alive connections: fetch() cost it about twice the CPU per request.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...BENCH_HEADERS.commands, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
/** 200/s as the issue asks; BENCH_REVOCATION_RATE overrides it to find the floor on a busy machine. */
const RATE = Number(process.env.BENCH_REVOCATION_RATE) || 200;

/**
 * How long a revocation takes to reach a resource service: RevokeConsent over HTTP at a steady 200/s against the
 * built service with Kafka on, and a kafkajs consumer in a separate process. Measured from the moment the HTTP
 * response to RevokeConsent arrives to the moment the consumer's eachMessage sees the record (same machine, one
 * clock: performance.timeOrigin + performance.now() in both processes). Negative values (the record arrived before
 * the HTTP answer) are kept as they are.
 */
export const revocationPropagation: Workload = {
  name: 'revocation-propagation',
  description: 'RevokeConsent over HTTP at a steady rate (200/s) -> Kafka -> consumer in another process: p50/p99 from HTTP response to receipt',
  async run(ctx) {
    const durationS = ctx.quick ? 3 : 10;
    // Long enough for both JITs (the ledger's V8 and the broker's JVM) to compile the hot paths before measuring.
    const warmup = ctx.quick ? 200 : 1000;
    const count = RATE * durationS;
    const dataDir = join(ctx.scratchDir, 'data');
    const topic = `bench-revocations-${randomUUID()}`;

    ctx.log('starting a Kafka broker');
    const broker = await KafkaBroker.start({ dataDir: join(ctx.scratchDir, 'kafka') });
    let consumer: ChildProcess | undefined;
    let ledger: Awaited<ReturnType<typeof spawnLedger>> | undefined;
    try {
      await seedTokens(join(dataDir, 'events.db'), warmup + count, 1);
      ledger = await spawnLedger({
        dataDir,
        env: { LEDGER_API_KEYS: BENCH_API_KEYS, LOG_LEVEL: 'warn', KAFKA_BROKERS: broker.brokers.join(','), KAFKA_REVOCATIONS_TOPIC: topic },
      });
      const started = Date.now();
      // Ready (the views caught up) and the publisher connected, its topic there: readiness alone does not wait for Kafka.
      const service = ledger;
      const up = async (path: string) => (await fetch(`${service.url}${path}`).catch(() => undefined))?.status === 200;
      while (!((await up('/health/ready')) && (await up('/health/publisher')))) {
        if (Date.now() - started > 60_000) throw new Error(`ledger not ready within 60 s:\n${ledger.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }

      const received = new Map<string, number>();
      const decidedAt = new Map<string, number>();
      consumer = fork(join(__dirname, 'revocation-propagation.consumer.ts'), [broker.brokers.join(','), topic], {
        execArgv: ['-r', 'ts-node/register/transpile-only'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      await new Promise<void>((resolve, reject) => {
        consumer!.once('exit', (code) => reject(new Error(`consumer exited with ${code}`)));
        consumer!.on('message', (m: { ready?: boolean; receipts?: Array<{ consentId: string; at: number; revokedAt: string }> }) => {
          if (m.ready) resolve();
          for (const r of m.receipts ?? []) {
            if (received.has(r.consentId)) continue;
            received.set(r.consentId, r.at);
            decidedAt.set(r.consentId, Date.parse(r.revokedAt));
          }
        });
      });

      const url = ledger.url;
      const consentId = (i: number) => consentIdFor(pairKey(`bench-user-${i}`, 'bench-app'), 1);
      const answered = new Map<string, number>();
      const sent = new Map<string, number>();
      let failures = 0;
      const revokeAtRate = async (from: number, n: number) => {
        const t0 = now();
        const inFlight: Promise<void>[] = [];
        for (let k = 0; k < n; k++) {
          const wait = t0 + (k * 1000) / RATE - now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          const id = consentId(from + k);
          sent.set(id, now());
          inFlight.push(
            post(`${url}/v1/consents/${id}/revoke`, '{}').then((status) => {
              answered.set(id, now());
              if (status !== 200) failures += 1;
            }),
          );
        }
        await Promise.all(inFlight);
      };
      const waitForAll = async (ids: string[]) => {
        const deadline = Date.now() + 60_000;
        while (ids.some((id) => !received.has(id))) {
          if (Date.now() > deadline) throw new Error(`${ids.filter((id) => !received.has(id)).length} revocations never reached the consumer`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };

      ctx.log(`warm-up: ${warmup} revocations`);
      await revokeAtRate(0, warmup);
      await waitForAll(Array.from({ length: warmup }, (_, i) => consentId(i)));

      ctx.log(`measuring: ${count} revocations at ${RATE}/s`);
      const cpuBefore = cpuMs(ledger.child.pid!);
      await revokeAtRate(warmup, count);
      const ids = Array.from({ length: count }, (_, i) => consentId(warmup + i));
      await waitForAll(ids);
      const cpuPerRevocation = (cpuMs(ledger.child.pid!) - cpuBefore) / count;
      const fromResponse = ids.map((id) => received.get(id)! - answered.get(id)!).sort((a, b) => a - b);
      const fromRequest = ids.map((id) => received.get(id)! - sent.get(id)!).sort((a, b) => a - b);
      // revokedAt is the command's clock reading in the ledger (ms resolution), before the append: this isolates
      // append + publish + Kafka + consumer from the HTTP answer's own path.
      const fromDecision = ids.map((id) => received.get(id)! - decidedAt.get(id)!).sort((a, b) => a - b);
      const httpMs = ids.map((id) => answered.get(id)! - sent.get(id)!).sort((a, b) => a - b);
      const q = (xs: number[], p: number) => Math.round(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] * 10) / 10;
      ctx.log(`decided->receipt p50 ${q(fromDecision, 0.5)} ms, p99 ${q(fromDecision, 0.99)} ms; HTTP p50 ${q(httpMs, 0.5)} ms, p99 ${q(httpMs, 0.99)} ms`);
      ctx.log(`ledger CPU ${cpuPerRevocation.toFixed(2)} ms per revocation`);
      ctx.log(`response->receipt p50 ${q(fromResponse, 0.5)} ms, p99 ${q(fromResponse, 0.99)} ms, max ${q(fromResponse, 1)} ms; failures ${failures}`);
      return {
        workload: 'revocation-propagation',
        figures: [
          { name: 'HTTP response -> consumer p50', value: q(fromResponse, 0.5), unit: 'ms' },
          { name: 'HTTP response -> consumer p99', value: q(fromResponse, 0.99), unit: 'ms', target: { value: 25, higher: false } },
          { name: 'HTTP request -> consumer p99', value: q(fromRequest, 0.99), unit: 'ms' },
          { name: 'RevokeConsent decided -> consumer p50', value: q(fromDecision, 0.5), unit: 'ms' },
          { name: 'RevokeConsent decided -> consumer p99', value: q(fromDecision, 0.99), unit: 'ms' },
          { name: 'RevokeConsent HTTP p50', value: q(httpMs, 0.5), unit: 'ms' },
          { name: 'RevokeConsent HTTP p99', value: q(httpMs, 0.99), unit: 'ms' },
          { name: 'ledger CPU per revocation', value: Math.round(cpuPerRevocation * 100) / 100, unit: 'ms' },
        ],
        notes: {
          revocations: count,
          ratePerSecond: RATE,
          durationS,
          failures,
          max: q(fromResponse, 1),
          min: q(fromResponse, 0),
          arrivedBeforeResponse: fromResponse.filter((x) => x < 0).length,
        },
      };
    } finally {
      agent.destroy();
      consumer?.send({ stop: true });
      consumer?.kill();
      await ledger?.stop();
      await broker.destroy();
    }
  },
};
