import { ClientState } from '../client/client';
import { DomainError } from '../shared/domain-error';
import { consentIdFor, hashToken, pairKey, parseConsentId } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { secondsAfter, stateAfter, testMeta } from '../testing/decider-spec';
import { ConsentEvent, ConsentGranted, ConsentState, liveTokens, TokenIssued, tokensEndedBy, TokenRevoked } from './consent';
import { ConsentCommand, consentDecider } from './consent.decider';
import { mulberry32 } from '../testing/mulberry32';

const USER = 'alice';
const CLIENT = 'transfer-app';
const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const GROUPS = 'urn:globus:auth:scope:groups.api.globus.org:all';

const consentId = (generation = 1) => consentIdFor(pairKey(USER, CLIENT), generation);
const ref = (generation = 1) => ({ consentId: consentId(generation), userId: USER, clientId: CLIENT });
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const ms = (seconds: number) => secondsAfter(seconds).getTime();

const tokenId = (name: string) => `tok_${Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('hex')}`;
const tokenHash = (name: string) => hashToken(`raw-${name}`);

const granted = (scopes: string[], generation = 1, seconds = -7200): ConsentGranted => ({
  type: 'ConsentGranted',
  data: { ...ref(generation), scopes, grantedAt: at(seconds) },
});
const issued = (name: string, scopes: string[], issuedAt: number, expiresIn = 3600, generation = 1): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref(generation), tokenId: tokenId(name), tokenHash: tokenHash(name), scopes, issuedAt: at(issuedAt), expiresAt: at(issuedAt + expiresIn) },
});
const tokenRevoked = (name: string, seconds: number): TokenRevoked => ({
  type: 'TokenRevoked',
  data: { ...ref(1), tokenId: tokenId(name), tokenHash: tokenHash(name), revokedAt: at(seconds), reason: null },
});
const ended = (...names: string[]) => names.map((name) => ({ tokenId: tokenId(name), tokenHash: tokenHash(name) }));

const tokensOf = (state: ConsentState) => (state.status === 'none' ? new Map() : state.tokens);

describe('Consent aggregate: evolve', () => {
  it('starts with no consent, at generation 0', () => {
    expect(consentDecider.initialState()).toEqual({ status: 'none', generation: 0 });
  });

  it('ConsentGranted makes an active consent of the next generation, with no tokens', () => {
    expect(stateAfter(consentDecider, [granted(['openid'])])).toEqual({
      status: 'active',
      generation: 1,
      ...ref(1),
      scopes: ['openid'],
      dependencies: new Map(),
      grantedAt: at(-7200),
      afterUserRevocation: 0,
      expiresAt: null,
      tokens: new Map(),
      idempotentIssues: new Map(),
      allowsRefresh: false,
      refreshTokens: new Map(),
      dependents: new Map(),
    });
  });

  it('ConsentGranted records the user-wide revocations it was granted after (absent: none)', () => {
    const after2: ConsentGranted = { type: 'ConsentGranted', data: { ...granted(['openid']).data, afterUserRevocation: 2 } };
    expect(stateAfter(consentDecider, [after2])).toMatchObject({ status: 'active', afterUserRevocation: 2 });
  });

  it('TokenIssued adds a live token, with its expiry in epoch milliseconds', () => {
    const state = stateAfter(consentDecider, [granted(['openid']), issued('t1', ['openid'], -60, 600)]);
    expect(tokensOf(state).get(tokenId('t1'))).toEqual({
      tokenHash: tokenHash('t1'),
      scopes: ['openid'],
      issuedAt: at(-60),
      expiresAtMs: ms(540),
      revoked: false,
    });
  });

  describe('pruning: tokens that had expired when a later token is issued are dropped now and then', () => {
    // Pruning on every issue copied the whole map each time: a fold of 20,000 tokens took 85 s. Now the map is
    // pruned once it has doubled since the last prune (from 64 entries), so pruning costs a constant per issue.
    const shortLived = (n: number, from = -100_000) => Array.from({ length: n }, (_, i) => issued(`short-${i}`, ['openid'], from + i * 10, 5));

    it('below the first threshold, expired tokens are still in the state (evolve never looks at a clock)', () => {
      const state = stateAfter(consentDecider, [granted(['openid']), ...shortLived(63)]);
      expect(tokensOf(state).size).toBe(63);
    });

    it('at the threshold, a TokenIssued drops every token expired at its issue time, revoked or not, and keeps the rest', () => {
      const history: ConsentEvent[] = [
        granted(['openid']),
        issued('revoked-live', ['openid'], -90_000, 200_000),
        tokenRevoked('revoked-live', -89_000),
        issued('live', ['openid'], -90_000, 200_000),
        ...shortLived(62, -80_000),
        issued('new', ['openid'], -100),
      ];
      const state = stateAfter(consentDecider, history);
      expect([...tokensOf(state).keys()]).toEqual(['revoked-live', 'live', 'new'].map(tokenId));
      // A revoked token that has not expired yet is kept, so that re-revoking it stays a no-op.
      expect(tokensOf(state).get(tokenId('revoked-live'))?.revoked).toBe(true);
    });

    it('a token that expires at the very instant of the later issue is dropped with them (expiry is exclusive)', () => {
      const history: ConsentEvent[] = [
        granted(['openid']),
        issued('until-then', ['openid'], -200, 100),
        issued('live', ['openid'], -90_000, 200_000),
        ...shortLived(62, -80_000),
        issued('new', ['openid'], -100),
      ];
      expect([...tokensOf(stateAfter(consentDecider, history)).keys()]).toEqual(['live', 'new'].map(tokenId));
    });

    it('a TokenIssued adds its token to the map in place: no copy per issue', () => {
      const before = stateAfter(consentDecider, [granted(['openid']), issued('t1', ['openid'], -60)]);
      const tokens = tokensOf(before);
      const after = consentDecider.evolve(before, issued('t2', ['openid'], -30));
      expect(tokensOf(after)).toBe(tokens);
      expect([...tokens.keys()]).toEqual(['t1', 't2'].map(tokenId));
    });

    it('however many tokens come and go, the state stays about twice its live tokens', () => {
      const state = stateAfter(consentDecider, [granted(['openid']), ...shortLived(10_000)]);
      expect(tokensOf(state).size).toBeLessThanOrEqual(2 * 64);
      expect(liveTokens(state, secondsAfter(-100_000 + 9_999 * 10))).toHaveLength(1);
    });
  });

  it('tokensEndedBy counts what a revocation ended, in events of either shape', () => {
    const facts = { revokedScopes: ['openid'], revokedAt: at(0), reason: null };
    expect(tokensEndedBy({ ...facts, tokensEnded: 3 })).toBe(3);
    // Written before revocations stopped listing tokens: the list is the count.
    expect(tokensEndedBy({ ...facts, endedTokens: ended('t1', 't2') })).toBe(2);
    expect(tokensEndedBy({ ...facts, tokensEnded: 0, endedTokens: ended('t1') })).toBe(0);
    expect(tokensEndedBy(facts)).toBe(0);
  });

  it('ConsentScopesExtended replaces the scopes and keeps the tokens', () => {
    const state = stateAfter(consentDecider, [
      granted(['openid']),
      issued('t1', ['openid'], -60),
      { type: 'ConsentScopesExtended', data: { ...ref(1), addedScopes: ['email'], scopes: ['email', 'openid'], extendedAt: at(-30) } },
    ]);
    expect(state).toMatchObject({ status: 'active', scopes: ['email', 'openid'] });
    expect(tokensOf(state).has(tokenId('t1'))).toBe(true);
  });

  it('ConsentScopesRevoked keeps the remaining scopes and marks the ended tokens revoked', () => {
    const state = stateAfter(consentDecider, [
      granted(['openid', TRANSFER]),
      issued('a', ['openid', TRANSFER], -60),
      issued('b', ['openid'], -50),
      {
        type: 'ConsentScopesRevoked',
        data: { ...ref(1), revokedScopes: [TRANSFER], remainingScopes: ['openid'], endedTokens: ended('a'), revokedAt: at(-10), reason: null },
      },
    ]);
    expect(state).toMatchObject({ status: 'active', scopes: ['openid'] });
    expect(liveTokens(state, secondsAfter(0)).map(([id]) => id)).toEqual([tokenId('b')]);
  });

  it('ConsentRevoked makes the consent revoked and its ended tokens revoked, keeping them for idempotency', () => {
    const state = stateAfter(consentDecider, [
      granted(['openid']),
      issued('a', ['openid'], -60),
      { type: 'ConsentRevoked', data: { ...ref(1), revokedScopes: ['openid'], endedTokens: ended('a'), revokedAt: at(-10), reason: null } },
    ]);
    expect(state).toMatchObject({ status: 'revoked', generation: 1, revokedAt: at(-10) });
    expect(tokensOf(state).get(tokenId('a'))?.revoked).toBe(true);
    expect(liveTokens(state, secondsAfter(0))).toEqual([]);
  });

  it('a grant after a full revocation starts generation 2 with a fresh token map', () => {
    const state = stateAfter(consentDecider, [
      granted(['openid']),
      issued('a', ['openid'], -60),
      { type: 'ConsentRevoked', data: { ...ref(1), revokedScopes: ['openid'], endedTokens: ended('a'), revokedAt: at(-10), reason: null } },
      granted(['email'], 2, -5),
    ]);
    expect(state).toMatchObject({ status: 'active', generation: 2, consentId: consentId(2), scopes: ['email'] });
    expect(tokensOf(state).size).toBe(0);
  });

  it('ignores consent and token events that do not apply to the current status', () => {
    const revoked = stateAfter(consentDecider, [
      granted(['openid']),
      { type: 'ConsentRevoked', data: { ...ref(1), revokedScopes: ['openid'], endedTokens: [], revokedAt: at(-10), reason: null } },
    ]);
    expect(consentDecider.evolve(revoked, issued('late', ['openid'], -5))).toBe(revoked);
    expect(consentDecider.evolve(consentDecider.initialState(), tokenRevoked('x', -5))).toEqual(consentDecider.initialState());
  });

  it('liveTokens: neither revoked nor expired at the given instant (expiry is exclusive)', () => {
    const state = stateAfter(consentDecider, [granted(['openid']), issued('a', ['openid'], -60, 60), issued('b', ['openid'], -60, 61)]);
    expect(liveTokens(state, secondsAfter(0)).map(([id]) => id)).toEqual([tokenId('b')]);
    expect(liveTokens(state, secondsAfter(-1)).map(([id]) => id)).toEqual([tokenId('a'), tokenId('b')]);
    expect(liveTokens(consentDecider.initialState(), secondsAfter(0))).toEqual([]);
  });

  it('decide refuses a command type it does not know (a programming error, not a DomainError)', () => {
    const bogus = { type: 'DeleteEverything', data: {} } as unknown as ConsentCommand;
    expect(() => consentDecider.decide(bogus, consentDecider.initialState(), testMeta())).toThrow(/Unknown consent command/);
  });
});

/**
 * The rule the whole ledger exists for: once a consent or a scope is revoked, no token carrying it is live. Checked
 * against random command sequences run through decide + evolve exactly as the command handler runs them.
 */
describe('Consent aggregate: invariant under random command sequences', () => {
  const UNIVERSE = ['email', 'openid', 'profile', GROUPS, TRANSFER];
  const client: ClientState = clientState(UNIVERSE);

  function prng(seed: number) {
    const next = mulberry32(seed);
    const int = (n: number) => Math.floor(next() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
    const chance = (p: number) => next() < p;
    const subset = (xs: readonly string[]) => {
      const out = xs.filter(() => chance(0.5));
      return out.length > 0 ? out : [pick(xs)];
    };
    return { int, pick, chance, subset };
  }

  /**
   * What a resource service would know from the published events alone: every token ever issued, under which
   * consent, and whether something ended it. Built independently of evolve (and so unaffected by its pruning).
   */
  class LedgerView {
    consents = new Map<string, { status: 'active' | 'revoked'; scopes: string[] }>();
    tokens = new Map<string, { consentId: string; tokenId: string; scopes: string[]; expiresAtMs: number; revoked: boolean }>();

    apply(e: ConsentEvent) {
      const key = (tokenId: string) => `${e.data.consentId}/${tokenId}`;
      const end = (tokenId: string) => {
        const t = this.tokens.get(key(tokenId));
        if (!t) throw new Error(`${e.type} ends unknown token ${tokenId} of ${e.data.consentId}`);
        t.revoked = true;
      };
      switch (e.type) {
        case 'ConsentGranted':
          this.consents.set(e.data.consentId, { status: 'active', scopes: e.data.scopes });
          break;
        case 'ConsentScopesExtended':
          this.consents.get(e.data.consentId)!.scopes = e.data.scopes;
          break;
        case 'ConsentScopesRevoked': {
          this.consents.get(e.data.consentId)!.scopes = e.data.remainingScopes;
          // The predicate (consent.ts, RevocationFacts): every token of the consent so far carrying a revoked scope.
          this.endIssuedBefore(e.data, (t) => t.scopes.some((s) => e.data.revokedScopes.includes(s)));
          break;
        }
        case 'ConsentRevoked':
          this.consents.get(e.data.consentId)!.status = 'revoked';
          this.endIssuedBefore(e.data, () => true);
          break;
        case 'TokenIssued':
          if (this.tokens.has(key(e.data.tokenId))) throw new Error(`TokenIssued again for ${e.data.tokenId}`);
          this.tokens.set(key(e.data.tokenId), { ...e.data, expiresAtMs: Date.parse(e.data.expiresAt), revoked: false });
          break;
        case 'TokenRevoked':
          end(e.data.tokenId);
          break;
      }
    }

    /** Ends what a revocation's predicate names, and checks that its count is the live tokens among them. */
    private endIssuedBefore(d: { consentId: string; revokedAt: string; tokensEnded?: number }, carries: (t: { scopes: string[] }) => boolean) {
      const atMs = Date.parse(d.revokedAt);
      let live = 0;
      for (const t of this.tokens.values()) {
        if (t.consentId !== d.consentId || !carries(t)) continue;
        if (!t.revoked && t.expiresAtMs > atMs) live += 1;
        t.revoked = true;
      }
      if (d.tokensEnded !== live) throw new Error(`revocation of ${d.consentId} says it ended ${d.tokensEnded} live tokens, not ${live}`);
    }

    /** Every violation of the invariant at `now`, as readable strings (empty when it holds). */
    violations(now: Date): string[] {
      const out: string[] = [];
      for (const t of this.tokens.values()) {
        if (t.revoked || t.expiresAtMs <= now.getTime()) continue;
        const consent = this.consents.get(t.consentId);
        if (!consent) out.push(`live token ${t.tokenId} under unknown consent ${t.consentId}`);
        else if (consent.status !== 'active') out.push(`live token ${t.tokenId} under revoked consent ${t.consentId}`);
        else {
          const extra = t.scopes.filter((s) => !consent.scopes.includes(s));
          if (extra.length > 0) out.push(`live token ${t.tokenId} carries ${extra.join(' ')}, not in consent ${t.consentId}`);
        }
      }
      return out;
    }
  }

  /** The same invariant, read from the aggregate state that decisions are made against. */
  function stateViolations(state: ConsentState, now: Date): string[] {
    if (state.status === 'none') return [];
    const live = liveTokens(state, now);
    if (state.status === 'revoked') return live.map(([id]) => `state: live token ${id} in revoked consent`);
    return live.filter(([, t]) => t.scopes.some((s) => !state.scopes.includes(s))).map(([id]) => `state: live token ${id} beyond consent scopes`);
  }

  function run(seed: number, steps: number) {
    const r = prng(seed);
    let state = consentDecider.initialState();
    let nowMs = ms(0);
    let nextToken = 1;
    const knownTokens: string[] = [];
    const view = new LedgerView();
    const log: ConsentEvent[] = [];
    const stats = { events: {} as Record<string, number>, rejected: {} as Record<string, number>, noops: 0, partialEnds: 0, fullEnds: 0 };

    const someConsentId = () => {
      const current = state.generation;
      if (current === 0 || r.chance(0.1)) return consentIdFor(pairKey(USER, CLIENT), Math.max(1, current + r.int(2))); // maybe not reached yet
      if (current > 1 && r.chance(0.15)) return consentIdFor(pairKey(USER, CLIENT), 1 + r.int(current - 1)); // an older generation
      return consentIdFor(pairKey(USER, CLIENT), current);
    };
    const someConsent = () => parseConsentId(someConsentId())!;
    const someTokenId = (now: Date) => {
      const live = liveTokens(state, now);
      if (live.length > 0 && r.chance(0.6)) return r.pick(live)[0];
      if (knownTokens.length > 0 && r.chance(0.8)) return r.pick(knownTokens); // often expired or revoked by now
      return `tok_${(0xdead0000 + r.int(1000)).toString(16).padStart(32, '0')}`; // never issued
    };

    const randomCommand = (now: Date): ConsentCommand => {
      // Without an active consent most commands are refused; grant more often then, so runs spend time where it matters.
      const roll = state.status !== 'active' && r.chance(0.5) ? 0 : r.int(100);
      if (roll < 15) return { type: 'GrantConsent', data: { userId: USER, clientId: CLIENT, scopes: r.subset(UNIVERSE) }, context: { client } };
      if (roll < 27) return { type: 'RevokeConsent', data: { consent: someConsent(), scopes: r.subset(UNIVERSE) } };
      if (roll < 32) return { type: 'RevokeConsent', data: { consent: someConsent() } };
      if (roll < 80) {
        // Every attempt brings a fresh id, as the handler does (a fresh nonce under a key); a retry is recognised by
        // its Idempotency-Key, drawn from a small pool so that retries, reuses with another body and windows that
        // closed all happen.
        const n = nextToken++;
        const id = `tok_${n.toString(16).padStart(32, '0')}`;
        knownTokens.push(id);
        const key = r.chance(0.35) ? `key-${r.int(6)}` : undefined;
        const idempotency = key && {
          keyHash: hashToken(key),
          fingerprint: hashToken(`${key}/${r.chance(0.1) ? 'other body' : 'body'}`),
          nonce: n.toString(16).padStart(32, '0'),
          windowSeconds: r.pick([60, 3600, 86_400]),
        };
        return {
          type: 'IssueToken',
          data: {
            consent: someConsent(),
            tokenId: id,
            tokenHash: hashToken(`raw-${id}`),
            ...(idempotency ? { idempotency } : {}),
            scopes: r.chance(0.4) ? undefined : r.subset(state.status === 'active' && r.chance(0.8) ? state.scopes : UNIVERSE),
            expiresIn: r.chance(0.3) ? undefined : r.pick([1, 30, 300, 900, 3600, 86_400, 0, 86_401]),
          },
          context: { client },
        };
      }
      return { type: 'RevokeToken', data: { tokenId: someTokenId(now) } };
    };

    for (let step = 0; step < steps; step++) {
      nowMs += 1000 * r.pick([0, 0, 1, 5, 10, 60, 60, 300, 900, 3600, 7200]);
      const now = new Date(nowMs);
      const command = randomCommand(now);
      let events: ConsentEvent[] = [];
      try {
        events = consentDecider.decide(command, state, testMeta({ now }));
      } catch (error) {
        if (!(error instanceof DomainError)) throw new Error(`seed ${seed} step ${step}: ${command.type} threw ${String(error)}`);
        stats.rejected[error.code] = (stats.rejected[error.code] ?? 0) + 1;
      }
      if (events.length === 0) stats.noops++;
      for (const e of events) {
        stats.events[e.type] = (stats.events[e.type] ?? 0) + 1;
        if (e.type === 'ConsentScopesRevoked' && (e.data.tokensEnded ?? 0) > 0) stats.partialEnds++;
        if (e.type === 'ConsentRevoked' && (e.data.tokensEnded ?? 0) > 0) stats.fullEnds++;
        state = consentDecider.evolve(state, e);
        view.apply(e);
        log.push(e);
        // Every event lands on the consent the state now holds (no event for another generation).
        if (state.status !== 'none') expect(e.data.consentId).toBe(state.consentId);
      }
      const violations = [...view.violations(now), ...stateViolations(state, now)];
      if (violations.length > 0) {
        throw new Error(`seed ${seed} step ${step} after ${JSON.stringify(command)}:\n${violations.join('\n')}`);
      }
    }
    if (process.env.PROPERTY_STATS) console.log(seed, JSON.stringify(stats));
    // Replaying the log from scratch gives the state the decisions were made against.
    expect(stateAfter(consentDecider, log)).toEqual(state);
    return stats;
  }

  it.each([1, 2, 3, 7, 42, 1337, 20250301, 987654321])('holds for every step of a 400-step run (seed %d)', (seed) => {
    const stats = run(seed, 400);
    // The run must actually exercise the interesting paths, or the property above proves little.
    expect(stats.events.ConsentGranted ?? 0).toBeGreaterThan(0);
    expect(stats.events.TokenIssued ?? 0).toBeGreaterThan(20);
    expect(stats.events.ConsentScopesRevoked ?? 0).toBeGreaterThan(0);
    expect(stats.events.TokenRevoked ?? 0).toBeGreaterThan(0);
    expect(stats.noops).toBeGreaterThan(0);
  });

  it('across all seeds, exercises every event type, every rejection, and revocations that end tokens', () => {
    const total = { events: {} as Record<string, number>, rejected: {} as Record<string, number>, partialEnds: 0, fullEnds: 0 };
    for (const seed of [1, 2, 3, 7, 42, 1337, 20250301, 987654321]) {
      const stats = run(seed, 400);
      for (const [k, v] of Object.entries(stats.events)) total.events[k] = (total.events[k] ?? 0) + v;
      for (const [k, v] of Object.entries(stats.rejected)) total.rejected[k] = (total.rejected[k] ?? 0) + v;
      total.partialEnds += stats.partialEnds;
      total.fullEnds += stats.fullEnds;
    }
    for (const type of ['ConsentGranted', 'ConsentScopesExtended', 'ConsentScopesRevoked', 'ConsentRevoked', 'TokenIssued', 'TokenRevoked']) {
      expect([type, total.events[type] ?? 0]).toEqual([type, expect.any(Number)]);
      expect(total.events[type] ?? 0).toBeGreaterThan(0);
    }
    for (const code of ['consent_not_found', 'consent_not_active', 'scope_not_consented', 'invalid_expires_in', 'token_no_longer_active', 'idempotency_key_reused']) {
      expect(total.rejected[code] ?? 0).toBeGreaterThan(0);
    }
    expect(total.partialEnds).toBeGreaterThan(0);
    expect(total.fullEnds).toBeGreaterThan(0);
  });
});
