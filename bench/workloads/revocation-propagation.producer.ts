/**
 * The same-run limit of the revocation-propagation workload, in a process of its own as the ledger is: a kafkajs
 * producer configured like the ledger's Kafka sink (idempotent, one request in flight, acks=-1, records built by
 * the same toKafkaRecord) sending integration events at the same steady rate to the same topic, read by the same
 * consumer. What the broker, kafkajs and the consumer cost on this machine at that rate, with no HTTP, command,
 * append or fsync before them. Records queued while a send is in flight go out together in the next one, as the
 * ledger's relay batches what became durable meanwhile. Each record names one ended token, as the ledger's do here.
 *   argv: <brokers comma-separated> <topic>
 *   request: { run: { rate, count, prefix } } -> { sent: [consentId, due, at][] }: when each record was scheduled
 *   and when it was handed to the producer, both performance.timeOrigin + performance.now()
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { toKafkaRecord } from '@ledger/revocations';
import { serveParent } from '../support/limit-process';

const [brokers, topic] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();

async function main() {
  const kafka = new Kafka({ clientId: 'bench-producer-limit', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  let queue: ReturnType<typeof toKafkaRecord>[] = [];
  let sending: Promise<void> | undefined;
  const pump = (): Promise<void> =>
    (sending ??= (async () => {
      while (queue.length > 0) {
        const messages = queue;
        queue = [];
        await producer.send({ topic, acks: -1, messages });
      }
      sending = undefined;
    })());
  const run = async (rate: number, count: number, prefix: string) => {
    const sent: Array<[string, number, number]> = [];
    const t0 = now();
    for (let k = 0; k < count; k++) {
      const due = t0 + (k * 1000) / rate;
      const wait = due - now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const consentId = `${prefix}-${k}`;
      const at = now();
      sent.push([consentId, due, at]);
      const revokedAt = new Date(at).toISOString();
      queue.push(toKafkaRecord({ eventId: randomUUID(), type: 'consent.revoked', consentId, userId: `bench-user-${k}`, clientId: 'bench-app', scopes: ['openid'], tokenIds: [`tok_${'0'.repeat(32)}`], tokenHashes: ['0'.repeat(64)], revokedAt, reason: null, position: k }));
      void pump();
    }
    await sending;
    return { sent };
  };
  serveParent({}, (m) => {
    const r = (m as { run?: { rate: number; count: number; prefix: string } }).run;
    if (!r) throw new Error('unknown request');
    return run(r.rate, r.count, r.prefix);
  });
}

main().catch((error) => {
  process.stderr.write(`bench producer failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
