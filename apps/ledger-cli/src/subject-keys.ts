import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SealedEventStore } from '@ledger/audit';
import type { EventStore } from '@ledger/event-store';
import { SqliteSubjectKeys, SUBJECT_KEK_FILE, SUBJECT_KEYS_FILE } from '../../ledger/src/infrastructure/subject-key-store';

/**
 * The service's subject key store, when the environment names it as the service's does (LEDGER_SECRETS_DIR or
 * LEDGER_SUBJECT_KEYS_DIR, and LEDGER_SUBJECT_KEK or the KEK file): the store read through it opens sealed fields, so
 * that a replay or an export can match a user (docs/privacy.md). Nothing is created: without an existing key store,
 * undefined, and only fields stored in clear (events from before sealing) can match.
 */
export function openSubjectKeys(env: NodeJS.ProcessEnv): { open(store: EventStore): SealedEventStore; close(): void } | undefined {
  const secretsDir = env.LEDGER_SECRETS_DIR?.trim() ? resolve(env.LEDGER_SECRETS_DIR.trim()) : undefined;
  const keysDir = env.LEDGER_SUBJECT_KEYS_DIR?.trim() ? resolve(env.LEDGER_SUBJECT_KEYS_DIR.trim()) : secretsDir;
  if (!keysDir || !existsSync(join(keysDir, SUBJECT_KEYS_FILE))) return undefined;
  const rawKek = env.LEDGER_SUBJECT_KEK?.trim() || (secretsDir && existsSync(join(secretsDir, SUBJECT_KEK_FILE)) ? readFileSync(join(secretsDir, SUBJECT_KEK_FILE), 'utf8').trim() : undefined);
  if (!rawKek) return undefined;
  const keys = new SqliteSubjectKeys(keysDir, Buffer.from(rawKek, 'base64'));
  return { open: (store) => new SealedEventStore(store, keys), close: () => keys.close() };
}

/** Said on stderr when a user is searched for without the key store. */
export const NO_KEYS_NOTE =
  'ledger: note: personal fields are stored sealed; without the subject key store (LEDGER_SECRETS_DIR, as the service has it) only events stored before sealing can match a user\n';
