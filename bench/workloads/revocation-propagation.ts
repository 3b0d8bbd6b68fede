import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { consentIdFor, pairKey } from '@ledger/domain';
import { KafkaBroker } from '../../test/support/kafka-broker';
import { secretsDirFor } from '../../test/support/ledger-app';
import { LedgerProcess } from '../../test/support/ledger-process';
import { BENCH_HEADERS, ledgerCpuMs, startLedger } from '../support/ledger';
import { LimitProcess, startLimit } from '../support/limit-process';
import { interleaved } from '../support/rounds';
import { seedTokens } from '../support/seed-tokens';
import { quantile, round } from '../support/stats';
import { Figure, Workload } from '../workload';

const now = () => performance.timeOrigin + performance.now();
/** The two rates, and the p99 each must meet from the request to the consumer. */
const RATES = [
  { rate: 200, targetMs: 10 },
  { rate: 1_000, targetMs: 40 },
];

/**
 * The load generator shares the machine's two cores with the ledger, the broker and the consumer, so it uses plain
 * node:http over kept-alive connections: fetch() cost it about twice the CPU per request. A fresh agent per round:
 * the ledger closes a connection idle for 5 s (the limit's round lies between two of the ledger's), and a request
 * sent on a socket the server is closing fails with ECONNRESET.
 */
function post(agent: Agent, url: string, body: string): Promise<number> {
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

/**
 * `n` requests at `rate`/s, open loop: request k is sent at t0 + k / rate (or as soon after as the loop gets to it),
 * on a fresh kept-alive agent, without waiting for earlier answers. Throws unless every answer had status `ok`.
 */
async function openLoop(rate: number, n: number, ok: number, what: string, send: (agent: Agent, k: number, at: number) => Promise<number>): Promise<void> {
  const t0 = now();
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let failures = 0;
  const inFlight: Promise<void>[] = [];
  for (let k = 0; k < n; k++) {
    const at = t0 + (k * 1000) / rate;
    const wait = at - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send(agent, k, at).then((status) => void (status !== ok && failures++), () => void failures++));
  }
  await Promise.all(inFlight);
  agent.destroy();
  if (failures > 0) throw new Error(`${failures} ${what} requests failed`);
}

/** Per revocation, ms. Open loop: each request has a scheduled time, t0 + k / rate, whenever it is really sent. */
interface Round {
  /** Scheduled -> the consumer's eachMessage: the headline, load generator's own lateness included (as wrk2 does). */
  fromRequest: number[];
  /** Scheduled -> handed to node:http (or to the bare producer): the load generator's own lateness. */
  late: number[];
  /** Scheduled -> HTTP answer: the revocation acknowledged (appended, synced, in this instance's views). */
  httpMs: number[];
  /** HTTP answer -> the consumer (ledger), or handed to the producer -> the consumer (bare producer). */
  fromResponse: number[];
  cpuPerRevocation: number;
}

/**
 * How long a revocation takes to reach a resource service: RevokeConsent over HTTP at a steady rate against the
 * built service with Kafka on, and a kafkajs consumer in a separate process, at 200/s and at 1,000/s in interleaved
 * rounds. Measured from the moment the request is sent (and, as information, from its HTTP response) to the moment
 * the consumer's eachMessage sees the record (one machine, one clock: performance.timeOrigin + performance.now()
 * in every process). The same-run limit: a bare kafkajs producer (revocation-propagation.producer.ts) sending the
 * same records at the same rate to the same topic and consumer, right before each ledger round.
 */
export const revocationPropagation: Workload = {
  name: 'revocation-propagation',
  description: 'RevokeConsent over HTTP at 200/s and 1,000/s -> Kafka -> consumer in another process, vs a bare kafkajs producer at the same rate',
  async run(ctx) {
    const durationS = ctx.quick ? 3 : 10;
    // Long enough for both JITs (the ledger's V8 and the broker's JVM) to compile the hot paths before measuring.
    const warmup = ctx.quick ? 200 : 1000;
    const perRound = RATES.reduce((n, r) => n + r.rate * durationS, 0);
    const dataDir = join(ctx.scratchDir, 'data');
    const topic = `bench-revocations-${randomUUID()}`;

    ctx.log('starting a Kafka broker');
    const broker = await KafkaBroker.start({ dataDir: join(ctx.scratchDir, 'kafka') });
    let consumer: ChildProcess | undefined;
    let producer: LimitProcess | undefined;
    let fsyncLimit: LimitProcess | undefined;
    let routeLimit: LimitProcess | undefined;
    let ledger: LedgerProcess | undefined;
    try {
      // Sealed under subject keys in the ledger's secrets directory, as GrantConsent seals them: a revocation then finds
      // its user's key, as in production, instead of creating one (a key-store write and a second fsync per request).
      await seedTokens(join(dataDir, 'events.db'), warmup + ctx.rounds * perRound, 1, undefined, { subjectKeysIn: secretsDirFor(dataDir) });
      ledger = await startLedger(dataDir, { KAFKA_BROKERS: broker.brokers.join(','), KAFKA_REVOCATIONS_TOPIC: topic });
      const service = ledger;
      // Ready means the views caught up; the publisher (connected, its topic there) is a probe of its own.
      const started = Date.now();
      while ((await fetch(`${service.url}/health/publisher`).catch(() => undefined))?.status !== 200) {
        if (Date.now() - started > 60_000) throw new Error(`publisher not up within 60 s:\n${service.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }

      const received = new Map<string, number>();
      consumer = fork(join(__dirname, 'revocation-propagation.consumer.ts'), [broker.brokers.join(','), topic], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await new Promise<void>((resolve, reject) => {
        consumer!.once('exit', (code) => reject(new Error(`consumer exited with ${code}`)));
        consumer!.on('message', (m: { ready?: boolean; receipts?: Array<{ consentId: string; at: number }> }) => {
          if (m.ready) resolve();
          for (const r of m.receipts ?? []) if (!received.has(r.consentId)) received.set(r.consentId, r.at);
        });
      });
      producer = await startLimit(join(__dirname, 'revocation-propagation.producer.ts'), [broker.brokers.join(','), topic]);
      const limit = producer;
      fsyncLimit = await startLimit(join(__dirname, 'revocation-propagation.fsync.ts'), [ctx.scratchDir]);
      const disk = fsyncLimit;
      routeLimit = await startLimit(join(__dirname, '..', 'support', 'trivial-nest-app.ts'), []);
      const route = routeLimit;

      const waitForAll = async (ids: string[]) => {
        const deadline = Date.now() + 60_000;
        while (ids.some((id) => !received.has(id))) {
          if (Date.now() > deadline) throw new Error(`${ids.filter((id) => !received.has(id)).length} revocations never reached the consumer`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const consentId = (i: number) => consentIdFor(pairKey(`bench-user-${i}`, 'bench-app'), 1);
      let next = 0;
      const onLedger = async (rate: number, n: number): Promise<Round> => {
        const from = next;
        next += n;
        const due = new Map<string, number>();
        const sent = new Map<string, number>();
        const answered = new Map<string, number>();
        const cpuBefore = await ledgerCpuMs(service);
        await openLoop(rate, n, 200, 'RevokeConsent', (agent, k, at) => {
          const id = consentId(from + k);
          due.set(id, at);
          sent.set(id, now());
          return post(agent, `${service.url}/v1/consents/${id}/revoke`, '{}').then((status) => (answered.set(id, now()), status));
        });
        const ids = [...sent.keys()];
        await waitForAll(ids);
        const cpuPerRevocation = ((await ledgerCpuMs(service)) - cpuBefore) / n;
        return {
          fromRequest: ids.map((id) => received.get(id)! - due.get(id)!),
          late: ids.map((id) => sent.get(id)! - due.get(id)!),
          httpMs: ids.map((id) => answered.get(id)! - due.get(id)!),
          fromResponse: ids.map((id) => received.get(id)! - answered.get(id)!),
          cpuPerRevocation,
        };
      };
      let batches = 0;
      const onLimit = async (rate: number, n: number): Promise<Round> => {
        const { sent } = await limit.ask<{ sent: Array<[string, number, number]> }>({ run: { rate, count: n, prefix: `limit-${++batches}` } });
        await waitForAll(sent.map(([id]) => id));
        return {
          fromRequest: sent.map(([id, due]) => received.get(id)! - due),
          late: sent.map(([, due, at]) => at - due),
          httpMs: [],
          fromResponse: sent.map(([id, , at]) => received.get(id)! - at),
          cpuPerRevocation: NaN,
        };
      };
      const onDisk = async (rate: number, n: number) => (await disk.ask<{ ms: number[] }>({ run: { rate, count: n } })).ms;
      // The trivial Nest route (the commands workload's ceiling) at the same rate, from the same open-loop client: its
      // CPU per request is what any request costs this machine at that rate, before anything the ledger does.
      const onRoute = async (rate: number, n: number) => {
        const before = await route.cpuMs();
        const body = JSON.stringify({ userId: 'bench-route', clientId: 'bench-app', scopes: ['openid'] });
        await openLoop(rate, n, 201, 'trivial route', (agent) => post(agent, `${route.ready.url}/v1/consents`, body));
        return [((await route.cpuMs()) - before) / n];
      };

      ctx.log(`warm-up: ${warmup} revocations, and as many records from the bare producer`);
      await onLimit(RATES[0].rate, warmup);
      await onLedger(RATES[0].rate, warmup);

      type Step = `limit ${number}` | `fsync ${number}` | `route ${number}` | `ledger ${number}`;
      const steps = RATES.flatMap(({ rate }) => [`limit ${rate}`, `fsync ${rate}`, `route ${rate}`, `ledger ${rate}`] as Step[]);
      const { load: loads, by } = await interleaved(ctx.rounds, steps, async (step): Promise<Round | number[]> => {
        const [side, rate] = step.split(' ');
        const n = Number(rate) * durationS;
        if (side === 'route') return onRoute(Number(rate), n);
        return side === 'limit' ? onLimit(Number(rate), n) : side === 'fsync' ? onDisk(Number(rate), n) : onLedger(Number(rate), n);
      }, ctx.log);

      const q = (xs: number[], p: number) => round(quantile(xs, p), 2);
      const figures: Figure[] = [];
      for (const { rate, targetMs } of RATES) {
        const led = by[`ledger ${rate}`] as Round[];
        const lim = by[`limit ${rate}`] as Round[];
        const sync = by[`fsync ${rate}`] as number[][];
        const routeCpu = (by[`route ${rate}`] as number[][]).map(([ms]) => round(ms, 3));
        const at = `${rate.toLocaleString('en-US')}/s`;
        const kafka = 'bare kafkajs producer, same rate';
        const disk = 'write + group-committed fdatasync, same disk, same rate';
        figures.push(
          { name: `request -> consumer p99, ${at}`, unit: 'ms', ledger: led.map((r) => q(r.fromRequest, 0.99)), limit: { name: kafka, values: lim.map((r) => q(r.fromRequest, 0.99)) }, ratio: 'x', target: { of: 'value', value: targetMs, higher: false }, load: loads },
          { name: `request -> consumer p50, ${at}`, unit: 'ms', ledger: led.map((r) => q(r.fromRequest, 0.5)), limit: { name: kafka, values: lim.map((r) => q(r.fromRequest, 0.5)) }, ratio: 'x', load: loads },
          // The stages, each beside what its own part costs on this machine in the same round.
          { name: `stage: load generator late p99, ${at}`, unit: 'ms', ledger: led.map((r) => q(r.late, 0.99)), limit: { name: 'the same, bare producer', values: lim.map((r) => q(r.late, 0.99)) }, ratio: 'x', load: loads },
          { name: `stage: request -> acknowledged p99, ${at}`, unit: 'ms', ledger: led.map((r) => q(r.httpMs, 0.99)), limit: { name: disk, values: sync.map((ms) => q(ms, 0.99)) }, ratio: 'x', load: loads },
          { name: `stage: request -> acknowledged p50, ${at}`, unit: 'ms', ledger: led.map((r) => q(r.httpMs, 0.5)), limit: { name: disk, values: sync.map((ms) => q(ms, 0.5)) }, ratio: 'x', load: loads },
          { name: `stage: acknowledged -> consumer p99, ${at}`, unit: 'ms', ledger: led.map((r) => q(r.fromResponse, 0.99)), limit: { name: 'producer.send -> consumer, bare producer', values: lim.map((r) => q(r.fromResponse, 0.99)) }, ratio: 'x', load: loads },
          { name: `ledger CPU per revocation, ${at}`, unit: 'ms', ledger: led.map((r) => round(r.cpuPerRevocation, 3)), limit: { name: 'trivial Nest route, CPU per request at the same rate', values: routeCpu }, ratio: 'x', ...(rate === 200 ? { target: { of: 'value' as const, value: 0.5, higher: false } } : {}), load: loads },
        );
      }
      return {
        workload: 'revocation-propagation',
        shape:
          `open loop, one RevokeConsent every 1/rate s over kept-alive node:http (no cap on in-flight), latency from each request's scheduled time, ${durationS} s per run, ` +
          `rounds (bare producer, fsync probe, trivial Nest route, ledger) at 200/s then 1,000/s; seeded consents sealed under their users' keys (as granted); ` +
          `Kafka broker, consumer and load generator on the same 2 cores; CPU: the ledger's own from /metrics (HTTP, command, append, Kafka publishing), broker and consumer excluded; ` +
          `loss: every revocation must reach the consumer (60 s deadline)`,
        figures,
        notes: { rates: RATES, durationS, warmup, maxMs: Object.fromEntries(steps.map((s) => [s, by[s].map((r) => round(Math.max(...(Array.isArray(r) ? r : r.fromRequest)), 1))])) },
      };
    } finally {
      await producer?.stop();
      await fsyncLimit?.stop();
      await routeLimit?.stop();
      consumer?.send({ stop: true });
      consumer?.kill();
      await ledger?.stop();
      await broker.destroy();
    }
  },
};
