import type Database from 'better-sqlite3';
import type { ConsentStatus, DependentConsentRow, ViewChange } from '../view-rows';

/**
 * Dependent consents, apart from the consents table: they are keyed by their root and path, not by (user, client),
 * and the readers of the consents table (lists by user and by client, the user-wide fan-out, the token lookups) keep
 * meaning the consents granted to a client directly. A dependent consent's expiry and the user's revocations are its
 * root's, read from the root's row.
 */
const DEPENDENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS dependent_consents (
  consent_id TEXT PRIMARY KEY, root_consent_id TEXT NOT NULL, parent_consent_id TEXT NOT NULL, user_id TEXT NOT NULL,
  client_id TEXT NOT NULL, scope TEXT NOT NULL, dependency_path TEXT NOT NULL, status TEXT NOT NULL, granted_at TEXT NOT NULL,
  revoked_at TEXT, revision INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dependent_consents_by_root ON dependent_consents (root_consent_id, granted_at);
`;

interface DependentDbRow {
  consent_id: string;
  root_consent_id: string;
  parent_consent_id: string;
  user_id: string;
  client_id: string;
  scope: string;
  dependency_path: string;
  status: ConsentStatus;
  granted_at: string;
  revoked_at: string | null;
  revision: number;
}

type Revoked = Extract<ViewChange, { kind: 'dependentConsentRevoked' }>;

export class SqliteDependentConsentView {
  private readonly s: ReturnType<SqliteDependentConsentView['prepare']>;

  constructor(private readonly db: Database.Database) {
    db.exec(DEPENDENT_SCHEMA);
    this.s = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      upsert: db.prepare<[string, string, string, string, string, string, string, string, string, string | null, number]>(
        'INSERT OR REPLACE INTO dependent_consents (consent_id, root_consent_id, parent_consent_id, user_id, client_id, scope, dependency_path, status, granted_at, revoked_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      revoke: db.prepare<[string, number, string]>("UPDATE dependent_consents SET status = 'revoked', revoked_at = ?, revision = ? WHERE consent_id = ?"),
      one: db.prepare<[string], DependentDbRow>('SELECT * FROM dependent_consents WHERE consent_id = ?'),
      ofRoot: db.prepare<[string], DependentDbRow>('SELECT * FROM dependent_consents WHERE root_consent_id = ? ORDER BY granted_at, dependency_path'),
    };
  }

  dependentConsent(consentId: string): DependentConsentRow | undefined {
    const r = this.s.one.get(consentId);
    return r && toRow(r);
  }

  /** The whole tree under a root, in grant order (then by path: a parent before its children). */
  dependentsOf(rootConsentId: string): DependentConsentRow[] {
    return this.s.ofRoot.all(rootConsentId).map(toRow);
  }

  upsert(r: DependentConsentRow): void {
    this.s.upsert.run(r.consentId, r.rootConsentId, r.parentConsentId, r.userId, r.clientId, r.scope, JSON.stringify(r.dependencyPath), r.status, r.grantedAt, r.revokedAt, r.revision);
  }

  revoke(change: Revoked): void {
    this.s.revoke.run(change.revokedAt, change.revision, change.consentId);
  }

  snapshot(): unknown[] {
    return this.db.prepare('SELECT * FROM dependent_consents ORDER BY consent_id').all();
  }
}

function toRow(r: DependentDbRow): DependentConsentRow {
  return {
    consentId: r.consent_id,
    rootConsentId: r.root_consent_id,
    parentConsentId: r.parent_consent_id,
    userId: r.user_id,
    clientId: r.client_id,
    scope: r.scope,
    dependencyPath: JSON.parse(r.dependency_path) as string[],
    status: r.status,
    grantedAt: r.granted_at,
    revokedAt: r.revoked_at,
    revision: r.revision,
  };
}
