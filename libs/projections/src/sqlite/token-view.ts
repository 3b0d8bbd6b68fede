import type Database from 'better-sqlite3';
import type { ConsentTokenRow, TokenRow, TokenUse } from '../ledger-views';
import type { TokenView } from '../token-view.port';
import { ViewsRebuildingError } from '../views-rebuilding.error';

const TOKEN_SCHEMA = `
CREATE TABLE IF NOT EXISTS tokens (
  token_hash TEXT PRIMARY KEY, token_id TEXT NOT NULL, consent_id TEXT NOT NULL, client_id TEXT NOT NULL, sub TEXT NOT NULL,
  scope TEXT NOT NULL, iat INTEGER NOT NULL, exp INTEGER NOT NULL, active INTEGER NOT NULL, pos INTEGER NOT NULL,
  token_use TEXT NOT NULL, family_id TEXT, root_scope TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tokens_by_id ON tokens (token_id);
CREATE INDEX IF NOT EXISTS tokens_by_consent ON tokens (consent_id, pos);
CREATE TABLE IF NOT EXISTS token_cuts (
  consent_id TEXT NOT NULL, scope TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (consent_id, scope)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS client_cuts (
  client_id TEXT NOT NULL, scope TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (client_id, scope)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS family_cuts (family_id TEXT PRIMARY KEY, pos INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_cut (id INTEGER PRIMARY KEY CHECK (id = 0), not_before TEXT NOT NULL, pos INTEGER NOT NULL);
`;

/** The scope of a cut that ends every token of the consent, whatever it carries. */
const ANY_SCOPE = '';

/** SQL function: 1 when every scope of a space-delimited list is in another such list. */
const SCOPES_WITHIN = 'ledger_scopes_within';
const scopesWithin = (scopes: string, allowed: string) => {
  const set = new Set(allowed.split(' '));
  return scopes.split(' ').every((s) => set.has(s)) ? 1 : 0;
};

/**
 * A token is cut when a revocation of its consent came after its issue (a later log position) and named a scope it
 * carries, or every scope. Scopes are scope-tokens, which hold no space, so a space-delimited match is exact. One
 * primary-key lookup for the token, then a short range scan of its consent's cuts, usually empty. A dependent token
 * (token exchange) has its ROOT consent as consent_id and the root's scope its chain hangs on as root_scope: the
 * root's revocation, or that scope's, cuts it in the same lookup, from the moment the root's event is in the view.
 */
const CONSENT_CUT = `EXISTS (SELECT 1 FROM token_cuts c WHERE c.consent_id = t.consent_id AND c.pos > t.pos
  AND (c.scope = '${ANY_SCOPE}' OR instr(' ' || coalesce(t.root_scope, t.scope) || ' ', ' ' || c.scope || ' ') > 0))`;

/**
 * A token is also inactive while its client does not let it be: the client is not active (disabled, deleted), or no
 * longer allows a scope the token carries. Its current row in the client view says so (client-view.ts), so a disable
 * or a narrowing ends every token of the client at once, whatever their number, and ends too a token issued just
 * after it on a client state read just before it (the client is another stream than the consent).
 */
const CLIENT_GATE = `EXISTS (SELECT 1 FROM clients k WHERE k.client_id = t.client_id
  AND (k.status <> 'active' OR (k.allowed_scopes IS NOT NULL AND NOT ${SCOPES_WITHIN}(t.scope, k.allowed_scopes))))`;

/**
 * What lifting a restriction of some scopes leaves behind: allowing a scope again cuts that scope at its position,
 * and the tokens issued before it that carry it stay ended (ViewChange 'clientCut'). The client's cut of every scope
 * is a not-before, below.
 */
const CLIENT_SCOPE_CUT = `EXISTS (SELECT 1 FROM client_cuts k WHERE k.client_id = t.client_id AND k.scope <> '${ANY_SCOPE}' AND k.pos > t.pos
  AND instr(' ' || t.scope || ' ', ' ' || k.scope || ' ') > 0)`;

/**
 * Not-before, by log position: a token issued before the cut-off that applies to it is inactive, and the cut-off that
 * applies is the LATEST of three, each the position of the newest event that set it (-1: none):
 * - its user's (UserNotBeforeSet),
 * - its client's (ClientNotBeforeSet, and enabling the client, which cuts every scope the same way),
 * - the ledger's (LedgerNotBeforeSet).
 * One max() over the three rather than "the client's if it has one, else ...": a narrower cut-off never shadows a
 * wider, later one, nor a wider, earlier one a narrower, later one (the precedence bugs of Keycloak's CVE-2026-8922
 * and CVE-2026-18218). Each is a primary-key read. Positions, not iat: an instance's clock orders nothing in the log.
 */
const NOT_BEFORE = `t.pos < max(
  coalesce((SELECT u.not_before_pos FROM users u WHERE u.user_id = t.sub), -1),
  coalesce((SELECT k.pos FROM client_cuts k WHERE k.client_id = t.client_id AND k.scope = '${ANY_SCOPE}'), -1),
  coalesce((SELECT g.pos FROM ledger_cut g WHERE g.id = 0), -1))`;

/**
 * A user-wide revocation ends every consent of the user granted before it, and so every token under them, whenever
 * issued: the user's revocations (users.revocations) outnumber those its consent was granted after (consents
 * .after_user_revocation). Compared by number, as the consent decider and the fan-out compare, not by position: a
 * token issued under such a consent after the revocation, by an IssueToken that read the user's stream just before
 * it, ends too. The fan-out's ConsentRevoked later adds a consent cut that says the same.
 */
const USER_REVOKED = `EXISTS (SELECT 1 FROM users u WHERE u.user_id = t.sub
  AND u.revocations > coalesce((SELECT c.after_user_revocation FROM consents c WHERE c.consent_id = t.consent_id), 0))`;

/**
 * A refresh-token family ends as a whole (RefreshTokenFamilyRevoked): every access and refresh token of it issued
 * before the cut. Nothing is issued in a family after it (the decider refuses), so the position only keeps the rule
 * the same as the other cuts'. Tokens outside any family skip it with no lookup.
 */
const FAMILY_CUT = `(t.family_id IS NOT NULL AND EXISTS (SELECT 1 FROM family_cuts f WHERE f.family_id = t.family_id AND f.pos > t.pos))`;

const CUT = `(${CONSENT_CUT} OR ${CLIENT_GATE} OR ${CLIENT_SCOPE_CUT} OR ${NOT_BEFORE} OR ${USER_REVOKED} OR ${FAMILY_CUT})`;

/**
 * The consent's expiry (ISO, null: none), read at lookup beside the token: the token's `exp` is the earlier of its
 * own and its consent's, so an expired consent ends all its tokens at once, with no event and no background job,
 * and a renewal that brings the expiry forward ends them earlier. One more primary-key read of the consent's row.
 */
const CONSENT_EXPIRY = '(SELECT c.expires_at FROM consents c WHERE c.consent_id = t.consent_id)';

/** Epoch seconds, rounded down: a token is never active past its consent's expiry, not even for the part of a second. */
const expirySeconds = (iso: string | null): number => (iso === null ? Infinity : Math.floor(Date.parse(iso) / 1000));


/** A change to one token row: an insert (row) or the token's end. */
export interface TokenChange {
  hash: string;
  row?: TokenRow;
}

interface TokenDbRow {
  token_id: string;
  consent_id: string;
  client_id: string;
  sub: string;
  scope: string;
  iat: number;
  exp: number;
  active: number;
  pos: number;
  cut: number;
  consent_expires_at: string | null;
  token_use: string;
  family_id: string | null;
  root_scope: string | null;
}

/**
 * The token validity view in SQLite: what introspection answers from, one primary-key lookup by hash. The
 * statements are prepared once and held in fields of their own, since token() runs on every introspection.
 */
export class SqliteTokenView implements TokenView {
  /** True while a rebuild from 0 stages token changes elsewhere (TokenRebuildStaging): the tree is incomplete. */
  private staged = false;
  private unreadable?: Error;
  private readonly byHash: Database.Statement<[string], TokenDbRow>;
  private readonly byId: Database.Statement<[string], { token_hash: string }>;
  private readonly insert: Database.Statement<[string, string, string, string, string, string, number, number, number, string, string | null, string | null]>;
  private readonly addFamilyCut: Database.Statement<[string, number]>;
  private readonly end: Database.Statement<[string]>;
  private readonly addCut: Database.Statement<[string, string, number]>;
  private readonly addClientCut: Database.Statement<[string, string, number]>;
  private readonly setLedgerCut: Database.Statement<[string, number]>;
  private readonly countActive: Database.Statement<[], { n: number }>;
  private readonly ofConsent: Database.Statement<[string, number, number], Omit<TokenDbRow, 'consent_id' | 'client_id' | 'sub' | 'root_scope'>>;

  /**
   * Needs the client, consent and user views' tables in the same file (their views create them), which the lookups
   * read.
   */
  constructor(private readonly db: Database.Database) {
    db.exec(TOKEN_SCHEMA);
    db.function(SCOPES_WITHIN, { deterministic: true }, scopesWithin as (...args: unknown[]) => number);
    this.byHash = db.prepare(
      `SELECT token_id, consent_id, client_id, sub, scope, iat, exp, active, pos, token_use, family_id, root_scope, ${CUT} AS cut, ${CONSENT_EXPIRY} AS consent_expires_at FROM tokens t WHERE token_hash = ?`,
    );
    this.ofConsent = db.prepare(
      `SELECT token_id, scope, iat, exp, active, pos, token_use, family_id, ${CUT} AS cut, ${CONSENT_EXPIRY} AS consent_expires_at FROM tokens t WHERE consent_id = ? AND pos > ? ORDER BY pos LIMIT ?`,
    );
    this.byId = db.prepare('SELECT token_hash FROM tokens WHERE token_id = ?');
    this.insert = db.prepare(
      // OR IGNORE: a second TokenIssued for a hash never revives it (revocation always wins; see docs/design.md).
      'INSERT OR IGNORE INTO tokens (token_hash, token_id, consent_id, client_id, sub, scope, iat, exp, active, pos, token_use, family_id, root_scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)',
    );
    this.addFamilyCut = db.prepare('INSERT INTO family_cuts (family_id, pos) VALUES (?, ?) ON CONFLICT DO UPDATE SET pos = max(pos, excluded.pos)');
    this.end = db.prepare('UPDATE tokens SET active = 0 WHERE token_hash = ?');
    // A later cut of the same scope supersedes an earlier one: it ends everything the earlier one did, and more.
    this.addCut = db.prepare('INSERT INTO token_cuts (consent_id, scope, pos) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET pos = max(pos, excluded.pos)');
    this.addClientCut = db.prepare('INSERT INTO client_cuts (client_id, scope, pos) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET pos = max(pos, excluded.pos)');
    this.setLedgerCut = db.prepare(
      'INSERT INTO ledger_cut (id, not_before, pos) VALUES (0, ?, ?) ON CONFLICT (id) DO UPDATE SET not_before = excluded.not_before, pos = max(pos, excluded.pos)',
    );
    this.countActive = db.prepare(`SELECT COUNT(*) AS n FROM tokens t WHERE active = 1 AND NOT ${CUT}`);
  }

  /** False while a rebuild from 0 is staging the token view: token lookups would throw ViewsRebuildingError. */
  get available(): boolean {
    return !this.staged;
  }

  /**
   * The views met an event this build cannot read (ViewStore.apply): every lookup throws it from now on. The views
   * stop before that event, and whatever follows it in the log (a revocation among it) is not in them, so no token
   * of this view may be answered active, and "inactive" would be a guess too. Sticky until the process restarts.
   */
  markUnreadable(error: Error): void {
    this.unreadable = error;
  }

  private guard(): void {
    if (this.unreadable) throw this.unreadable;
    if (this.staged) throw new ViewsRebuildingError();
  }

  /** Undefined when the hash is unknown. */
  token(tokenHash: string): TokenRow | undefined {
    this.guard();
    const r = this.byHash.get(tokenHash);
    if (!r) return undefined;
    const active = r.active === 1 && r.cut === 0;
    const exp = Math.min(r.exp, expirySeconds(r.consent_expires_at));
    const kind = { tokenUse: r.token_use as TokenUse, familyId: r.family_id, rootScope: r.root_scope };
    return { tokenHash, tokenId: r.token_id, consentId: r.consent_id, clientId: r.client_id, sub: r.sub, scope: r.scope, iat: r.iat, exp, active, position: r.pos, ...kind };
  }

  /** The consent's tokens in issue order (log position), after `afterPosition` if given. */
  tokensOfConsent(consentId: string, options: { afterPosition?: number; limit: number }): ConsentTokenRow[] {
    if (this.staged) throw new ViewsRebuildingError();
    return this.ofConsent.all(consentId, options.afterPosition ?? -1, options.limit).map((r) => ({
      tokenId: r.token_id,
      scope: r.scope,
      iat: r.iat,
      exp: Math.min(r.exp, expirySeconds(r.consent_expires_at)),
      ended: r.active !== 1 || r.cut !== 0,
      position: r.pos,
      tokenUse: r.token_use as TokenUse,
    }));
  }

  tokenById(tokenId: string): TokenRow | undefined {
    this.guard();
    const r = this.byId.get(tokenId);
    return r && this.token(r.token_hash);
  }

  activeTokenCount(): number {
    this.guard();
    return this.countActive.get()?.n ?? 0;
  }

  /**
   * Writes the token changes of one batch; call inside the batch's transaction. Token rows are keyed by random
   * hashes: applied in event order, every write lands on a random page of the tree. Applied in hash order,
   * neighbouring writes share pages. A token's changes touch only its own row and a stable sort keeps them in event
   * order, so the outcome is the same.
   */
  write(changes: TokenChange[]): void {
    changes.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    for (const t of changes) {
      if (t.row) this.insert.run(t.hash, t.row.tokenId, t.row.consentId, t.row.clientId, t.row.sub, t.row.scope, t.row.iat, t.row.exp, t.row.position, t.row.tokenUse, t.row.familyId, t.row.rootScope);
      else this.end.run(t.hash);
    }
  }

  /** Ends every token of the consent issued before `position` that carries one of `scopes` (null: any). */
  cut(consentId: string, scopes: string[] | null, position: number): void {
    for (const scope of scopes ?? [ANY_SCOPE]) this.addCut.run(consentId, scope, position);
  }

  /** Ends every token of the refresh-token family issued before `position`. */
  familyCut(familyId: string, position: number): void {
    this.addFamilyCut.run(familyId, position);
  }

  /** Ends every token of the client issued before `position` that carries one of `scopes` (null: any). */
  clientCut(clientId: string, scopes: string[] | null, position: number): void {
    for (const scope of scopes ?? [ANY_SCOPE]) this.addClientCut.run(clientId, scope, position);
  }

  /** Ends every token of the ledger issued before `position` (a ledger-wide not-before). */
  ledgerCut(notBefore: string, position: number): void {
    this.setLedgerCut.run(notBefore, position);
  }

  /** Set while a rebuild stages token changes instead of writing them here, so lookups refuse to answer. */
  markStaged(staged: boolean): void {
    this.staged = staged;
  }

  /** A rebuild from 0 drops the secondary index and creates it once at the end, far cheaper than row by row. */
  dropIndexes(): void {
    this.db.exec('DROP INDEX IF EXISTS tokens_by_id; DROP INDEX IF EXISTS tokens_by_consent;');
  }

  createIndexes(): void {
    this.db.exec(TOKEN_SCHEMA);
  }

  /** Every row, in a stable order: lets tests prove that a rebuild equals the live view. */
  snapshot(): unknown[] {
    return [
      ...this.db.prepare('SELECT * FROM tokens ORDER BY token_hash').all(),
      ...this.db.prepare('SELECT * FROM token_cuts ORDER BY consent_id, scope').all(),
      ...this.db.prepare('SELECT * FROM client_cuts ORDER BY client_id, scope').all(),
      ...this.db.prepare('SELECT * FROM family_cuts ORDER BY family_id').all(),
      ...this.db.prepare('SELECT * FROM ledger_cut').all(),
    ];
  }
}
