import type Database from 'better-sqlite3';
import type { ClientStatus } from '@ledger/domain';
import type { ClientView } from '../client-view.port';
import type { ClientRow, ViewChange } from '../ledger-views';

/**
 * allowed_scopes is space-delimited (scopes hold no space), NULL for any scope: the token view reads this table to
 * end the tokens of a client that is not active or no longer allows a scope they carry (token-view.ts).
 */
const CLIENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS clients (
  client_id TEXT PRIMARY KEY, name TEXT NOT NULL, allowed_scopes TEXT, terms_url TEXT, status TEXT NOT NULL,
  registered_at TEXT NOT NULL, updated_at TEXT NOT NULL, revision INTEGER NOT NULL, not_before TEXT
) WITHOUT ROWID;
`;

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

/** The client view in SQLite: one row per client ever registered, deleted ones included (history is kept). */
export class SqliteClientView implements ClientView {
  private readonly s: ReturnType<SqliteClientView['prepare']>;

  /** Creates the clients table: before the token view, whose lookups read it. */
  constructor(private readonly db: Database.Database) {
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

  /** Every row, in a stable order: lets tests prove that a rebuild equals the live view. */
  snapshot(): unknown[] {
    return this.db.prepare('SELECT * FROM clients ORDER BY client_id').all();
  }
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
