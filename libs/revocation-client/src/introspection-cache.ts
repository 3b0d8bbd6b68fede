import { createHash } from 'node:crypto';

/** RFC 7662 answer of the ledger, as far as the cache needs it. */
export type Introspection =
  | { active: false }
  | { active: true; scope: string; client_id: string; sub: string; exp: number; iat: number; jti: string; token_type?: string; [k: string]: unknown };

/** The revocation contract v1 (docs/contracts/revocation-event.v1.schema.json), as far as eviction needs it. */
export interface RevocationMessage {
  eventId: string;
  type: string;
  /** null for bulk revocations (client.*, user.*, ledger.not_before). */
  consentId?: string | null;
  /** null for client revocations, which end tokens of every user of the client, and for ledger.not_before. */
  userId: string | null;
  /** null for user-wide revocations, which end tokens of every client of the user, and for ledger.not_before. */
  clientId: string | null;
  scopes?: string[];
  tokenIds: string[];
  tokenHashes: string[];
  revokedAt?: string;
  reason?: string | null;
  position?: number;
  notBefore?: string;
}

export interface IntrospectionCacheOptions {
  /** An active answer is trusted at most this long, even if no revocation arrives (the safety net). Default 60 s. */
  maxStalenessMs?: number;
  /** Inactive answers are remembered this long (they protect the ledger from floods of bad tokens). Default 5 s; 0: never. */
  inactiveTtlMs?: number;
  /** Entries kept at most; the oldest go first. Default 10 000. */
  maxEntries?: number;
  /** How many eventIds are remembered for deduplication. Default 10 000. */
  dedupeWindow?: number;
  now?: () => number;
}

interface Entry {
  answer: Introspection;
  expiresAtMs: number;
  /** The groups an active answer is evicted with: its (userId, clientId) pair, its client, its user, everything. */
  groups?: string[];
}

/** SHA-256 hex of a raw token: the cache key, and how revocation events name tokens. */
export const tokenHash = (rawToken: string) => createHash('sha256').update(rawToken).digest('hex');

const pairKey = (userId: string, clientId: string) => `${userId}\u0000${clientId}`;
/** User and client ids are never empty, so a client's key, a user's and the ledger's never equal a pair's or each other. */
const clientKey = (clientId: string) => `\u0000${clientId}`;
const userKey = (userId: string) => `${userId}\u0000`;
const LEDGER_KEY = '\u0000';

/**
 * Introspection results keyed by token hash (the raw token is never kept), evicted at once by revocation events.
 *
 * An entry lives until the earliest of: the token's exp, maxStaleness after it was fetched, or a revocation that
 * names it. A consent revocation (consent.revoked) evicts EVERY cached token of that (userId, clientId), also ones
 * the event does not list. A scope revocation (consent.scopes_revoked, client.scopes_revoked) evicts the cached
 * tokens of its pair or client that carry one of its scopes, since the ledger ends exactly those (a client's with an
 * empty list, "every scope outside its new list", evicts all of the client's). Other client revocations
 * (client.disabled, client.not_before) evict every cached token of the client, of every user;
 * user-wide ones (user.*) every cached token of the user, of every client; ledger.not_before every cached token.
 * Bulk revocations name no token and carry no iat to compare (a not-before cuts by the ledger's log position), so
 * everything they may have ended is asked again. Events are applied once per eventId (delivery is at-least-once).
 *
 * Not thread-safe across processes: each resource-service instance has its own cache and its own Kafka consumer.
 */
export class IntrospectionCache {
  private readonly entries = new Map<string, Entry>();
  /** Cached active hashes by pair and by client (Entry.groups). */
  private readonly byGroup = new Map<string, Set<string>>();
  private readonly seen = new Set<string>();
  /** Hashes named by a revocation: once revoked, a token never becomes active again. Bounded like `seen`. */
  private readonly revoked = new Set<string>();
  /** Bumped on every eviction of a pair or a client, so that an answer fetched across one is not cached. */
  private readonly epoch = new Map<string, number>();
  private readonly maxStalenessMs: number;
  private readonly inactiveTtlMs: number;
  private readonly maxEntries: number;
  private readonly dedupeWindow: number;
  private readonly now: () => number;
  private applied = 0;
  private duplicates = 0;

  constructor(options: IntrospectionCacheOptions = {}) {
    this.maxStalenessMs = options.maxStalenessMs ?? 60_000;
    this.inactiveTtlMs = options.inactiveTtlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.dedupeWindow = options.dedupeWindow ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The cached answer for a token hash, or undefined on a miss (absent or expired). */
  get(hash: string): Introspection | undefined {
    if (this.revoked.has(hash)) return { active: false };
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= this.now()) {
      this.delete(hash);
      return undefined;
    }
    return entry.answer;
  }

  /** Like get, without expiring anything: for tests and diagnostics. */
  peek(hash: string): Introspection | undefined {
    return this.entries.get(hash)?.answer;
  }

  /** A token that a consent or client revocation may affect is fetched under this ticket (see set). */
  ticket(): Map<string, number> {
    return new Map(this.epoch);
  }

  /**
   * Caches an answer fetched from the ledger. `ticket` is what ticket() returned before the fetch: if an eviction of
   * the token's pair or client happened meanwhile, the answer may predate it and is not cached.
   */
  set(hash: string, answer: Introspection, ticket?: Map<string, number>): void {
    const now = this.now();
    if (this.revoked.has(hash)) return;
    let expiresAtMs: number;
    let groups: string[] | undefined;
    if (answer.active) {
      groups = [pairKey(answer.sub, answer.client_id), clientKey(answer.client_id), userKey(answer.sub), LEDGER_KEY];
      if (ticket && groups.some((g) => (ticket.get(g) ?? 0) !== (this.epoch.get(g) ?? 0))) return;
      expiresAtMs = Math.min(answer.exp * 1000, now + this.maxStalenessMs);
    } else {
      expiresAtMs = now + this.inactiveTtlMs;
    }
    if (expiresAtMs <= now) return;
    this.delete(hash);
    while (this.entries.size >= this.maxEntries) this.delete(this.entries.keys().next().value as string);
    this.entries.set(hash, { answer, expiresAtMs, groups });
    for (const group of groups ?? []) {
      let set = this.byGroup.get(group);
      if (!set) this.byGroup.set(group, (set = new Set()));
      set.add(hash);
    }
  }

  /** Applies one revocation event; false when it was a duplicate (already applied). */
  apply(event: RevocationMessage): boolean {
    if (this.seen.has(event.eventId)) {
      this.duplicates += 1;
      return false;
    }
    remember(this.seen, event.eventId, this.dedupeWindow);
    for (const hash of event.tokenHashes ?? []) {
      remember(this.revoked, hash, this.dedupeWindow);
      this.delete(hash);
    }
    // token.revoked ends one token. A scope revocation ends exactly the tokens that carry one of its scopes (the
    // ledger ends a token when any of its scopes is revoked, and no other), so only those are asked again. Otherwise
    // by what the event names, not by its type, so that a type this version does not know evicts at least what its
    // subject could cover: no user and no client, everything; no user, every token of the client; no client, every
    // token of the user; both (consent revocations), every token of the pair, since they may end more than they list.
    if (event.type === 'token.revoked') {
      // the hashes above are the whole of it
    } else if (SCOPED_TYPES.has(event.type) && event.scopes && event.scopes.length > 0) {
      this.evictGroup(groupOf(event.userId, event.clientId), event.scopes);
    } else {
      this.evictGroup(groupOf(event.userId, event.clientId));
    }
    this.applied += 1;
    return true;
  }

  /**
   * Evicts every cached active answer: what a consumer does with a message it cannot read. The contract's rule for
   * consumers is that what they cannot understand means "evict what you cannot prove is still live", and a message
   * that names nothing readable may have ended any token.
   */
  evictAll(): void {
    this.evictGroup(LEDGER_KEY);
  }

  stats() {
    return { entries: this.entries.size, applied: this.applied, duplicates: this.duplicates };
  }

  clear(): void {
    this.entries.clear();
    this.byGroup.clear();
  }

  /**
   * Evicts the group's cached active answers, or with `scopes` only those carrying one of them. Either way the
   * group's epoch moves, so an answer fetched across the eviction is not cached (set): it may predate it.
   */
  private evictGroup(group: string, scopes?: string[]): void {
    const epoch = (this.epoch.get(group) ?? 0) + 1;
    this.epoch.delete(group);
    this.epoch.set(group, epoch);
    if (this.epoch.size > this.dedupeWindow) this.epoch.delete(this.epoch.keys().next().value as string);
    for (const hash of [...(this.byGroup.get(group) ?? [])]) {
      if (scopes === undefined || carriesAny(this.entries.get(hash)?.answer, scopes)) this.delete(hash);
    }
  }

  private delete(hash: string): void {
    const entry = this.entries.get(hash);
    if (!entry) return;
    this.entries.delete(hash);
    for (const group of entry.groups ?? []) {
      const set = this.byGroup.get(group);
      set?.delete(hash);
      if (set?.size === 0) this.byGroup.delete(group);
    }
  }
}

/** The types that end only the tokens carrying one of their `scopes` (an empty list means more: see apply). */
const SCOPED_TYPES = new Set(['consent.scopes_revoked', 'client.scopes_revoked']);

function carriesAny(answer: Introspection | undefined, scopes: string[]): boolean {
  if (!answer?.active) return true;
  const carried = new Set(answer.scope.split(' '));
  return scopes.some((scope) => carried.has(scope));
}

function groupOf(userId: string | null, clientId: string | null): string {
  if (userId === null) return clientId === null ? LEDGER_KEY : clientKey(clientId);
  return clientId === null ? userKey(userId) : pairKey(userId, clientId);
}

/** Adds to an insertion-ordered set, dropping the oldest beyond `limit`. */
function remember(set: Set<string>, value: string, limit: number): void {
  set.add(value);
  if (set.size > limit) set.delete(set.values().next().value as string);
}
