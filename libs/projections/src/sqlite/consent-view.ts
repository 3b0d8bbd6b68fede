import type Database from 'better-sqlite3';
import type { ConsentView } from '../consent-view.port';
import type { ConsentRow, ConsentStatus, DependentConsentRow, ViewChange } from '../ledger-views';
import { SqliteDependentConsentView } from './dependent-consent-view';

const CONSENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS consents (
  consent_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, client_id TEXT NOT NULL, scopes TEXT NOT NULL, status TEXT NOT NULL,
  granted_at TEXT NOT NULL, updated_at TEXT NOT NULL, revoked_at TEXT, revision INTEGER NOT NULL,
  after_user_revocation INTEGER NOT NULL, expires_at TEXT, pos INTEGER NOT NULL, allows_refresh INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS consents_by_user ON consents (user_id, status);
CREATE INDEX IF NOT EXISTS consents_by_client ON consents (client_id, pos);
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
  after_user_revocation: number;
  expires_at: string | null;
  pos: number;
  allows_refresh: number;
}

type ConsentUpdate = Extract<ViewChange, { kind: 'consentUpdate' }>;

/**
 * The consent view in SQLite: one row per consent, listed by user. The token view reads a token's consent row for
 * its after_user_revocation (token-view.ts): create this table before it.
 */
export class SqliteConsentView implements ConsentView {
  private readonly s: ReturnType<SqliteConsentView['prepare']>;
  /** The dependent consents, in a table of their own (dependent-consent-view.ts). */
  readonly dependents: SqliteDependentConsentView;

  constructor(private readonly db: Database.Database) {
    db.exec(CONSENT_SCHEMA);
    this.s = this.prepare();
    this.dependents = new SqliteDependentConsentView(db);
  }

  dependentConsent(consentId: string): DependentConsentRow | undefined {
    return this.dependents.dependentConsent(consentId);
  }

  dependentsOf(rootConsentId: string): DependentConsentRow[] {
    return this.dependents.dependentsOf(rootConsentId);
  }

  private prepare() {
    const db = this.db;
    return {
      upsert: db.prepare<[string, string, string, string, string, string, string, string | null, number, number, string | null, number, number]>(
        'INSERT OR REPLACE INTO consents (consent_id, user_id, client_id, scopes, status, granted_at, updated_at, revoked_at, revision, after_user_revocation, expires_at, pos, allows_refresh) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      // A null expiry in a change means "unchanged": only a renewal sets one, and no change removes one.
      update: db.prepare<[string, string, string, string | null, number, string | null, number, string]>(
        'UPDATE consents SET scopes = ?, status = ?, updated_at = ?, revoked_at = ?, revision = ?, expires_at = coalesce(?, expires_at), allows_refresh = max(allows_refresh, ?) WHERE consent_id = ?',
      ),
      // Keyset pages of a user's consents in grant order: after (granted_at, consent_id) of the last one shown.
      userPage: db.prepare<[string, string, string, string, number], ConsentDbRow>(
        'SELECT * FROM consents WHERE user_id = ? AND (granted_at > ? OR (granted_at = ? AND consent_id > ?)) ORDER BY granted_at, consent_id LIMIT ?',
      ),
      activeUserPage: db.prepare<[string, string, string, string, string, number], ConsentDbRow>(
        "SELECT * FROM consents WHERE user_id = ? AND (granted_at > ? OR (granted_at = ? AND consent_id > ?)) AND status = 'active' AND (expires_at IS NULL OR expires_at > ?) ORDER BY granted_at, consent_id LIMIT ?",
      ),
      // Expiry instants are ISO strings of one format (toISOString), so they compare as strings.
      byClient: db.prepare<[string, number, number], ConsentDbRow>('SELECT * FROM consents WHERE client_id = ? AND pos > ? ORDER BY pos LIMIT ?'),
      activeByClient: db.prepare<[string, number, string, number], ConsentDbRow>(
        "SELECT * FROM consents WHERE client_id = ? AND pos > ? AND status = 'active' AND (expires_at IS NULL OR expires_at > ?) ORDER BY pos LIMIT ?",
      ),
      consent: db.prepare<[string], ConsentDbRow>('SELECT * FROM consents WHERE consent_id = ?'),
      byUser: db.prepare<[string], ConsentDbRow>('SELECT * FROM consents WHERE user_id = ? ORDER BY granted_at, consent_id'),
      activeByUser: db.prepare<[string], ConsentDbRow>("SELECT * FROM consents WHERE user_id = ? AND status = 'active' ORDER BY granted_at, consent_id"),
    };
  }

  consent(consentId: string): ConsentRow | undefined {
    const r = this.s.consent.get(consentId);
    return r && toConsent(r);
  }

  consentsByUser(userId: string, status: 'active' | 'all'): ConsentRow[] {
    return (status === 'active' ? this.s.activeByUser : this.s.byUser).all(userId).map(toConsent);
  }

  consentsOfUser(userId: string, options: { after?: { grantedAt: string; consentId: string }; limit: number; activeAt?: Date }): ConsentRow[] {
    // '' sorts before every instant and every id: no cursor starts at the beginning.
    const { grantedAt, consentId } = options.after ?? { grantedAt: '', consentId: '' };
    const rows = options.activeAt
      ? this.s.activeUserPage.all(userId, grantedAt, grantedAt, consentId, options.activeAt.toISOString(), options.limit)
      : this.s.userPage.all(userId, grantedAt, grantedAt, consentId, options.limit);
    return rows.map(toConsent);
  }

  consentsByClient(clientId: string, options: { afterPosition?: number; limit: number; activeAt?: Date }): ConsentRow[] {
    const after = options.afterPosition ?? -1;
    const rows = options.activeAt
      ? this.s.activeByClient.all(clientId, after, options.activeAt.toISOString(), options.limit)
      : this.s.byClient.all(clientId, after, options.limit);
    return rows.map(toConsent);
  }

  /** A new consent; call inside the batch's transaction. */
  upsert(r: ConsentRow): void {
    const scopes = r.scopes.join(' ');
    this.s.upsert.run(r.consentId, r.userId, r.clientId, scopes, r.status, r.grantedAt, r.updatedAt, r.revokedAt, r.revision, r.afterUserRevocation, r.expiresAt, r.position, r.allowsRefresh ? 1 : 0);
  }

  /** A change to a consent; a no-op when the consent is absent. Call inside the batch's transaction. */
  update(change: ConsentUpdate): void {
    this.s.update.run(change.scopes.join(' '), change.status, change.updatedAt, change.revokedAt, change.revision, change.expiresAt ?? null, change.allowsRefresh ? 1 : 0, change.consentId);
  }

  /** A rebuild from 0 drops the secondary indexes and creates them once at the end, far cheaper than row by row. */
  dropIndexes(): void {
    this.db.exec('DROP INDEX IF EXISTS consents_by_user; DROP INDEX IF EXISTS consents_by_client;');
  }

  createIndexes(): void {
    this.db.exec(CONSENT_SCHEMA);
  }

  /** Every row, in a stable order: lets tests prove that a rebuild equals the live view. */
  snapshot(): unknown[] {
    return [...this.db.prepare('SELECT * FROM consents ORDER BY consent_id').all(), ...this.dependents.snapshot()];
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
    afterUserRevocation: r.after_user_revocation,
    expiresAt: r.expires_at,
    position: r.pos,
    allowsRefresh: r.allows_refresh === 1,
  };
}
