import { Consumer, Kafka, KafkaConfig, KafkaMessage, logLevel } from 'kafkajs';
import type { RevocationMessage } from './introspection-cache';

export const DEFAULT_REVOCATIONS_TOPIC = 'consent.revocations.v1';

export interface RevocationSink {
  /** Applies one event; returns false for a duplicate. Must not throw for a well-formed event. */
  apply(event: RevocationMessage): boolean;
  /** A message it cannot read arrived: evict everything it may have ended, which is everything. */
  evictAll?(): void;
}

export interface RevocationConsumerOptions {
  brokers: string[];
  /** One group per resource service (all its instances share the partitions) — or one per instance, so that every
   * instance evicts from its own cache: that is the usual choice for an in-memory cache. */
  groupId: string;
  topic?: string;
  clientId?: string;
  /** Where a group without committed offsets starts. Default false (the end: a fresh cache has nothing to evict). */
  fromBeginning?: boolean;
  /** How long start() keeps trying (e.g. until the ledger created the topic). Default 30 s. */
  startTimeoutMs?: number;
  /** Called after each event was applied (applied = false: it was a duplicate). */
  onEvent?: (event: RevocationMessage, applied: boolean) => void;
  /** Malformed messages (they evict everything, see eachMessage) and consumer crashes. */
  onError?: (error: Error) => void;
  kafka?: Partial<KafkaConfig>;
}

/**
 * Reads the ledger's revocation topic in a consumer group and applies each event to a sink (the introspection
 * cache). Offsets are committed only after the events were applied (kafkajs autoCommit commits resolved offsets,
 * i.e. those whose eachMessage returned; and on stop), so after a restart the group resumes where it stopped: revocations made
 * while it was down are applied then, and at worst a few are applied twice (the sink dedupes by eventId).
 */
export class RevocationConsumer {
  private readonly kafka: Kafka;
  private consumer?: Consumer;
  private live = false;
  private malformed = 0;

  constructor(
    private readonly sink: RevocationSink,
    private readonly options: RevocationConsumerOptions,
  ) {
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'revocation-client',
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 2000 },
      ...options.kafka,
    });
  }

  /** True while the consumer is in its group and fetching: only then is a cached answer kept fresh by revocations. */
  get running(): boolean {
    return this.live;
  }

  get topic(): string {
    return this.options.topic ?? DEFAULT_REVOCATIONS_TOPIC;
  }

  /** Resolves once the consumer joined its group and completed a fetch (its start offsets are then fixed). */
  async start(): Promise<void> {
    if (this.consumer) return;
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 30_000);
    for (let attempt = 1; ; attempt++) {
      const consumer = this.kafka.consumer({
        groupId: this.options.groupId,
        allowAutoTopicCreation: false,
        // A fetch returns as soon as a record arrives; this only bounds how long stop() waits for an idle fetch.
        maxWaitTimeInMs: 250,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
      });
      try {
        await this.anchorGroup();
        await this.run(consumer);
        this.consumer = consumer;
        return;
      } catch (error) {
        await consumer.disconnect().catch(() => undefined);
        if (Date.now() > deadline) throw error;
        this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
        // 200 ms, 400 ms, ... up to 2 s. The package imports nothing of the ledger's (it is installed on its own),
        // so this is not the ledger's backoff helper.
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  /**
   * kafkajs commits offsets only of partitions it consumed from. A partition that got nothing while the group ran
   * would have no committed offset, and after a restart the group would start it at the END, skipping what arrived
   * there meanwhile. So before joining, every partition without a committed offset gets one: the current end (or
   * nothing, with fromBeginning, where the reset to the start cannot skip anything).
   */
  private async anchorGroup(): Promise<void> {
    if (this.options.fromBeginning) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.topic] });
      const missing = (committed?.partitions ?? []).filter((p) => Number(p.offset) < 0);
      if (missing.length === 0) return;
      const ends = await admin.fetchTopicOffsets(this.topic);
      try {
        await admin.setOffsets({
          groupId: this.options.groupId,
          topic: this.topic,
          partitions: missing.map((p) => ({ partition: p.partition, offset: ends.find((e) => e.partition === p.partition)?.high ?? '-1' })),
        });
      } catch (error) {
        // Other members of the group are running (setOffsets needs an empty group): they anchor it themselves.
        if ((error as { type?: string }).type !== 'UNKNOWN_MEMBER_ID' && !/not empty|active/i.test((error as Error).message)) throw error;
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async run(consumer: Consumer): Promise<void> {
    const { GROUP_JOIN, FETCH, CRASH, STOP } = consumer.events;
    let joined = false;
    let ready!: () => void;
    let failed!: (e: Error) => void;
    const started = new Promise<void>((resolve, reject) => ((ready = resolve), (failed = reject)));
    consumer.on(GROUP_JOIN, () => {
      joined = true;
    });
    consumer.on(FETCH, () => {
      if (!joined) return;
      this.live = true;
      ready();
    });
    consumer.on(CRASH, (e) => {
      // kafkajs restarts a consumer after a retriable crash; it is live again after its next join and fetch.
      this.live = false;
      joined = false;
      const error = e.payload.error instanceof Error ? e.payload.error : new Error(String(e.payload.error));
      this.options.onError?.(error);
      failed(error);
    });
    consumer.on(STOP, () => {
      this.live = false;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: this.options.fromBeginning ?? false });
    await consumer.run({
      // kafkajs commits the offsets whose eachMessage returned (applied) after each batch, and on stop.
      autoCommit: true,
      eachMessage: async ({ message, partition }) => {
        const event = parseRevocationMessage(message.value);
        if (!event) {
          // The contract's rule for consumers: what you cannot understand means "evict what you cannot prove is still
          // live". A message in a shape this version does not read (a later contract's, or a broken one) may have
          // ended any token, so every cached answer is asked again rather than trusted until its staleness bound.
          this.malformed += 1;
          this.sink.evictAll?.();
          this.options.onError?.(new Error(`A revocation message this client cannot read evicted every cached answer (partition ${partition}, offset ${message.offset})`));
          return;
        }
        const applied = this.sink.apply(event);
        this.options.onEvent?.(event, applied);
      },
    });
    await started;
  }

  /** Leaves the group after committing the offsets of everything applied. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.live = false;
    await consumer?.disconnect();
  }

  stats() {
    return { running: this.live, malformed: this.malformed };
  }
}

/** A record value as the contract's message, or undefined when it is not one (the consumer counts and skips it). */
export function parseRevocationMessage(raw: KafkaMessage['value']): RevocationMessage | undefined {
  if (!raw) return undefined;
  let value: Partial<RevocationMessage>;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  const strings = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'string');
  if (typeof value === 'object' && value !== null && 'subject' in value) return fromV2(value as V2Message);
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.eventId !== 'string' ||
    typeof value.type !== 'string' ||
    // null: a bulk revocation (a client's, a user's, the ledger's), which names no user or no client.
    (typeof value.userId !== 'string' && value.userId !== null) ||
    (typeof value.clientId !== 'string' && value.clientId !== null) ||
    !strings(value.tokenHashes) ||
    !strings(value.tokenIds)
  ) {
    return undefined;
  }
  return value as RevocationMessage;
}

/** Contract v2 (docs/contracts/revocation-event.v2.schema.json), as far as eviction needs it. */
interface V2Message {
  eventId?: unknown;
  type?: unknown;
  subject?: { kind?: unknown; tokenId?: unknown; tokenHash?: unknown; userId?: unknown; clientId?: unknown } | null;
  ends?: { carryingAnyOf?: unknown } | null;
}

/**
 * A v2 message as the cache's message: the subject's ids where v1 has its nullable members, and the scopes only
 * when `ends` is carryingAnyOf. Every other `ends` (all, issuedBefore, carryingAnyOutside, or a form this version
 * does not know) leaves the scopes empty, so the whole subject is evicted. A subject kind it does not know makes
 * the message unreadable, which evicts everything.
 */
function fromV2(value: V2Message): RevocationMessage | undefined {
  const id = (x: unknown) => (typeof x === 'string' && x.length > 0 ? x : undefined);
  const s = value.subject;
  if (typeof value.eventId !== 'string' || typeof value.type !== 'string' || typeof s !== 'object' || s === null) return undefined;
  const ids = { userId: id(s.userId) ?? null, clientId: id(s.clientId) ?? null };
  const complete = { token: id(s.tokenHash) && ids.userId && ids.clientId, consent: ids.userId && ids.clientId, client: ids.clientId, user: ids.userId, ledger: true }[String(s.kind)];
  if (!complete) return undefined;
  const narrowed = value.ends?.carryingAnyOf;
  const scopes = Array.isArray(narrowed) && narrowed.length > 0 && narrowed.every((x) => typeof x === 'string') ? (narrowed as string[]) : [];
  const token = s.kind === 'token';
  return { eventId: value.eventId, type: value.type, ...ids, scopes, tokenIds: token ? [String(s.tokenId)] : [], tokenHashes: token ? [String(s.tokenHash)] : [] };
}
