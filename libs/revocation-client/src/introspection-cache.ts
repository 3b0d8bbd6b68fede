import { createHash } from 'node:crypto';

/** RFC 7662 answer of the ledger, as far as the cache needs it. */
export type Introspection =
  | { active: false }
  | { active: true; scope: string; client_id: string; sub: string; exp: number; iat: number; jti: string; token_type?: string; [k: string]: unknown };

/** The revocation contract v1 (docs/contracts/revocation-event.v1.schema.json), as far as eviction needs it. */
export interface RevocationMessage {
  eventId: string;
  type: string;
  consentId?: string;
  userId: string;
  clientId: string;
  scopes?: string[];
  tokenIds: string[];
  tokenHashes: string[];
  revokedAt?: string;
  reason?: string | null;
  position?: number;
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
  /** "userId\0clientId" of active answers, for consent-wide eviction. */
  pair?: string;
}

/** SHA-256 hex of a raw token: the cache key, and how revocation events name tokens. */
export const tokenHash = (rawToken: string) => createHash('sha256').update(rawToken).digest('hex');

const pairKey = (userId: string, clientId: string) => `${userId}\u0000${clientId}`;

/**
 * Introspection results keyed by token hash (the raw token is never kept), evicted at once by revocation events.
 *
 * An entry lives until the earliest of: the token's exp, maxStaleness after it was fetched, or a revocation that
 * names it. Consent revocations (consent.revoked, consent.scopes_revoked) evict EVERY cached token of that
 * (userId, clientId), also ones the event does not list: cheaper to ask the ledger again than to reason about which
 * token carried which scope. Events are applied once per eventId (delivery is at-least-once).
 *
 * Not thread-safe across processes: each resource-service instance has its own cache and its own Kafka consumer.
 */
export class IntrospectionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byPair = new Map<string, Set<string>>();
  private readonly seen = new Set<string>();
  /** Hashes named by a revocation: once revoked, a token never becomes active again. Bounded like `seen`. */
  private readonly revoked = new Set<string>();
  /** Bumped on every consent-wide eviction of a pair, so that an answer fetched across one is not cached. */
  private readonly pairEpoch = new Map<string, number>();
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

  /** A token that a consent revocation may affect is fetched under this ticket (see set). */
  ticket(): Map<string, number> {
    return new Map(this.pairEpoch);
  }

  /**
   * Caches an answer fetched from the ledger. `ticket` is what ticket() returned before the fetch: if a consent-wide
   * eviction of the token's pair happened meanwhile, the answer may predate it and is not cached.
   */
  set(hash: string, answer: Introspection, ticket?: Map<string, number>): void {
    const now = this.now();
    if (this.revoked.has(hash)) return;
    let expiresAtMs: number;
    let pair: string | undefined;
    if (answer.active) {
      pair = pairKey(answer.sub, answer.client_id);
      if (ticket && (ticket.get(pair) ?? 0) !== (this.pairEpoch.get(pair) ?? 0)) return;
      expiresAtMs = Math.min(answer.exp * 1000, now + this.maxStalenessMs);
    } else {
      expiresAtMs = now + this.inactiveTtlMs;
    }
    if (expiresAtMs <= now) return;
    this.delete(hash);
    while (this.entries.size >= this.maxEntries) this.delete(this.entries.keys().next().value as string);
    this.entries.set(hash, { answer, expiresAtMs, pair });
    if (pair) {
      let set = this.byPair.get(pair);
      if (!set) this.byPair.set(pair, (set = new Set()));
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
    // token.revoked ends one token; anything else (consent revocations, and types this version does not know) may
    // end more than it lists, so every cached token of the pair goes.
    if (event.type !== 'token.revoked') {
      const pair = pairKey(event.userId, event.clientId);
      const epoch = (this.pairEpoch.get(pair) ?? 0) + 1;
      this.pairEpoch.delete(pair);
      this.pairEpoch.set(pair, epoch);
      if (this.pairEpoch.size > this.dedupeWindow) this.pairEpoch.delete(this.pairEpoch.keys().next().value as string);
      for (const hash of [...(this.byPair.get(pair) ?? [])]) this.delete(hash);
    }
    this.applied += 1;
    return true;
  }

  stats() {
    return { entries: this.entries.size, applied: this.applied, duplicates: this.duplicates };
  }

  clear(): void {
    this.entries.clear();
    this.byPair.clear();
  }

  private delete(hash: string): void {
    const entry = this.entries.get(hash);
    if (!entry) return;
    this.entries.delete(hash);
    if (entry.pair) {
      const set = this.byPair.get(entry.pair);
      set?.delete(hash);
      if (set?.size === 0) this.byPair.delete(entry.pair);
    }
  }
}

/** Adds to an insertion-ordered set, dropping the oldest beyond `limit`. */
function remember(set: Set<string>, value: string, limit: number): void {
  set.add(value);
  if (set.size > limit) set.delete(set.values().next().value as string);
}
