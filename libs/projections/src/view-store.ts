import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StoredEvent } from '@ledger/event-store';
import { ClientRow, ConsentRow, ConsentStatus, LedgerEvent, TokenRow, viewChanges } from './ledger-views';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS clients (
  client_id TEXT PRIMARY KEY, name TEXT NOT NULL, allowed_scopes TEXT, terms_url TEXT, registered_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS consents (
  consent_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, client_id TEXT NOT NULL, scopes TEXT NOT NULL, status TEXT NOT NULL,
  granted_at TEXT NOT NULL, updated_at TEXT NOT NULL, revoked_at TEXT, revision INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS consents_by_user ON consents (user_id, status);
CREATE INDEX IF NOT EXISTS consents_by_client ON consents (client_id, status);
CREATE TABLE IF NOT EXISTS tokens (
  token_hash TEXT PRIMARY KEY, token_id TEXT NOT NULL, consent_id TEXT NOT NULL, client_id TEXT NOT NULL, sub TEXT NOT NULL,
  scope TEXT NOT NULL, iat INTEGER NOT NULL, exp INTEGER NOT NULL, active INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tokens_by_id ON tokens (token_id);
CREATE TABLE IF NOT EXISTS view_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 0), position INTEGER NOT NULL);
`;

interface ConsentDbRow {
  consent_id: string;
  user_id: string;
  client_id: string;
  scopes: string;
  status: ConsentStatus;
  granted_at: string;
  updated_at: string;
  revoked_at: string | null;
  revision: number;
}

/**
 * The views of one ledger instance, in their own SQLite file. Views and their checkpoint change in the same
 * transaction, so a restart resumes exactly where the last applied batch ended: never a step lost or applied twice.
 * Deleting the file rebuilds everything from position 0.
 */
export class ViewStore {
  private readonly db: Database.Database;
  private readonly s: ReturnType<ViewStore['prepare']>;
  private readonly applyBatch: (events: StoredEvent[]) => void;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is enough: views are derived, and a lost tail is re-applied from the checkpoint committed with it.
    this.db.pragma('synchronous = NORMAL');
    // The token view is keyed by random hashes, so every insert lands on a random page of a tree that reaches
    // hundreds of MB at a million tokens. SQLite's default 2 MB page cache made each insert re-read pages through
    // the OS; 64 MB keeps the upper levels and much of the leaves in memory (a 200k-event rebuild ran 2.5x faster;
    // at 1M events the tree outgrows it and the catch-up batch size in ProjectionRunner matters more).
    this.db.pragma('cache_size = -65536');
    this.db.exec(SCHEMA);
    this.s = this.prepare();
    this.applyBatch = this.db.transaction((events: StoredEvent[]) => {
      for (const e of events) this.applyOne(e);
      this.s.saveCheckpoint.run(events[events.length - 1].position);
    });
  }

  private prepare() {
    const db = this.db;
    return {
      checkpoint: db.prepare<[], { position: number }>('SELECT position FROM view_checkpoint WHERE id = 0'),
      saveCheckpoint: db.prepare<[number]>(
        'INSERT INTO view_checkpoint (id, position) VALUES (0, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position',
      ),
      upsertClient: db.prepare<[string, string, string | null, string | null, string]>(
        'INSERT OR REPLACE INTO clients (client_id, name, allowed_scopes, terms_url, registered_at) VALUES (?, ?, ?, ?, ?)',
      ),
      upsertConsent: db.prepare<[string, string, string, string, string, string, string, string | null, number]>(
        'INSERT OR REPLACE INTO consents (consent_id, user_id, client_id, scopes, status, granted_at, updated_at, revoked_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      updateConsent: db.prepare<[string, string, string, string | null, number, string]>(
        'UPDATE consents SET scopes = ?, status = ?, updated_at = ?, revoked_at = ?, revision = ? WHERE consent_id = ?',
      ),
      insertToken: db.prepare<[string, string, string, string, string, string, number, number]>(
        'INSERT OR REPLACE INTO tokens (token_hash, token_id, consent_id, client_id, sub, scope, iat, exp, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)',
      ),
      endToken: db.prepare<[string]>('UPDATE tokens SET active = 0 WHERE token_hash = ?'),
      tokenByHash: db.prepare<[string], { token_id: string; consent_id: string; client_id: string; sub: string; scope: string; iat: number; exp: number; active: number }>(
        'SELECT token_id, consent_id, client_id, sub, scope, iat, exp, active FROM tokens WHERE token_hash = ?',
      ),
      tokenById: db.prepare<[string], { token_hash: string }>('SELECT token_hash FROM tokens WHERE token_id = ?'),
      client: db.prepare<[string], { client_id: string; name: string; allowed_scopes: string | null; terms_url: string | null; registered_at: string }>(
        'SELECT * FROM clients WHERE client_id = ?',
      ),
      consent: db.prepare<[string], ConsentDbRow>('SELECT * FROM consents WHERE consent_id = ?'),
      consentsByUser: db.prepare<[string], ConsentDbRow>('SELECT * FROM consents WHERE user_id = ? ORDER BY granted_at, consent_id'),
      activeConsentsByUser: db.prepare<[string], ConsentDbRow>(
        "SELECT * FROM consents WHERE user_id = ? AND status = 'active' ORDER BY granted_at, consent_id",
      ),
      consentsByClient: db.prepare<[string], ConsentDbRow>('SELECT * FROM consents WHERE client_id = ? ORDER BY granted_at, consent_id'),
      activeTokenCount: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM tokens WHERE active = 1'),
    };
  }

  /**
   * Before a rebuild from position 0: drops the secondary indexes, so that each insert writes one B-tree instead
   * of two or three (they are keyed by random hashes, so every insert costs a page write per tree). finishRebuild()
   * creates them again in one sorted pass, which is far cheaper than maintaining them row by row. Queries stay
   * correct meanwhile, only slower, and the service is not ready until the rebuild is done. A crash in between is
   * harmless: the constructor's CREATE INDEX IF NOT EXISTS restores them at the next start.
   */
  startRebuild(): boolean {
    if (this.checkpoint() !== undefined) return false;
    this.db.exec('DROP INDEX IF EXISTS tokens_by_id; DROP INDEX IF EXISTS consents_by_user; DROP INDEX IF EXISTS consents_by_client;');
    return true;
  }

  /** Re-creates what startRebuild() dropped. Idempotent. */
  finishRebuild(): void {
    this.db.exec(SCHEMA);
  }

  /** Position of the last event applied, or undefined when the views are empty. */
  checkpoint(): number | undefined {
    return this.s.checkpoint.get()?.position;
  }

  /** Applies a batch of stored events and advances the checkpoint, atomically. */
  apply(events: StoredEvent[]): void {
    if (events.length > 0) this.applyBatch(events);
  }

  private applyOne(event: StoredEvent): void {
    for (const change of viewChanges(event as unknown as LedgerEvent, event.revision)) {
      switch (change.kind) {
        case 'client': {
          const r = change.row;
          this.s.upsertClient.run(r.clientId, r.name, r.allowedScopes ? JSON.stringify(r.allowedScopes) : null, r.termsUrl, r.registeredAt);
          break;
        }
        case 'consent': {
          const r = change.row;
          this.s.upsertConsent.run(r.consentId, r.userId, r.clientId, r.scopes.join(' '), r.status, r.grantedAt, r.updatedAt, r.revokedAt, r.revision);
          break;
        }
        case 'consentUpdate':
          this.s.updateConsent.run(change.scopes.join(' '), change.status, change.updatedAt, change.revokedAt, change.revision, change.consentId);
          break;
        case 'tokenIssued': {
          const r = change.row;
          this.s.insertToken.run(r.tokenHash, r.tokenId, r.consentId, r.clientId, r.sub, r.scope, r.iat, r.exp);
          break;
        }
        case 'tokensEnded':
          for (const hash of change.tokenHashes) this.s.endToken.run(hash);
          break;
        default: {
          const _exhaustive: never = change;
        }
      }
    }
  }

  /** The token validity view. Undefined when the hash is unknown. */
  token(tokenHash: string): TokenRow | undefined {
    const r = this.s.tokenByHash.get(tokenHash);
    if (!r) return undefined;
    return { tokenHash, tokenId: r.token_id, consentId: r.consent_id, clientId: r.client_id, sub: r.sub, scope: r.scope, iat: r.iat, exp: r.exp, active: r.active === 1 };
  }

  tokenById(tokenId: string): TokenRow | undefined {
    const r = this.s.tokenById.get(tokenId);
    return r && this.token(r.token_hash);
  }

  client(clientId: string): ClientRow | undefined {
    const r = this.s.client.get(clientId);
    if (!r) return undefined;
    return { clientId: r.client_id, name: r.name, allowedScopes: r.allowed_scopes ? JSON.parse(r.allowed_scopes) : null, termsUrl: r.terms_url, registeredAt: r.registered_at };
  }

  consent(consentId: string): ConsentRow | undefined {
    const r = this.s.consent.get(consentId);
    return r && toConsent(r);
  }

  consentsByUser(userId: string, status: 'active' | 'all'): ConsentRow[] {
    return (status === 'active' ? this.s.activeConsentsByUser : this.s.consentsByUser).all(userId).map(toConsent);
  }

  consentsByClient(clientId: string): ConsentRow[] {
    return this.s.consentsByClient.all(clientId).map(toConsent);
  }

  activeTokenCount(): number {
    return this.s.activeTokenCount.get()?.n ?? 0;
  }

  /** Every row of every view, in a stable order: lets tests prove that a rebuild equals the live views. */
  snapshot(): Record<string, unknown[]> {
    return {
      clients: this.db.prepare('SELECT * FROM clients ORDER BY client_id').all(),
      consents: this.db.prepare('SELECT * FROM consents ORDER BY consent_id').all(),
      tokens: this.db.prepare('SELECT * FROM tokens ORDER BY token_hash').all(),
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Drops the views so that the next start rebuilds them from position 0. */
  static destroy(file: string): void {
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}

function toConsent(r: ConsentDbRow): ConsentRow {
  return {
    consentId: r.consent_id,
    userId: r.user_id,
    clientId: r.client_id,
    scopes: r.scopes ? r.scopes.split(' ') : [],
    status: r.status,
    grantedAt: r.granted_at,
    updatedAt: r.updated_at,
    revokedAt: r.revoked_at,
    revision: r.revision,
  };
}
