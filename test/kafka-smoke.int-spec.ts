/**
 * Smoke test against a REAL Kafka broker (KRaft, loopback).
 *
 *   npx jest test/kafka-smoke.int-spec.ts                       # starts its own broker
 *   scripts/with-kafka.sh npx jest test/kafka-smoke.int-spec.ts  # uses $KAFKA_BROKERS
 *
 * Broker crash and restart are exercised by the revocation publisher's suite, which owns its broker.
 */
import { randomUUID } from 'crypto';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { KafkaBroker } from './support/kafka-broker';

const external = process.env.KAFKA_BROKERS?.split(',').map((s) => s.trim()).filter(Boolean);
const PARTITIONS = 3;
const PER_PARTITION = 10;

let broker: KafkaBroker | undefined;
let brokers: string[];

function client(): Kafka {
  return new Kafka({
    clientId: 'kafka-smoke',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 200 },
  });
}

async function createTopic(admin: Admin, topic: string): Promise<void> {
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  expect(created).toBe(true);
}

/** Idempotent producer, acks=all; writes PER_PARTITION messages to each partition. */
async function produce(kafka: Kafka, topic: string, tag: string): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < PER_PARTITION; i++) {
      const res = await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, key: `k${p}`, value: `${tag}-${p}-${i}` })),
      });
      expect(res.every((r) => r.errorCode === 0)).toBe(true);
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Joins `groupId`, reads everything from the beginning, commits the offsets explicitly and
 * returns the values per partition (in offset order).
 */
async function consumeAndCommit(kafka: Kafka, topic: string, groupId: string, expected: number): Promise<Map<number, string[]>> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  const seen = new Map<number, string[]>();
  const next = new Map<number, bigint>();
  let count = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        seen.set(partition, [...(seen.get(partition) ?? []), message.value!.toString()]);
        next.set(partition, BigInt(message.offset) + 1n);
        if (++count === expected) done();
      },
    });
    await withTimeout(all, 45_000, () => `consumed only ${count}/${expected} messages`);
    await consumer.commitOffsets([...next].map(([partition, offset]) => ({ topic, partition, offset: offset.toString() })));
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

async function expectCommitted(admin: Admin, topic: string, groupId: string, perPartition: number): Promise<void> {
  const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
  expect(res.topic).toBe(topic);
  const committed = res.partitions.map((p) => [p.partition, p.offset]).sort((a, b) => Number(a[0]) - Number(b[0]));
  expect(committed).toEqual(Array.from({ length: PARTITIONS }, (_, p) => [p, String(perPartition)]));
  const high = await admin.fetchTopicOffsets(topic);
  expect(high.map((h) => h.high).sort()).toEqual(Array(PARTITIONS).fill(String(perPartition)));
}

function expectAllMessages(seen: Map<number, string[]>, tags: string[]): void {
  for (let p = 0; p < PARTITIONS; p++) {
    const want = tags.flatMap((tag) => Array.from({ length: PER_PARTITION }, (_, i) => `${tag}-${p}-${i}`));
    expect(seen.get(p)).toEqual(want); // in order, no duplicates
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, msg: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(msg())), ms))),
  ]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  if (external?.length) {
    brokers = external;
  } else {
    broker = await KafkaBroker.start();
    brokers = broker.brokers;
  }
}, 300_000); // first run resolves the broker jars with Maven

afterAll(async () => {
  await broker?.destroy(); // stop + remove its temp data dir
}, 60_000);

describe('real Kafka broker', () => {
  it('creates a topic, produces idempotently, consumes in a group and commits offsets', async () => {
    const kafka = client();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = `smoke-${randomUUID()}`;
      const groupId = `smoke-group-${randomUUID()}`;
      await createTopic(admin, topic);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0].partitions).toHaveLength(PARTITIONS);

      await produce(kafka, topic, 'a');
      const seen = await consumeAndCommit(kafka, topic, groupId, PARTITIONS * PER_PARTITION);
      expectAllMessages(seen, ['a']);
      await expectCommitted(admin, topic, groupId, PER_PARTITION);
    } finally {
      await admin.disconnect();
    }
  });
});
