import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore, SqliteEventStore } from '@ledger/event-store';
import { ProjectionRunner, ViewStore } from '@ledger/projections';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { AggregateRepository } from './aggregate-repository';
import { Leadership } from './leadership';
import { NodeState } from './node-state';
import { loadOrCreateKeyFile, TokenKey } from './token-key';
import { TokenMinter } from './token-minter';

/**
 * Chooses the event store by configuration and wires the ports. Nothing outside this module knows which adapter
 * runs: EVENTSTORE_CONNECTION_STRING selects EventStoreDB, otherwise the embedded SQLite file in the data directory.
 */
interface StorePorts {
  store: EventStore;
  checkpoints: CheckpointStore;
}

async function createStorePorts(config: LedgerConfig): Promise<StorePorts> {
  if (config.eventStoreConnectionString) {
    // Loaded only when selected, so the embedded default never loads the gRPC client.
    const esdb = '@ledger/event-store/esdb/esdb-event-store';
    const { createEsdbEventStore } = await import(esdb);
    const store = createEsdbEventStore(config.eventStoreConnectionString);
    return { store, checkpoints: store.checkpoints };
  }
  const store = new SqliteEventStore({ file: join(config.dataDir, 'events.db') });
  return { store, checkpoints: store };
}

const STORE_PORTS = Symbol('STORE_PORTS');

/** LEDGER_TOKEN_KEY, or the key file in the secrets directory (never the data directory). Says where, never what. */
function resolveTokenKey(config: LedgerConfig): TokenKey {
  const logger = new Logger('TokenKey');
  if (config.tokenKey) return config.tokenKey;
  const { key, created, looseMode } = loadOrCreateKeyFile(config.secretsDir);
  logger.log(`token key ${created ? 'generated into' : 'read from'} ${key.source}`);
  if (looseMode) logger.warn(`${key.source} or its directory can be read by other users; make them 0600 and 0700`);
  if (config.eventStoreConnectionString) {
    logger.warn('on EventStoreDB without LEDGER_TOKEN_KEY: every instance must share one key, or retries landing on another instance are refused');
  }
  return key;
}

@Global()
@Module({
  providers: [
    { provide: STORE_PORTS, inject: [LEDGER_CONFIG], useFactory: createStorePorts },
    { provide: EVENT_STORE, inject: [STORE_PORTS], useFactory: (ports: StorePorts) => ports.store },
    { provide: CHECKPOINT_STORE, inject: [STORE_PORTS], useFactory: (ports: StorePorts) => ports.checkpoints },
    { provide: NodeState, inject: [LEDGER_CONFIG], useFactory: (c: LedgerConfig) => new NodeState(c.dataDir, c.idempotencyTtlSeconds * 1000) },
    { provide: TokenKey, inject: [LEDGER_CONFIG], useFactory: resolveTokenKey },
    {
      provide: ViewStore,
      inject: [LEDGER_CONFIG],
      // Views of an EventStoreDB-backed instance are local to the instance, like its subscription.
      useFactory: (c: LedgerConfig) => new ViewStore(join(c.dataDir, c.eventStoreConnectionString ? 'views-esdb.db' : 'views.db')),
    },
    {
      provide: ProjectionRunner,
      inject: [EVENT_STORE, ViewStore, LedgerMetrics],
      useFactory: (store: EventStore, views: ViewStore, metrics: LedgerMetrics) => {
        const logger = new Logger('Projection');
        return new ProjectionRunner(store, views, {
          onError: (error, attempt) => {
            metrics.eventStoreError('subscription');
            logger.error({ msg: 'projection subscription failed; restarting from checkpoint', error: error.message, attempt });
          },
        });
      },
    },
    AggregateRepository,
    TokenMinter,
    Leadership,
  ],
  exports: [EVENT_STORE, CHECKPOINT_STORE, NodeState, ViewStore, ProjectionRunner, AggregateRepository, TokenMinter, Leadership],
})
export class LedgerInfrastructureModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: ProjectionRunner,
    private readonly views: ViewStore,
    private readonly nodeState: NodeState,
  ) {}

  onModuleInit(): void {
    this.projection.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projection.stop();
    await this.store.close();
    this.views.close();
    this.nodeState.close();
  }
}
