import type Database from 'better-sqlite3';
import { userKey } from '@ledger/domain';

/** SQL function: the userKey of a user id (libs/domain ids.ts), deterministic so that an index may use it. */
export const USER_KEY = 'ledger_user_key';

/** On every connection to the views file, before anything else: the index below calls it on every write to consents. */
export function registerUserKey(db: Database.Database): void {
  db.function(USER_KEY, { deterministic: true }, (userId: unknown) => (typeof userId === 'string' ? userKey(userId) : null));
}

/**
 * What an erasure does to the views (docs/privacy.md): every row that names the subject names its pseudonym instead.
 * The rows stay, so that its consents still list their client, scopes and times, and the erasure's not-before (on the
 * pseudonym) still ends its tokens at lookup. Rows are found by the subject's userKey, which SubjectErased carries:
 * no key is needed, so an instance that applies the erasure after the key is gone (another instance on EventStoreDB)
 * erases its rows all the same. The views file runs with secure_delete, so the replaced cells are zeroed; scrubLog()
 * then empties the write-ahead log, whose older frames still hold the pages as they were.
 */
export class SubjectErasure {
  private readonly s: ReturnType<SubjectErasure['prepare']>;

  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE INDEX IF NOT EXISTS consents_by_user_key ON consents (${USER_KEY}(user_id))`);
    this.s = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      // Tokens carry the user in `sub`, with no index of their own: they are found by their consents, before those move.
      tokens: db.prepare<[string, string]>(`UPDATE tokens SET sub = ? WHERE consent_id IN (SELECT consent_id FROM consents WHERE ${USER_KEY}(user_id) = ?)`),
      // Dependent consents (a tree under a root) name the user too; found by their roots, before those move.
      dependents: db.prepare<[string, string]>(
        `UPDATE dependent_consents SET user_id = ? WHERE root_consent_id IN (SELECT consent_id FROM consents WHERE ${USER_KEY}(user_id) = ?)`,
      ),
      consents: db.prepare<[string, string]>(`UPDATE consents SET user_id = ? WHERE ${USER_KEY}(user_id) = ?`),
      // The users view is small (users with a user-wide revocation or a not-before): a scan.
      users: db.prepare<[string, string]>(`UPDATE OR IGNORE users SET user_id = ? WHERE ${USER_KEY}(user_id) = ?`),
      dropUser: db.prepare<[string]>(`DELETE FROM users WHERE ${USER_KEY}(user_id) = ?`),
    };
  }

  /**
   * Call inside the batch's transaction. `subject`: the userKey of the erased user. `staged`: a rebuild is staging token
   * rows (token-rebuild-staging.ts), which are renamed there too, before they are folded into the tree.
   */
  rename(subject: string, pseudonym: string, staged = false): void {
    if (staged) {
      this.db
        .prepare(`UPDATE rebuild.rebuild_token_issues SET sub = ? WHERE consent_id IN (SELECT consent_id FROM consents WHERE ${USER_KEY}(user_id) = ?)`)
        .run(pseudonym, subject);
    }
    this.s.tokens.run(pseudonym, subject);
    this.s.dependents.run(pseudonym, subject);
    this.s.consents.run(pseudonym, subject);
    this.s.users.run(pseudonym, subject);
    this.s.dropUser.run(subject);
  }

  /** After the batch has committed: the pages are written back into the file and the log is cut to nothing. */
  scrubLog(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }
}
