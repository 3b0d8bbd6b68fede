import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { CHECKPOINT_STORE, EVENT_STORE, EventStore, SqliteEventStore } from '@ledger/event-store';
import { ProjectionRunner, ViewStore } from '@ledger/projections';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { AggregateRepository } from './aggregate-repository';
import { NodeState } from './node-state';
import { TokenMinter } from './token-minter';

/**
 * Chooses the event store by configuration and wires the ports. Nothing outside this module knows which adapter
 * runs: EVENTSTORE_CONNECTION_STRING selects EventStoreDB, otherwise the embedded SQLite file in the data directory.
 */
async function createEventStore(config: LedgerConfig): Promise<EventStore> {
  if (config.eventStoreConnectionString) {
    // Loaded only when selected, so the embedded default never loads the gRPC client.
    const esdb = '@ledger/event-store/esdb/esdb-event-store';
    const { createEsdbEventStore } = await import(esdb);
    return createEsdbEventStore(config.eventStoreConnectionString);
  }
  return new SqliteEventStore({ file: join(config.dataDir, 'events.db') });
}

@Global()
@Module({
  providers: [
    { provide: EVENT_STORE, inject: [LEDGER_CONFIG], useFactory: createEventStore },
    { provide: CHECKPOINT_STORE, useExisting: EVENT_STORE },
    { provide: NodeState, inject: [LEDGER_CONFIG], useFactory: (c: LedgerConfig) => new NodeState(c.dataDir) },
    {
      provide: ViewStore,
      inject: [LEDGER_CONFIG],
      // Views of an EventStoreDB-backed instance are local to the instance, like its subscription.
      useFactory: (c: LedgerConfig) => new ViewStore(join(c.dataDir, c.eventStoreConnectionString ? 'views-esdb.db' : 'views.db')),
    },
    {
      provide: ProjectionRunner,
      inject: [EVENT_STORE, ViewStore],
      useFactory: (store: EventStore, views: ViewStore) => {
        const logger = new Logger('Projection');
        return new ProjectionRunner(store, views, {
          onError: (error, attempt) => logger.error({ msg: 'projection subscription failed; restarting from checkpoint', error: error.message, attempt }),
        });
      },
    },
    AggregateRepository,
    TokenMinter,
  ],
  exports: [EVENT_STORE, CHECKPOINT_STORE, NodeState, ViewStore, ProjectionRunner, AggregateRepository, TokenMinter],
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
