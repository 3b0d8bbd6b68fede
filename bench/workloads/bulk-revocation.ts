import { ChildProcess, fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { openEventStore } from '@ledger/event-store';
import { KafkaBroker } from '../../test/support/kafka-broker';
import { waitForTopic } from '../../test/support/revocation-topic';
import { LedgerProcess } from '../../test/support/ledger-process';
import { BENCH_HEADERS, startLedger } from '../support/ledger';
import { interleaved } from '../support/rounds';
import { benchToken, seedTokensInto } from '../support/seed-tokens';
import { round } from '../support/stats';
import { Figure, Workload } from '../workload';

const STORE = 'the wire-level EventStoreDB test server';
const PER_CONSENT = 100;
/** Introspections in flight on B while a sample is polled: enough that a pass over the sample stays short. */
const POLLERS = 16;
const now = () => performance.timeOrigin + performance.now();

const agent = new Agent({ keepAlive: true, maxSockets: 32 });
function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string; at: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, at: now() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const form = { ...BENCH_HEADERS.introspect, 'content-type': 'application/x-www-form-urlencoded' };
const json = { ...BENCH_HEADERS.commands, 'content-type': 'application/json' };
const introspect = (ledger: LedgerProcess, token: string) => post(`${ledger.url}/v1/oauth2/introspect`, `token=${encodeURIComponent(token)}`, form);
const isActive = (body: string) => body.startsWith('{"active":true');

/** One seeded client per round and size: `tokens` live tokens, numbered from `first` (benchToken). */
interface Seeded {
  clientId: string;
  first: number;
  tokens: number;
}

interface Sample {
  /** A acknowledged -> the first answer of B that said inactive: the window itself. */
  firstOnB: number;
  /** A acknowledged -> the last token of the sample answered inactive on B. */
  onB: number;
  /** A acknowledged -> the Kafka consumer's eachMessage saw the client.disabled. */
  kafka: number;
  /** active:true answers B gave for the sample after A acknowledged (the window, seen). */
  staleOnB: number;
  /** active:true answers A gave after it acknowledged: must be none. */
  activeOnA: number;
}

/**
 * Disabling a client that holds many live tokens: the token view ends them at lookup from ONE event, so the time
 * until they introspect inactive on a second instance, and until a resource service's Kafka consumer has the one
 * client.disabled, should not depend on how many tokens the client holds. The same-run limit is exactly that: the
 * same disable, measured the same way, of a client holding ONE token, right before it in every round.
 *
 * Two built ledgers (A, B) on the wire-level EventStoreDB test server, each its own process with Kafka on (the lease
 * holder publishes), and a kafkajs consumer in another process. Tokens are seeded through the event-store port.
 */
export const bulkRevocation: Workload = {
  name: 'bulk-revocation',
  description: `Disable a client holding 100,000 live tokens on instance A (two ledgers on ${STORE}): until a random sample is inactive on B, and until the Kafka consumer has the event, vs a client holding one token`,
  async run(ctx) {
    const bigTokens = ctx.quick ? 5_000 : 100_000;
    const sampleSize = ctx.quick ? 50 : 200;
    const topic = `bench-bulk-${randomUUID()}`;
    let server: ChildProcess | undefined;
    let consumer: ChildProcess | undefined;
    const ledgers: LedgerProcess[] = [];
    ctx.log('starting a Kafka broker');
    const broker = await KafkaBroker.start({ dataDir: join(ctx.scratchDir, 'kafka') });
    try {
      ctx.log(`starting ${STORE}`);
      server = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ctx.root, 'test/support/esdb-test-server/main.ts'), '0'], { cwd: ctx.root, stdio: ['ignore', 'pipe', 'inherit'] });
      const connectionString = await firstLine(server);

      // A warm-up client, then per round one client with one token and one with bigTokens.
      const clients: Record<'warmup' | 'small' | 'big', Seeded[]> = { warmup: [], small: [], big: [] };
      const { store } = await openEventStore({ eventStoreConnectionString: connectionString, dataDir: ctx.scratchDir });
      let next = 0;
      const seed = async (kind: keyof typeof clients, index: number, tokens: number) => {
        const clientId = `bulk-${kind}-${index}`;
        const consents = Math.max(1, tokens / PER_CONSENT);
        await seedTokensInto(store, consents, tokens / consents, undefined, { clientId, userPrefix: `${clientId}-user-`, firstToken: next, parallel: 16 });
        clients[kind].push({ clientId, first: next, tokens });
        next += tokens;
      };
      const seedStarted = Date.now();
      await seed('warmup', 0, 1);
      for (let r = 0; r < ctx.rounds; r++) {
        ctx.log(`seeding round ${r + 1}: a client with 1 token and one with ${bigTokens}`);
        await seed('small', r, 1);
        await seed('big', r, bigTokens);
      }
      await store.close();
      const seedMs = Date.now() - seedStarted;

      const env = { EVENTSTORE_CONNECTION_STRING: connectionString, KAFKA_BROKERS: broker.brokers.join(','), KAFKA_REVOCATIONS_TOPIC: topic };
      for (const name of ['a', 'b']) ledgers.push(await startLedger(join(ctx.scratchDir, name, 'data'), env));
      const [a, b] = ledgers;
      // Ready means within LEDGER_READY_MAX_LAG_EVENTS; B has everything once it knows the last token seeded.
      const caughtUpStarted = Date.now();
      for (const ledger of ledgers) {
        const deadline = Date.now() + 30 * 60_000;
        while (!isActive((await introspect(ledger, benchToken(next - 1))).body)) {
          if (Date.now() > deadline) throw new Error('a ledger never caught up with the seeded tokens');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      const catchUpMs = Date.now() - caughtUpStarted;

      // The publishing instance (the lease holder) creates the topic; the consumer joins once it exists.
      await waitForTopic(broker.brokers, topic);
      const received = new Map<string, number>();
      consumer = fork(join(__dirname, 'revocation-propagation.consumer.ts'), [broker.brokers.join(','), topic], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await new Promise<void>((resolve, reject) => {
        consumer!.once('exit', (code) => reject(new Error(`consumer exited with ${code}`)));
        consumer!.on('message', (m: { ready?: boolean; receipts?: Array<{ clientId: string | null; type: string; at: number }> }) => {
          if (m.ready) resolve();
          for (const r of m.receipts ?? []) if (r.type === 'client.disabled' && r.clientId && !received.has(r.clientId)) received.set(r.clientId, r.at);
        });
      });

      const disable = async (client: Seeded): Promise<Sample> => {
        // The same number of introspections for either client (one token asked sampleSize times), so that the limit
        // differs from the measured disable only in how many tokens the client holds.
        const sample = Array.from({ length: sampleSize }, () => benchToken(client.first + Math.floor(Math.random() * client.tokens)));
        for (const token of sample.slice(0, 5)) if (!isActive((await introspect(b, token)).body)) throw new Error(`a token of ${client.clientId} was not active on B before its disable`);
        const acked = await post(`${a.url}/v1/clients/${client.clientId}/disable`, '{}', json);
        if (acked.status !== 200) throw new Error(`disable: ${acked.status} ${acked.body}`);
        let staleOnB = 0;
        let lastInactive = acked.at;
        let firstInactive = Infinity;
        let cursor = 0;
        await Promise.all(
          Array.from({ length: Math.min(POLLERS, sample.length) }, async () => {
            while (cursor < sample.length) {
              const token = sample[cursor++];
              for (;;) {
                const answer = await introspect(b, token);
                if (answer.status !== 200) throw new Error(`B answered ${answer.status}`);
                if (!isActive(answer.body)) {
                  lastInactive = Math.max(lastInactive, answer.at);
                  firstInactive = Math.min(firstInactive, answer.at);
                  break;
                }
                staleOnB += 1;
              }
            }
          }),
        );
        let activeOnA = 0;
        for (const token of sample.slice(0, 5)) if (isActive((await introspect(a, token)).body)) activeOnA += 1;
        const deadline = Date.now() + 60_000;
        while (!received.has(client.clientId)) {
          if (Date.now() > deadline) throw new Error(`the consumer never got the client.disabled of ${client.clientId}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return { firstOnB: firstInactive - acked.at, onB: lastInactive - acked.at, kafka: received.get(client.clientId)! - acked.at, staleOnB, activeOnA };
      };

      ctx.log('warm-up: one disable, until the consumer has it');
      await disable(clients.warmup[0]);
      const { load, by } = await interleaved(ctx.rounds, ['small', 'big'] as const, (kind, r) => disable(clients[kind][r]), ctx.log);
      const values = (kind: 'small' | 'big', of: (s: Sample) => number) => by[kind].map((s) => round(of(s), 2));
      const limitName = 'the same disable of a client holding one token';
      const activeOnA = [...by.small, ...by.big].reduce((n, s) => n + s.activeOnA, 0);
      const figures: Figure[] = [
        { name: 'A acknowledged -> first sampled token inactive on B', unit: 'ms', ledger: values('big', (s) => s.firstOnB), limit: { name: limitName, values: values('small', (s) => s.firstOnB) }, ratio: 'x', load },
        { name: `A acknowledged -> a sample of ${sampleSize} inactive on B`, unit: 'ms', ledger: values('big', (s) => s.onB), limit: { name: limitName, values: values('small', (s) => s.onB) }, ratio: 'x', load },
        { name: 'A acknowledged -> Kafka consumer has client.disabled', unit: 'ms', ledger: values('big', (s) => s.kafka), limit: { name: limitName, values: values('small', (s) => s.kafka) }, ratio: 'x', load },
        { name: 'active:true answers of B after A acknowledged, over the sample', unit: `of ${sampleSize}`, ledger: by.big.map((s) => s.staleOnB), load },
        { name: 'active:true answers of A after it acknowledged', unit: '', ledger: [activeOnA], target: { of: 'value', value: 0, higher: false }, load: [load[load.length - 1]] },
      ];
      return {
        workload: 'bulk-revocation',
        shape:
          `two ledgers (A, B) on ${STORE} with Kafka on, each its own process, and a kafkajs consumer in another; per round a client with ${bigTokens.toLocaleString('en')} live tokens ` +
          `(${PER_CONSENT} per consent) disabled on A, right after the same for a client with one token (the limit); a random sample of ${sampleSize} polled on B, ${POLLERS} in flight; CPU not measured`,
        figures,
        notes: { tokensPerBigClient: bigTokens, sampleSize, seededTokens: next, seedMs, catchUpMs, store: STORE },
      };
    } finally {
      agent.destroy();
      consumer?.send({ stop: true });
      for (const ledger of ledgers) await ledger.stop();
      server?.kill('SIGTERM');
      await broker.destroy();
    }
  },
};

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the EventStoreDB test server exited with ${code}`)));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0].trim());
    });
  });
}
