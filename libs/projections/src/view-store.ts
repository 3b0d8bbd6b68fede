import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StoredEvent } from '@ledger/event-store';
import { ClientRow, ConsentRow, ConsentStatus, LedgerEvent, TokenRow, viewChanges } from './ledger-views';

/**
 * Bumped whenever a view's layout changes: views are derived, so an older file is dropped and rebuilt from the log.
 * (Version 2 kept tokens in insertion order behind a narrow hash-key index: a faster rebuild, but two tree descents
 * per introspection, which cost more than it saved once a million tokens outgrew the page cache. Version 4: a token
 * row is never revived by a second TokenIssued; an older file may hold rows that were, so it is rebuilt.)
 */
const VIEW_SCHEMA_VERSION = 4;

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

/** A change to one token row: an insert (row) or the token's end. */
interface TokenChange {
  hash: string;
  row?: TokenRow;
}

/**
 * Thrown by the token lookups while a rebuild from position 0 is staging the token view (see startRebuild): the
 * answer is not known yet, and "inactive" would be a wrong answer, not a safe one. The HTTP layer turns it into a
 * 503 with Retry-After; the instance is not ready meanwhile, so a load balancer sends nothing here anyway.
 */
export class ViewsRebuildingError extends Error {
  constructor() {
    super('The token view is being rebuilt; retry shortly');
    this.name = 'ViewsRebuildingError';
  }
}

/**
 * Token changes during a rebuild from 0, in log order: appended to plain rowid tables (sequential writes, no tree
 * descent per row), then folded into the token tree in one sorted pass at the end (finishRebuild).
 */
/**
 * A rebuild stages only when the history is long: a catch-up batch this large. A short history (a fresh install, a
 * test) is applied row by row as live events are, so its token lookups never wait for a rebuild to finish.
 */
const STAGE_FROM_BATCH = 5_000;

const STAGING_SCHEMA = `
CREATE TABLE IF NOT EXISTS rebuild_token_issues (
  pos INTEGER NOT NULL, token_hash TEXT NOT NULL, token_id TEXT NOT NULL, consent_id TEXT NOT NULL, client_id TEXT NOT NULL,
  sub TEXT NOT NULL, scope TEXT NOT NULL, iat INTEGER NOT NULL, exp INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rebuild_token_ends (pos INTEGER NOT NULL, token_hash TEXT NOT NULL);
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
  private db: Database.Database;
  private readonly s: ReturnType<ViewStore['prepare']>;
  private readonly applyBatch: (events: StoredEvent[]) => void;
  /** True between startRebuild() and finishRebuild(). */
  private rebuildingFromZero = false;
  /** True once a rebuild from 0 met a large batch (STAGE_FROM_BATCH): token changes go to the staging tables. */
  private staging = false;
  private stagingStmts?: { issue: Database.Statement<[number, string, string, string, string, string, string, number, number]>; end: Database.Statement<[number, string]> };

  constructor(
    readonly file: string,
    /** Batch size from which a rebuild from 0 stages the token view; tests lower it to reach both paths. */
    private readonly stageFromBatch = STAGE_FROM_BATCH,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = ViewStore.open(file);
    // Another layout, or a rebuild that never finished (it runs without a journal, see startRebuild): start over.
    if (ViewStore.version(this.db) !== VIEW_SCHEMA_VERSION) {
      this.db.close();
      ViewStore.destroy(file);
      this.db = ViewStore.open(file);
      this.db.pragma(`user_version = ${VIEW_SCHEMA_VERSION}`);
    }
    this.db.exec(SCHEMA);
    this.s = this.prepare();
    this.applyBatch = this.db.transaction((events: StoredEvent[]) => {
      if (this.rebuildingFromZero && !this.staging && events.length >= this.stageFromBatch) this.beginStaging();
      if (this.staging) {
        for (const e of events) this.applyOne(e, undefined);
        this.s.saveCheckpoint.run(events[events.length - 1].position);
        return;
      }
      const tokenChanges: TokenChange[] = [];
      for (const e of events) this.applyOne(e, tokenChanges);
      // Token rows are keyed by random hashes: applied in event order, every write lands on a random page of the
      // tree. Applied in hash order, neighbouring writes share pages. A token's changes touch only its own row and
      // a stable sort keeps them in event order, so the outcome is the same.
      tokenChanges.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
      for (const t of tokenChanges) {
        if (t.row) this.s.insertToken.run(t.hash, t.row.tokenId, t.row.consentId, t.row.clientId, t.row.sub, t.row.scope, t.row.iat, t.row.exp);
        else this.s.endToken.run(t.hash);
      }
      this.s.saveCheckpoint.run(events[events.length - 1].position);
    });
  }

  private static open(file: string): Database.Database {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    // NORMAL is enough: views are derived, and a lost tail is re-applied from the checkpoint committed with it.
    db.pragma('synchronous = NORMAL');
    // Token rows are keyed by random hashes; a 64 MB page cache keeps the upper levels of the tree and many leaves.
    db.pragma('cache_size = -65536');
    return db;
  }

  private static version(db: Database.Database): number {
    try {
      return db.pragma('user_version', { simple: true }) as number;
    } catch {
      return -1;
    }
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
        // OR IGNORE: a second TokenIssued for a hash never revives it (revocation always wins; see docs/design.md).
        'INSERT OR IGNORE INTO tokens (token_hash, token_id, consent_id, client_id, sub, scope, iat, exp, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)',
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
   * Before a rebuild from position 0. A million random-keyed inserts into the token tree, each descending to a leaf
   * that is rarely in the page cache, were most of a rebuild's time; so until the rebuild has caught up, token
   * changes are appended in log order to two staging tables, and finishRebuild() folds them into the tree in one
   * pass sorted by hash. The secondary indexes are dropped too and created once at the end, far cheaper than row by
   * row. The rebuild also runs without a write-ahead log or fsync: nothing in the file is worth protecting until it
   * has caught up. user_version 0 marks the file as unfinished meanwhile, so a crash mid-rebuild makes the next
   * start throw the file away and rebuild again, instead of trusting half-written pages. Staging starts with the
   * first large batch (STAGE_FROM_BATCH), so a short history is applied as live events are. Consent and client
   * views stay queryable during the rebuild; while tokens are staged, token lookups throw ViewsRebuildingError, and
   * the service is not ready until it is done.
   */
  startRebuild(): boolean {
    if (this.checkpoint() !== undefined) return false;
    this.db.exec('DROP INDEX IF EXISTS tokens_by_id; DROP INDEX IF EXISTS consents_by_user; DROP INDEX IF EXISTS consents_by_client;');
    this.db.exec('DROP TABLE IF EXISTS rebuild_token_issues; DROP TABLE IF EXISTS rebuild_token_ends;');
    this.rebuildingFromZero = true;
    this.db.pragma('user_version = 0');
    this.db.pragma('journal_mode = MEMORY');
    this.db.pragma('synchronous = OFF');
    return true;
  }

  /** Runs inside the first large batch's transaction. Tokens applied row by row before it stay where they are. */
  private beginStaging(): void {
    this.db.exec(STAGING_SCHEMA);
    this.stagingStmts = {
      issue: this.db.prepare(
        'INSERT INTO rebuild_token_issues (pos, token_hash, token_id, consent_id, client_id, sub, scope, iat, exp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      end: this.db.prepare('INSERT INTO rebuild_token_ends (pos, token_hash) VALUES (?, ?)'),
    };
    this.staging = true;
  }

  /**
   * Folds the staged token changes into the token tree, re-creates what startRebuild() dropped, returns to WAL, and
   * marks the file complete. Idempotent.
   *
   * The fold gives what applying the changes one by one in log order gives (the live path). Rows already in the
   * tree were applied before staging began, so every staged end is later than them and ends them. Staged issues
   * are then written in (hash, position) order with INSERT OR IGNORE, so the first issue of a hash wins, as on the
   * live path, and a row is active unless an end of that hash comes later in the log than that issue.
   */
  finishRebuild(): void {
    if (this.staging) {
      this.db.transaction(() => {
        this.db.exec(`
          CREATE INDEX rebuild_token_ends_by_hash ON rebuild_token_ends (token_hash, pos);
          UPDATE tokens SET active = 0 WHERE active = 1 AND token_hash IN (SELECT token_hash FROM rebuild_token_ends);
          INSERT OR IGNORE INTO tokens (token_hash, token_id, consent_id, client_id, sub, scope, iat, exp, active)
            SELECT i.token_hash, i.token_id, i.consent_id, i.client_id, i.sub, i.scope, i.iat, i.exp,
                   NOT EXISTS (SELECT 1 FROM rebuild_token_ends e WHERE e.token_hash = i.token_hash AND e.pos > i.pos)
            FROM rebuild_token_issues i ORDER BY i.token_hash, i.pos;
          DROP TABLE rebuild_token_issues;
          DROP TABLE rebuild_token_ends;
        `);
      })();
      this.staging = false;
      this.stagingStmts = undefined;
    }
    this.rebuildingFromZero = false;
    this.db.exec(SCHEMA);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`user_version = ${VIEW_SCHEMA_VERSION}`);
  }

  /** Position of the last event applied, or undefined when the views are empty. */
  checkpoint(): number | undefined {
    return this.s.checkpoint.get()?.position;
  }

  /** Applies a batch of stored events and advances the checkpoint, atomically. */
  apply(events: StoredEvent[]): void {
    if (events.length > 0) this.applyBatch(events);
  }

  /** `tokenChanges` collects the token changes of a live batch; undefined while staging a rebuild. */
  private applyOne(event: StoredEvent, tokenChanges: TokenChange[] | undefined): void {
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
          if (tokenChanges) tokenChanges.push({ hash: r.tokenHash, row: r });
          else this.stagingStmts!.issue.run(event.position, r.tokenHash, r.tokenId, r.consentId, r.clientId, r.sub, r.scope, r.iat, r.exp);
          break;
        }
        case 'tokensEnded':
          for (const hash of change.tokenHashes) {
            if (tokenChanges) tokenChanges.push({ hash });
            else this.stagingStmts!.end.run(event.position, hash);
          }
          break;
        default: {
          const _exhaustive: never = change;
        }
      }
    }
  }

  /** The token validity view. Undefined when the hash is unknown. */
  token(tokenHash: string): TokenRow | undefined {
    if (this.staging) throw new ViewsRebuildingError();
    const r = this.s.tokenByHash.get(tokenHash);
    if (!r) return undefined;
    return { tokenHash, tokenId: r.token_id, consentId: r.consent_id, clientId: r.client_id, sub: r.sub, scope: r.scope, iat: r.iat, exp: r.exp, active: r.active === 1 };
  }

  tokenById(tokenId: string): TokenRow | undefined {
    if (this.staging) throw new ViewsRebuildingError();
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

  /** False while a rebuild from 0 is staging the token view: token lookups would throw ViewsRebuildingError. */
  get tokensAvailable(): boolean {
    return !this.staging;
  }

  activeTokenCount(): number {
    if (this.staging) throw new ViewsRebuildingError();
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
