import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SealedEventStore } from '@ledger/audit';
import { SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { SqliteSubjectKeys, SUBJECT_KEK_FILE } from '../../apps/ledger/src/infrastructure/subject-key-store';
import { secretsDirFor } from './ledger-app';

/**
 * The embedded log of a test's data directory, read straight from its file (the service may be down or killed), its
 * sealed personal fields opened with the service's subject key store beside it (docs/privacy.md), as the service's
 * readers see it. For the log as stored (what verify checks), open a SqliteEventStore alone.
 */
export async function readOpenedLog(dataDir: string): Promise<StoredEvent[]> {
  const store = new SqliteEventStore({ file: join(dataDir, 'events.db') });
  const keys = new SqliteSubjectKeys(secretsDirFor(dataDir), Buffer.from(readFileSync(join(secretsDirFor(dataDir), SUBJECT_KEK_FILE), 'utf8').trim(), 'base64'));
  try {
    const out: StoredEvent[] = [];
    for await (const e of new SealedEventStore(store, keys).readAll()) out.push(e);
    return out;
  } finally {
    await store.close();
    keys.close();
  }
}
