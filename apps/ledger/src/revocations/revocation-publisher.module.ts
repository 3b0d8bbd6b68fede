import { BeforeApplicationShutdown, DynamicModule, Logger, Module, OnModuleInit } from '@nestjs/common';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@ledger/event-store';
import { KafkaRevocationPublisher } from '@ledger/revocations';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { Leadership } from '../infrastructure/leadership';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { REVOCATION_PUBLISHER_STATUS } from '../metrics/publisher-status';
import { PublisherUnderLease } from './publisher-under-lease';

type KafkaConfig = NonNullable<LedgerConfig['kafka']>;

/** Consecutive failures after which a broker outage is logged as an error rather than a warning. */
const FAILURES_BEFORE_ERROR = 5;

function createPublisher(kafka: KafkaConfig, store: EventStore, checkpoints: CheckpointStore, metrics: LedgerMetrics, knownEvents: LedgerConfig['knownEvents']): KafkaRevocationPublisher {
  const logger = new Logger('RevocationPublisher');
  return new KafkaRevocationPublisher(store, checkpoints, {
    brokers: kafka.brokers,
    topic: kafka.topic,
    topicV2: kafka.topicV2,
    clientId: kafka.clientId,
    knownEvents,
    onError: (error, attempt) => {
      metrics.kafkaError('publish');
      const entry = { msg: 'publishing revocations to Kafka failed; restarting from the checkpoint', error: error.message, attempt };
      if (attempt >= FAILURES_BEFORE_ERROR) logger.error(entry);
      else logger.warn(entry);
    },
  });
}

/**
 * Revocations to Kafka, under the publisher lease. AppModule imports it only when KAFKA_BROKERS is set, so each of
 * its providers is a real instance, never null; without Kafka they do not exist, and the service runs without them.
 * /metrics and /health/ready inject REVOCATION_PUBLISHER_STATUS with @Optional() (global, so that they find it).
 */
@Module({})
export class RevocationPublisherModule implements OnModuleInit, BeforeApplicationShutdown {
  static forKafka(kafka: KafkaConfig): DynamicModule {
    return {
      module: RevocationPublisherModule,
      global: true,
      providers: [
        {
          provide: KafkaRevocationPublisher,
          inject: [EVENT_STORE, CHECKPOINT_STORE, LedgerMetrics, LEDGER_CONFIG],
          useFactory: (store: EventStore, checkpoints: CheckpointStore, metrics: LedgerMetrics, config: LedgerConfig) =>
            createPublisher(kafka, store, checkpoints, metrics, config.knownEvents),
        },
        // Several instances may share one EventStoreDB: the publisher runs only on the holder of the publisher lease.
        {
          provide: PublisherUnderLease,
          inject: [KafkaRevocationPublisher, Leadership, CHECKPOINT_STORE],
          useFactory: (p: KafkaRevocationPublisher, l: Leadership, c: CheckpointStore) => new PublisherUnderLease(p, l, c),
        },
        { provide: REVOCATION_PUBLISHER_STATUS, useExisting: PublisherUnderLease },
      ],
      exports: [REVOCATION_PUBLISHER_STATUS],
    };
  }

  constructor(private readonly publisher: PublisherUnderLease) {}

  onModuleInit(): void {
    // Never awaits the broker: the ledger serves while Kafka is away, and the publisher catches up when it returns.
    // start() only joins the lease: the publisher starts when this instance holds it and stops when it loses it.
    this.publisher.start();
  }

  /** Before the store closes: the last acknowledged position is saved, the lease released. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.publisher.stop();
  }
}
