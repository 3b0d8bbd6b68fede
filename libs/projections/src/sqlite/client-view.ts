import type Database from 'better-sqlite3';
import type { ClientStatus } from '@ledger/domain';
import type { ClientView } from '../client-view.port';
import type { ClientRow, ClientSecretRow, ViewChange } from '../ledger-views';
import { ViewsRebuildingError } from '../views-rebuilding.error';

/**
 * allowed_scopes is space-delimited (scopes hold no space), NULL for any scope: the token view reads this table to
 * end the tokens of a client that is not active or no longer allows a scope they carry (token-view.ts).
 */
const CLIENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS clients (
  client_id TEXT PRIMARY KEY, name TEXT NOT NULL, allowed_scopes TEXT, terms_url TEXT, status TEXT NOT NULL,
  registered_at TEXT NOT NULL, updated_at TEXT NOT NULL, revision INTEGER NOT NULL, not_before TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS client_secrets (
  client_id TEXT NOT NULL, secret_id TEXT NOT NULL, secret_hash TEXT NOT NULL, added_at TEXT NOT NULL,
  valid_until TEXT, revoked_at TEXT, PRIMARY KEY (client_id, secret_id)
) WITHOUT ROWID;
`;

interface SecretDbRow {
  client_id: string;
  secret_id: string;
  secret_hash: string;
  added_at: string;
  valid_until: string | null;
  revoked_at: string | null;
}

interface ClientDbRow {
  client_id: string;
  name: string;
  allowed_scopes: string | null;
  terms_url: string | null;
  status: ClientStatus;
  registered_at: string;
  updated_at: string;
  revision: number;
  not_before: string | null;
}

type ClientUpdate = Extract<ViewChange, { kind: 'clientUpdate' }>;
type SecretsEnd = Extract<ViewChange, { kind: 'clientSecretsEnd' }>;
type SecretRevoked = Extract<ViewChange, { kind: 'clientSecretRevoked' }>;

/** The client view in SQLite: one row per client ever registered, deleted ones included (history is kept). */
export class SqliteClientView implements ClientView {
  private unreadable?: Error;
  private readonly s: ReturnType<SqliteClientView['prepare']>;

  /**
   * Creates the clients table: before the token view, whose lookups read it. `rebuilding` says whether the views are
   * being rebuilt from an empty file: secrets are not answered meanwhile (see secrets()).
   */
  constructor(
    private readonly db: Database.Database,
    private readonly rebuilding: () => boolean = () => false,
  ) {
    db.exec(CLIENT_SCHEMA);
    this.s = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      upsert: db.prepare<[string, string, string | null, string | null, string, string, string, number, string | null]>(
        'INSERT OR REPLACE INTO clients (client_id, name, allowed_scopes, terms_url, status, registered_at, updated_at, revision, not_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      client: db.prepare<[string], ClientDbRow>('SELECT * FROM clients WHERE client_id = ?'),
      first: db.prepare<[number], ClientDbRow>('SELECT * FROM clients ORDER BY client_id LIMIT ?'),
      after: db.prepare<[string, number], ClientDbRow>('SELECT * FROM clients WHERE client_id > ? ORDER BY client_id LIMIT ?'),
      addSecret: db.prepare<[string, string, string, string]>(
        'INSERT OR IGNORE INTO client_secrets (client_id, secret_id, secret_hash, added_at) VALUES (?, ?, ?, ?)',
      ),
      // A window never grows: a secret that already ends earlier keeps its end.
      endSecret: db.prepare<[string, string, string, string]>(
        'UPDATE client_secrets SET valid_until = ? WHERE client_id = ? AND secret_id = ? AND (valid_until IS NULL OR valid_until > ?)',
      ),
      revokeSecret: db.prepare<[string, string, string]>('UPDATE client_secrets SET revoked_at = ? WHERE client_id = ? AND secret_id = ? AND revoked_at IS NULL'),
      secrets: db.prepare<[string], SecretDbRow>('SELECT * FROM client_secrets WHERE client_id = ? ORDER BY added_at, secret_id'),
    };
  }

  client(clientId: string): ClientRow | undefined {
    const r = this.s.client.get(clientId);
    return r && toClient(r);
  }

  clients({ after, limit }: { after?: string; limit: number }): ClientRow[] {
    return (after === undefined ? this.s.first.all(limit) : this.s.after.all(after, limit)).map(toClient);
  }

  /** A new client; call inside the batch's transaction. */
  upsert(r: ClientRow): void {
    const scopes = r.allowedScopes === null ? null : r.allowedScopes.join(' ');
    this.s.upsert.run(r.clientId, r.name, scopes, r.termsUrl, r.status, r.registeredAt, r.updatedAt, r.revision, r.notBefore);
  }

  /** A change to a client; a no-op when the client is absent. Call inside the batch's transaction. Rare: read, merge, write. */
  update(change: ClientUpdate): void {
    const current = this.client(change.clientId);
    if (current) this.upsert({ ...current, ...change.set, updatedAt: change.updatedAt, revision: change.revision });
  }

  /**
   * Throws ViewsRebuildingError while the views are rebuilt from an empty file: until the rebuild has caught up, a
   * secret's revocation, or its client's disable, may not be in the table yet, and a secret must never authenticate
   * on a view that has not seen its end. (Client reads stay answered: a stale row only delays news.)
   */
  secrets(clientId: string): ClientSecretRow[] {
    // And so after an event the views could not read (ViewStore.apply): it may be that secret's revocation.
    if (this.unreadable) throw this.unreadable;
    if (this.rebuilding()) throw new ViewsRebuildingError();
    return this.s.secrets.all(clientId).map(toSecret);
  }

  /** See SqliteTokenView.markUnreadable. */
  markUnreadable(error: Error): void {
    this.unreadable = error;
  }

  /** Call inside the batch's transaction, as for the changes below. */
  addSecret(r: ClientSecretRow): void {
    this.s.addSecret.run(r.clientId, r.secretId, r.secretHash, r.addedAt);
  }

  /** ISO instants from toISOString() compare as strings in time order. */
  endSecrets(change: SecretsEnd): void {
    for (const id of change.secretIds) this.s.endSecret.run(change.validUntil, change.clientId, id, change.validUntil);
  }

  revokeSecret(change: SecretRevoked): void {
    this.s.revokeSecret.run(change.revokedAt, change.clientId, change.secretId);
  }

  /** Every row, in a stable order: lets tests prove that a rebuild equals the live view. */
  snapshot(): unknown[] {
    return this.db.prepare('SELECT * FROM clients ORDER BY client_id').all();
  }

  secretsSnapshot(): unknown[] {
    return this.db.prepare('SELECT * FROM client_secrets ORDER BY client_id, secret_id').all();
  }
}

function toSecret(r: SecretDbRow): ClientSecretRow {
  return { clientId: r.client_id, secretId: r.secret_id, secretHash: r.secret_hash, addedAt: r.added_at, validUntil: r.valid_until, revokedAt: r.revoked_at };
}

function toClient(r: ClientDbRow): ClientRow {
  return {
    clientId: r.client_id,
    name: r.name,
    allowedScopes: r.allowed_scopes === null ? null : r.allowed_scopes.split(' '),
    termsUrl: r.terms_url,
    status: r.status,
    registeredAt: r.registered_at,
    updatedAt: r.updated_at,
    revision: r.revision,
    notBefore: r.not_before,
  };
}
