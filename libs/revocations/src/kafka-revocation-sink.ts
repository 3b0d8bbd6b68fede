import { Kafka, KafkaConfig, logLevel, Producer } from 'kafkajs';
import { readLedgerEvent } from '@ledger/domain';
import type { RelaySink, StoredEvent } from '@ledger/event-store';
import { DEFAULT_CLOUDEVENTS_SOURCE, RevocationRecord, toKafkaRecord, toRevocationEvent } from './revocation-event';
import { toKafkaRecordV2, toRevocationEventV2 } from './revocation-event.v2';

export interface KafkaRevocationSinkOptions {
  brokers: string[];
  topic: string;
  /**
   * The v2 contract's topic, published beside v1 for one release (docs/contracts/README.md). Each batch goes to both
   * topics in one request, under the one checkpoint, so neither gets ahead of the other for long. Omitted: v1 only.
   */
  topicV2?: string;
  clientId: string;
  /** CloudEvents `source`. */
  source?: string;
  /** Overrides for the kafkajs client (ssl, sasl, timeouts). logLevel defaults to NOTHING: failures go to onError. */
  kafka?: Partial<KafkaConfig>;
  /** The event types (and versions) this build reads: EVENT_VERSIONS; a test passes less (LEDGER_TEST_UNKNOWN_EVENT_TYPES). */
  knownEvents?: Readonly<Record<string, number>>;
}

export interface KafkaRevocationSinkCounts {
  /** false while the producer cannot publish (not connected yet, or failing). */
  connected: boolean;
  /** Revocations handed over and not acknowledged yet (the batch in flight, or the one that failed). */
  pending: number;
  /** Age of the oldest unacknowledged revocation (now minus its recordedAt); 0 when nothing waits. */
  lagMs: number;
  publishedTotal: number;
}

/**
 * Kafka as a relay sink. Each batch's revocations go out in one send with an idempotent producer (acks=-1, one
 * request in flight); other events are skipped, but never one this build cannot read (readLedgerEvent): that fails
 * the batch, and the relay retries it until an upgraded build reads it. The key is the user id, so one user's
 * revocations keep their order.
 */
export class KafkaRevocationSink implements RelaySink {
  private readonly kafka: Kafka;
  private readonly source: string;
  private producer?: Producer;
  private topicReady = false;
  private connected = false;
  private pending = 0;
  private oldestPendingAt?: number;
  private publishedTotal = 0;
  /** Revocations in the batch last handed over, counted as published once the relay takes that batch as done. */
  private batchMessages = 0;

  constructor(private readonly options: KafkaRevocationSinkOptions) {
    this.source = options.source ?? DEFAULT_CLOUDEVENTS_SOURCE;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      // Bounded: a broker that stays away ends in a failure (seen, counted, restarted from the checkpoint) instead of
      // a send that retries for minutes with nobody knowing.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
      ...options.kafka,
    });
  }

  async open(): Promise<void> {
    if (!this.producer) {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      this.producer = producer;
      await producer.connect();
    }
    this.connected = true;
    if (!this.topicReady) await this.ensureTopic();
  }

  private async ensureTopic(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      const missing = [this.options.topic, this.options.topicV2].filter((t): t is string => t !== undefined && !existing.includes(t));
      if (missing.length > 0) {
        try {
          // Partition count and replication factor: the broker's defaults (num.partitions, default.replication.factor).
          await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
        } catch (error) {
          // Another ledger instance created it in between.
          if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
        }
      }
      this.topicReady = true;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async deliver(batch: StoredEvent[]): Promise<void> {
    const messages: RevocationRecord[] = [];
    const messagesV2: RevocationRecord[] = [];
    for (const event of batch) {
      // An event this build cannot read fails the batch, so the checkpoint stays before it: skipped, it would be a
      // revocation never published, not even by the upgraded build that resumes from the checkpoint (issue #17).
      readLedgerEvent(event, this.options.knownEvents);
      const integration = toRevocationEvent(event);
      // v2 publishes what v1 does, and the erasure notice, which only v2 can carry.
      const v2 = this.options.topicV2 ? toRevocationEventV2(event) : undefined;
      if ((integration || v2) && messages.length + messagesV2.length === 0) this.oldestPendingAt ??= Date.parse(event.recordedAt);
      if (integration) messages.push(toKafkaRecord(integration, this.source));
      if (v2) messagesV2.push(toKafkaRecordV2(v2, this.source));
    }
    this.batchMessages = messages.length;
    if (messages.length + messagesV2.length === 0) return;
    this.pending = messages.length;
    const producer = this.producer;
    if (!producer) throw new Error('Kafka producer is not connected');
    const topicMessages = messages.length > 0 ? [{ topic: this.options.topic, messages }] : [];
    if (this.options.topicV2 && messagesV2.length > 0) topicMessages.push({ topic: this.options.topicV2, messages: messagesV2 });
    await producer.sendBatch({ acks: -1, topicMessages });
  }

  /** The relay took the last batch as done: the broker acknowledged it and the checkpoint may pass it. */
  acknowledged(): void {
    this.publishedTotal += this.batchMessages;
    this.pending = 0;
    this.oldestPendingAt = undefined;
  }

  /** After a failed send the idempotent producer's sequence numbers are in doubt: the next open starts a new one. */
  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.connected = false;
    await producer?.disconnect();
  }

  counts(): KafkaRevocationSinkCounts {
    return {
      connected: this.connected,
      pending: this.pending,
      lagMs: this.oldestPendingAt === undefined ? 0 : Math.max(0, Date.now() - this.oldestPendingAt),
      publishedTotal: this.publishedTotal,
    };
  }
}
