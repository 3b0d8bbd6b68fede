/**
 * The resource service's side of the revocation-propagation workload, in a process of its own (as in production):
 * a kafkajs consumer group on the revocation topic that stamps each record when eachMessage sees it and reports
 * {consentId, clientId, type, eventId, revokedAt, at} to the parent over IPC. `at` is performance.timeOrigin + performance.now(), the clock the parent
 * uses too (same machine).
 *   argv: <brokers comma-separated> <topic>
 */
import { Kafka, logLevel } from 'kafkajs';

const [brokers, topic] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();

async function main() {
  const kafka = new Kafka({ clientId: 'bench-resource-service', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-${process.pid}`, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  let joined = false;
  let ready = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  consumer.on(consumer.events.FETCH, () => {
    if (joined && !ready) {
      ready = true;
      process.send!({ ready: true });
    }
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  // Receipts go to the parent in small batches: the timestamp is taken in eachMessage, so batching the IPC changes
  // nothing measured, and it keeps this process from competing with the ledger for the machine's two cores.
  let pending: Array<{ consentId: string | null; clientId: string | null; type: string; eventId: string; revokedAt: string; at: number }> = [];
  const flush = () => {
    const receipts = pending;
    pending = [];
    if (receipts.length > 0) process.send!({ receipts });
  };
  setInterval(flush, 20).unref();
  await consumer.run({
    eachMessage: async ({ message }) => {
      const at = now();
      const { consentId, clientId, type, eventId, revokedAt } = JSON.parse(message.value!.toString('utf8'));
      pending.push({ consentId, clientId, type, eventId, revokedAt, at });
    },
  });
  process.on('message', async (m: { stop?: boolean }) => {
    if (m.stop) {
      await consumer.disconnect().catch(() => undefined);
      process.exit(0);
    }
  });
}

main().catch((error) => {
  process.stderr.write(`bench consumer failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
