import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointStore, EventStore } from './event-store.port';
import { EventStoreError } from './event-store.errors';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

export interface EventStoreConfig {
  /** Set: EventStoreDB. Unset or empty: the embedded SQLite store in dataDir. */
  eventStoreConnectionString?: string;
  /** Holds the embedded store's events.db. */
  dataDir: string;
  /**
   * false: refuse to open an embedded store that does not exist yet. A reader pointed at a mistyped directory must
   * fail, not create an empty ledger there and report it as fine. Default true.
   */
  create?: boolean;
}

/** The event store and the checkpoint store that goes with it (each adapter keeps checkpoints in itself). */
export interface EventStorePorts {
  store: EventStore;
  checkpoints: CheckpointStore;
}

/**
 * The one place that chooses an adapter by configuration, for the service and the auditors' CLI alike, so that
 * nothing above the port knows which store runs.
 */
export async function openEventStore(config: EventStoreConfig): Promise<EventStorePorts> {
  if (config.eventStoreConnectionString) {
    // Loaded only when selected, so the embedded default never loads the gRPC client.
    const { createEsdbEventStore } = await import('./esdb/esdb-event-store');
    const store = createEsdbEventStore(config.eventStoreConnectionString);
    return { store, checkpoints: store.checkpoints };
  }
  const file = join(config.dataDir, 'events.db');
  if (config.create === false && !existsSync(file)) throw new EventStoreError(`no event store at ${file}`);
  const store = new SqliteEventStore({ file });
  return { store, checkpoints: store };
}
