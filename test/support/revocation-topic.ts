import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import type { RevocationEventV1 } from '@ledger/revocations';

export interface ReceivedRevocation {
  partition: number;
  offset: string;
  /** null: a record without a key (ledger.not_before). */
  key: string | null;
  headers: Record<string, string>;
  value: RevocationEventV1;
  /** The raw record value, to search for things that must never be in it. */
  raw: string;
}

/** Reads a revocation topic from the beginning in a group of its own and keeps every record, in arrival order. */
export class RevocationTopicReader {
  readonly received: ReceivedRevocation[] = [];
  private consumer?: Consumer;

  constructor(private readonly brokers: string[], private readonly topic: string) {}

  async start(): Promise<void> {
    const kafka = new Kafka({ clientId: 'revocation-topic-reader', brokers: this.brokers, logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
    const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const raw = message.value!.toString('utf8');
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        this.received.push({ partition, offset: message.offset, key: message.key ? message.key.toString('utf8') : null, headers, value: JSON.parse(raw), raw });
      },
    });
  }

  /** Waits until a record satisfies `match`, and returns it. */
  async waitFor(match: (r: ReceivedRevocation) => boolean, timeoutMs = 30_000): Promise<ReceivedRevocation> {
    const started = Date.now();
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      if (Date.now() - started > timeoutMs) throw new Error(`no matching revocation on ${this.topic} within ${timeoutMs} ms (got ${this.received.length})`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Waits until every eventId in `ids` was received at least once. */
  async waitForAll(ids: Iterable<string>, timeoutMs = 60_000): Promise<void> {
    const want = new Set(ids);
    const started = Date.now();
    for (;;) {
      const seen = new Set(this.received.map((r) => r.value.eventId));
      const missing = [...want].filter((id) => !seen.has(id));
      if (missing.length === 0) return;
      if (Date.now() - started > timeoutMs) throw new Error(`${missing.length} of ${want.size} revocations missing on ${this.topic} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Waits until the topic exists (the ledger's publisher creates it when it starts). */
export async function waitForTopic(brokers: string[], topic: string, timeoutMs = 30_000): Promise<void> {
  const admin = new Kafka({ clientId: 'topic-probe', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const started = Date.now();
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() - started > timeoutMs) throw new Error(`topic ${topic} not created within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

export const externalBrokers = () => process.env.KAFKA_BROKERS?.split(',').map((s) => s.trim()).filter(Boolean);
