import type Database from 'better-sqlite3';
import type { UserRow } from '../ledger-views';
import type { UserView } from '../user-view.port';

/**
 * One row per user that has had a user-wide revocation or a not-before; most users never get one. The token view
 * reads this table at every lookup (token-view.ts), so it is created before the token view.
 */
const USER_SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  user_id TEXT PRIMARY KEY, revocations INTEGER NOT NULL, revoked_at TEXT, revoked_pos INTEGER, not_before TEXT, not_before_pos INTEGER
) WITHOUT ROWID;
`;

interface UserDbRow {
  user_id: string;
  revocations: number;
  revoked_at: string | null;
  revoked_pos: number | null;
  not_before: string | null;
  not_before_pos: number | null;
}

/** The user view in SQLite. */
export class SqliteUserView implements UserView {
  private readonly s: ReturnType<SqliteUserView['prepare']>;

  constructor(private readonly db: Database.Database) {
    db.exec(USER_SCHEMA);
    this.s = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      user: db.prepare<[string], UserDbRow>('SELECT * FROM users WHERE user_id = ?'),
      // Each only moves forward: a user-wide revocation carries its number, a not-before event its position.
      revoked: db.prepare<[string, number, string, number]>(
        `INSERT INTO users (user_id, revocations, revoked_at, revoked_pos) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET revocations = max(revocations, excluded.revocations), revoked_at = excluded.revoked_at,
           revoked_pos = max(coalesce(revoked_pos, -1), excluded.revoked_pos)`,
      ),
      notBefore: db.prepare<[string, string, number]>(
        `INSERT INTO users (user_id, revocations, not_before, not_before_pos) VALUES (?, 0, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET not_before = excluded.not_before, not_before_pos = max(coalesce(not_before_pos, -1), excluded.not_before_pos)`,
      ),
    };
  }

  user(userId: string): UserRow | undefined {
    const r = this.s.user.get(userId);
    return (
      r && { userId: r.user_id, revocations: r.revocations, revokedAt: r.revoked_at, revokedPosition: r.revoked_pos, notBefore: r.not_before, notBeforePosition: r.not_before_pos }
    );
  }

  /** Call inside the batch's transaction. */
  revoked(userId: string, revocation: number, revokedAt: string, position: number): void {
    this.s.revoked.run(userId, revocation, revokedAt, position);
  }

  /** Call inside the batch's transaction. */
  notBefore(userId: string, notBefore: string, position: number): void {
    this.s.notBefore.run(userId, notBefore, position);
  }

  /** Every row, in a stable order: lets tests prove that a rebuild equals the live view. */
  snapshot(): unknown[] {
    return this.db.prepare('SELECT * FROM users ORDER BY user_id').all();
  }
}
