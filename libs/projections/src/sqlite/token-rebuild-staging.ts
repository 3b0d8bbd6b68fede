import type Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { preparePrivateDatabaseFile } from '@ledger/event-store';
import type { TokenRow } from '../ledger-views';

/** The schema name the staging file is attached under, on the views' connection. */
const SCHEMA = 'rebuild';

const STAGING_SCHEMA = `
CREATE TABLE IF NOT EXISTS ${SCHEMA}.rebuild_token_issues (
  pos INTEGER NOT NULL, token_hash TEXT NOT NULL, token_id TEXT NOT NULL, consent_id TEXT NOT NULL, client_id TEXT NOT NULL,
  sub TEXT NOT NULL, scope TEXT NOT NULL, iat INTEGER NOT NULL, exp INTEGER NOT NULL, token_use TEXT NOT NULL, family_id TEXT, root_scope TEXT
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.rebuild_token_ends (pos INTEGER NOT NULL, token_hash TEXT NOT NULL);
`;

/**
 * Token changes during a rebuild from 0, in log order: appended to plain rowid tables (sequential writes, no tree
 * descent per row), then folded into the token tree in one sorted pass at the end (fold). A million random-keyed
 * inserts into the token tree, each descending to a leaf that is rarely in the page cache, were most of a
 * rebuild's time.
 *
 * The staging tables live in a file of their own beside the views (`<views file>-rebuild`), attached for the rebuild
 * and deleted after the fold, never in the views file. Dropped from the views file, their pages were zeroed
 * (secure_delete) inside the fold's transaction, and the rebuild runs with its journal in memory
 * (ViewDatabase.unjournaled): every staging page was copied into that journal, about 250 MB at a million tokens,
 * which glibc then kept from the operating system for the life of the process (docs/performance.md, "RSS with 1M
 * live tokens"). The views file also kept their pages, free, until later writes reused them.
 */
export class TokenRebuildStaging {
  private readonly issues: Database.Statement<[number, string, string, string, string, string, string, number, number, string, string | null, string | null]>;
  private readonly ends: Database.Statement<[number, string]>;

  /** Creates the staging tables; run inside the first large batch's transaction. */
  constructor(private readonly db: Database.Database) {
    db.exec(STAGING_SCHEMA);
    this.issues = db.prepare(
      `INSERT INTO ${SCHEMA}.rebuild_token_issues (pos, token_hash, token_id, consent_id, client_id, sub, scope, iat, exp, token_use, family_id, root_scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.ends = db.prepare(`INSERT INTO ${SCHEMA}.rebuild_token_ends (pos, token_hash) VALUES (?, ?)`);
  }

  /** The staging file of the views in `viewsFile`. */
  static fileFor(viewsFile: string): string {
    return `${viewsFile}-rebuild`;
  }

  /**
   * Before a rebuild from 0, outside any transaction (SQLite attaches only there): a fresh staging file, since rows
   * left by an earlier attempt would be folded in again. Private like the views (it holds user ids), and like them
   * without a journal on disk: a crash mid-rebuild throws both away (ViewDatabase).
   */
  static attach(db: Database.Database, viewsFile: string): void {
    const file = TokenRebuildStaging.fileFor(viewsFile);
    TokenRebuildStaging.detach(db, viewsFile);
    preparePrivateDatabaseFile(file);
    db.prepare(`ATTACH DATABASE ? AS ${SCHEMA}`).run(file);
    db.pragma(`${SCHEMA}.journal_mode = MEMORY`);
    db.pragma(`${SCHEMA}.synchronous = OFF`);
  }

  /** After the fold has committed, outside any transaction: the staging file goes. Idempotent. */
  static detach(db: Database.Database, viewsFile: string): void {
    const attached = (db.pragma('database_list') as Array<{ name: string }>).some((d) => d.name === SCHEMA);
    if (attached) db.exec(`DETACH DATABASE ${SCHEMA}`);
    for (const suffix of ['', '-journal']) rmSync(TokenRebuildStaging.fileFor(viewsFile) + suffix, { force: true });
  }

  issue(position: number, r: TokenRow): void {
    this.issues.run(position, r.tokenHash, r.tokenId, r.consentId, r.clientId, r.sub, r.scope, r.iat, r.exp, r.tokenUse, r.familyId, r.rootScope);
  }

  end(position: number, tokenHash: string): void {
    this.ends.run(position, tokenHash);
  }

  /**
   * Folds the staged changes into the token tree, in one transaction; detach() then deletes the staging file.
   *
   * The fold gives what applying the changes one by one in log order gives (the live path). Rows already in the
   * tree were applied before staging began, so every staged end is later than them and ends them. Staged issues
   * are then written in (hash, position) order with INSERT OR IGNORE, so the first issue of a hash wins, as on the
   * live path, and a row is active unless an end of that hash comes later in the log than that issue.
   */
  fold(): void {
    this.db.transaction(() => {
      this.db.exec(`
        CREATE INDEX ${SCHEMA}.rebuild_token_ends_by_hash ON rebuild_token_ends (token_hash, pos);
        UPDATE tokens SET active = 0 WHERE active = 1 AND token_hash IN (SELECT token_hash FROM ${SCHEMA}.rebuild_token_ends);
        INSERT OR IGNORE INTO tokens (token_hash, token_id, consent_id, client_id, sub, scope, iat, exp, active, pos, token_use, family_id, root_scope)
          SELECT i.token_hash, i.token_id, i.consent_id, i.client_id, i.sub, i.scope, i.iat, i.exp,
                 NOT EXISTS (SELECT 1 FROM ${SCHEMA}.rebuild_token_ends e WHERE e.token_hash = i.token_hash AND e.pos > i.pos), i.pos, i.token_use, i.family_id, i.root_scope
          FROM ${SCHEMA}.rebuild_token_issues i ORDER BY i.token_hash, i.pos;
      `);
    })();
  }
}
