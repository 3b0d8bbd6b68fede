import Database from 'better-sqlite3';
import { AppendResult, StoredEvent } from '../event-store.port';
import { EventStoreError, WrongExpectedVersionError } from '../event-store.errors';
import { GroupCommitWriter } from './sqlite-group-commit-writer';
import { EventStatements } from './sqlite-schema';

/** An event as another store recorded it; the position is assigned on import. */
export type RecordedEventToImport = Omit<StoredEvent, 'position'>;

/**
 * The import path of `ledger audit import`, below the port and on the embedded store only: writes events exactly
 * as another store recorded them (id, stream, revision, type, data, metadata, recordedAt) in one transaction.
 * Positions are assigned here, gap-free, as for any append. Each event must continue its stream at exactly the
 * next revision, so an import can only produce a coherent ledger; the caller checks the store was empty first.
 *
 * Synchronous: the import is the CLI's one long write, and it reports success only once it is on disk.
 */
export function importRecordedEvents(
  db: Database.Database,
  stmt: EventStatements,
  writer: GroupCommitWriter,
  events: readonly RecordedEventToImport[],
): AppendResult {
  let revision = -1;
  const head = writer.commitSynchronously((headBefore) => {
    let position = headBefore;
    try {
      db.transaction(() => {
        for (const e of events) {
          const current = stmt.streamHead.get(e.stream)?.revision ?? -1;
          if (e.revision !== current + 1) throw new WrongExpectedVersionError(e.stream, e.revision - 1, current);
          position += 1;
          revision = e.revision;
          stmt.insert.run(position, e.id, e.stream, e.revision, e.type, e.recordedAt, JSON.stringify(e.data), JSON.stringify(e.metadata));
        }
      })();
    } catch (error) {
      throw error instanceof EventStoreError ? error : new EventStoreError('Import failed', { cause: error });
    }
    return position;
  });
  return { nextRevision: revision, position: head };
}
