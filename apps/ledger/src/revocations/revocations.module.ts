import { BeforeApplicationShutdown, Global, Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@ledger/event-store';
import { KafkaRevocationPublisher } from '@ledger/revocations';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { Leadership } from '../infrastructure/leadership';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { REVOCATION_PUBLISHER_STATUS } from '../metrics/publisher-status';
import { PublisherUnderLease } from './publisher-under-lease';
import { RevocationStreams } from './revocation-streams';
import { StreamRevocationsController } from './stream-revocations/stream-revocations.controller';

/** Consecutive failures after which a broker outage is logged as an error rather than a warning. */
const FAILURES_BEFORE_ERROR = 5;

function createPublisher(config: LedgerConfig, store: EventStore, checkpoints: CheckpointStore, metrics: LedgerMetrics): KafkaRevocationPublisher | null {
  if (!config.kafka) return null;
  const logger = new Logger('RevocationPublisher');
  return new KafkaRevocationPublisher(store, checkpoints, {
    brokers: config.kafka.brokers,
    topic: config.kafka.topic,
    clientId: config.kafka.clientId,
    onError: (error, attempt) => {
      metrics.kafkaError('publish');
      const entry = { msg: 'publishing revocations to Kafka failed; restarting from the checkpoint', error: error.message, attempt };
      if (attempt >= FAILURES_BEFORE_ERROR) logger.error(entry);
      else logger.warn(entry);
    },
  });
}

/**
 * Revocations leave the ledger here: to Kafka (only when KAFKA_BROKERS is set) and as Server-Sent Events.
 * The publisher is null without Kafka, and the service runs without it. Global so that /metrics and /health find
 * its status under REVOCATION_PUBLISHER_STATUS.
 */
@Global()
@Module({
  controllers: [StreamRevocationsController],
  providers: [
    { provide: KafkaRevocationPublisher, inject: [LEDGER_CONFIG, EVENT_STORE, CHECKPOINT_STORE, LedgerMetrics], useFactory: createPublisher },
    // Several instances may share one EventStoreDB: the publisher runs only on the holder of the publisher lease.
    {
      provide: PublisherUnderLease,
      inject: [KafkaRevocationPublisher, Leadership, CHECKPOINT_STORE],
      useFactory: (p: KafkaRevocationPublisher | null, l: Leadership, c: CheckpointStore) => p && new PublisherUnderLease(p, l, c),
    },
    { provide: REVOCATION_PUBLISHER_STATUS, useExisting: PublisherUnderLease },
    RevocationStreams,
  ],
  exports: [KafkaRevocationPublisher, REVOCATION_PUBLISHER_STATUS],
})
export class RevocationsModule implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    @Inject(PublisherUnderLease) private readonly publisher: PublisherUnderLease | null,
    private readonly streams: RevocationStreams,
  ) {}

  onModuleInit(): void {
    // Never awaits the broker: the ledger serves while Kafka is away, and the publisher catches up when it returns.
    // start() only joins the lease: the publisher starts when this instance holds it and stops when it loses it.
    this.publisher?.start();
  }

  /** Before the HTTP server closes (it would wait for open streams) and before the store closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.streams.closeAll();
    await this.publisher?.stop();
  }
}
