import { consentIdFor, hashToken, pairKey, parseConsentId } from '../shared/ids';
import { DeciderSpecification, secondsAfter, stateAfter } from '../testing/decider-spec';
import { ConsentEvent, ConsentGranted, ConsentRevoked, liveTokens, TokenIssued, TokenRevoked } from './consent';
import { consentDecider } from './consent.decider';
import { RevokeConsent } from './revoke-consent';

const USER = 'alice';
const CLIENT = 'transfer-app';
const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';

const consentId = (generation = 1) => consentIdFor(pairKey(USER, CLIENT), generation);
/** The parsed id a command carries, as the edge hands it on. */
const consent = (generation = 1) => parseConsentId(consentId(generation))!;
const ref = (generation = 1) => ({ consentId: consentId(generation), userId: USER, clientId: CLIENT });
const at = (seconds: number) => secondsAfter(seconds).toISOString();

/** Token ids are tok_ + 32 hex; the stored hash is the SHA-256 of the raw token, which tests make up per name. */
const tokenId = (name: string) => `tok_${Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('hex')}`;
const tokenHash = (name: string) => hashToken(`raw-${name}`);

const granted = (scopes: string[], generation = 1, seconds = -7200): ConsentGranted => ({
  type: 'ConsentGranted',
  data: { ...ref(generation), scopes, grantedAt: at(seconds) },
});
const issued = (name: string, scopes: string[], { issuedAt = -600, expiresIn = 3600, generation = 1 } = {}): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref(generation), tokenId: tokenId(name), tokenHash: tokenHash(name), scopes, issuedAt: at(issuedAt), expiresAt: at(issuedAt + expiresIn) },
});
const tokenRevoked = (name: string, seconds = -300): TokenRevoked => ({
  type: 'TokenRevoked',
  data: { ...ref(1), tokenId: tokenId(name), tokenHash: tokenHash(name), revokedAt: at(seconds), reason: null },
});
const revokedInFull = (scopes: string[], generation = 1, seconds = -3600): ConsentRevoked => ({
  type: 'ConsentRevoked',
  data: { ...ref(generation), revokedScopes: scopes, endedTokens: [], revokedAt: at(seconds), reason: null },
});

const revoke = (data: Partial<RevokeConsent['data']> = {}): RevokeConsent => ({ type: 'RevokeConsent', data: { consent: consent(1), ...data } });

describe('RevokeConsent', () => {
  const spec = DeciderSpecification.for(consentDecider);

  describe('in full (no scopes named)', () => {
    /**
     * Four tokens: "live-1" and "live-2" are live; "expired" expired 40 s ago; "revoked" was revoked on its own.
     * Only the live ones are ended: the others already can't be used, and resource services need not hear of them.
     */
    const history: ConsentEvent[] = [
      granted(['openid', TRANSFER]),
      issued('live-1', ['openid', TRANSFER], { issuedAt: -200 }),
      issued('expired', ['openid'], { issuedAt: -100, expiresIn: 60 }),
      issued('revoked', [TRANSFER], { issuedAt: -90 }),
      tokenRevoked('revoked', -80),
      issued('live-2', ['openid'], { issuedAt: -70 }),
    ];

    it('revokes every scope and ends every live token, and only the live ones', () => {
      spec
        .given(history)
        .when(revoke(), { reason: 'user clicked revoke' })
        .then([
          {
            type: 'ConsentRevoked',
            data: {
              ...ref(1),
              revokedScopes: ['openid', TRANSFER],
              tokensEnded: 2,
              revokedAt: at(0),
              reason: 'user clicked revoke',
            },
          },
        ]);
    });

    it('leaves a revoked consent with no live token', () => {
      const events = [...history, ...spec.given(history).when(revoke()).events()];
      const state = stateAfter(consentDecider, events);
      expect(state.status).toBe('revoked');
      expect(liveTokens(state, secondsAfter(0))).toEqual([]);
    });

    it('of a consent without tokens ends nothing', () => {
      spec
        .given([granted(['openid'])])
        .when(revoke())
        .then([{ type: 'ConsentRevoked', data: { ...ref(1), revokedScopes: ['openid'], tokensEnded: 0, revokedAt: at(0), reason: null } }]);
    });
  });

  describe('in part (some scopes named)', () => {
    const history: ConsentEvent[] = [
      granted(['email', 'openid', TRANSFER]),
      issued('openid+transfer', ['openid', TRANSFER]),
      issued('openid-only', ['openid']),
      issued('email+transfer', ['email', TRANSFER]),
      issued('expired-transfer', [TRANSFER], { issuedAt: -100, expiresIn: 60 }),
    ];

    it('revokes the named scopes, keeps the others, and ends every live token that carries a revoked scope', () => {
      spec
        .given(history)
        .when(revoke({ scopes: [TRANSFER] }))
        .then([
          {
            type: 'ConsentScopesRevoked',
            data: {
              ...ref(1),
              revokedScopes: [TRANSFER],
              remainingScopes: ['email', 'openid'],
              tokensEnded: 2,
              revokedAt: at(0),
              reason: null,
            },
          },
        ]);
    });

    it('leaves the consent active with the remaining scopes, and tokens without a revoked scope live', () => {
      const events = [...history, ...spec.given(history).when(revoke({ scopes: [TRANSFER] })).events()];
      const state = stateAfter(consentDecider, events);
      expect(state).toMatchObject({ status: 'active', scopes: ['email', 'openid'] });
      expect(liveTokens(state, secondsAfter(0)).map(([id]) => id)).toEqual([tokenId('openid-only')]);
    });

    it('ignores named scopes the consent does not hold, revoking only those it does', () => {
      spec
        .given(history)
        .when(revoke({ scopes: ['profile', 'email'] }))
        .then([
          {
            type: 'ConsentScopesRevoked',
            data: {
              ...ref(1),
              revokedScopes: ['email'],
              remainingScopes: ['openid', TRANSFER],
              tokensEnded: 1,
              revokedAt: at(0),
              reason: null,
            },
          },
        ]);
    });

    it('naming every remaining scope is a full revocation: ConsentRevoked, all live tokens ended', () => {
      spec
        .given(history)
        .when(revoke({ scopes: [TRANSFER, 'openid', 'email', 'profile'] }))
        .then([
          {
            type: 'ConsentRevoked',
            data: {
              ...ref(1),
              revokedScopes: ['email', 'openid', TRANSFER],
              tokensEnded: 3,
              revokedAt: at(0),
              reason: null,
            },
          },
        ]);
    });

    it('refuses a malformed scope list: invalid_scope', () => {
      spec.given(history).when(revoke({ scopes: ['open id'] })).thenThrows('invalid_scope', 'validation');
      // A dependency list is a grant's: revoking the scope-token revokes what was granted with it.
      spec.given(history).when(revoke({ scopes: ['openid[email]'] })).thenThrows('invalid_scope', 'validation');
      spec.given(history).when(revoke({ scopes: [] })).thenThrows('invalid_scope', 'validation');
    });
  });

  describe('is idempotent', () => {
    it('revoking a revoked consent again changes nothing', () => {
      spec
        .given([granted(['openid']), revokedInFull(['openid'])])
        .when(revoke())
        .thenNothing();
    });

    it('revoking scopes of a revoked consent changes nothing', () => {
      spec
        .given([granted(['openid', 'email']), revokedInFull(['openid', 'email'])])
        .when(revoke({ scopes: ['openid'] }))
        .thenNothing();
    });

    it('revoking scopes the consent does not hold changes nothing', () => {
      spec
        .given([granted(['openid'])])
        .when(revoke({ scopes: ['email', TRANSFER] }))
        .thenNothing();
    });

    it('revoking a scope already revoked in part changes nothing', () => {
      const first = spec.given([granted(['openid', 'email'])]).when(revoke({ scopes: ['email'] })).events();
      spec
        .given([granted(['openid', 'email']), ...first])
        .when(revoke({ scopes: ['email'] }))
        .thenNothing();
    });
  });

  describe('which consent', () => {
    it('a consent id when the pair never had a consent: consent_not_found', () => {
      spec.given([]).when(revoke()).thenThrows('consent_not_found', 'not_found');
    });

    it('a generation the pair has not reached yet: consent_not_found', () => {
      spec
        .given([granted(['openid'])])
        .when(revoke({ consent: consent(2) }))
        .thenThrows('consent_not_found');
    });

    // A command carries a parsed ConsentId: a malformed id is refused at the edge (404 consent_not_found) and
    // never reaches the decider.
    it.each(['', 'cns_123', 'consent-1', `cns_${pairKey(USER, CLIENT)}_0`, `${consentId(1)} `])(
      'a malformed consent id %p cannot make a command',
      (malformed) => {
        expect(parseConsentId(malformed)).toBeUndefined();
      },
    );

    it("another pair's consent id, of a generation this stream has: consent_not_found, naming the id", () => {
      const other = consentIdFor(pairKey('bob', CLIENT), 1);
      const error = spec.given([granted(['openid'])]).when(revoke({ consent: parseConsentId(other)! })).thenThrows('consent_not_found', 'not_found');
      expect(error.message).toBe(`Consent ${other} does not exist`);
    });

    it('an earlier generation (revoked in full before the current one was granted) changes nothing', () => {
      const history = [granted(['openid']), revokedInFull(['openid']), granted(['openid'], 2, -1000), issued('gen-2', ['openid'], { generation: 2 })];
      spec.given(history).when(revoke({ consent: consent(1) })).thenNothing();
      // ...and in particular does not touch the current consent or its tokens
      expect(liveTokens(stateAfter(consentDecider, history), secondsAfter(0))).toHaveLength(1);
    });
  });

  describe('reason', () => {
    const history = [granted(['openid']), issued('t', ['openid'])];
    const reasonOf = (command: RevokeConsent, metaReason?: string) =>
      (spec.given(history).when(command, { reason: metaReason }).events()[0] as ConsentRevoked).data.reason;

    // The reason travels one way, with the metadata (like the actor), never also in the command's data.
    it('comes from the metadata', () => {
      expect(reasonOf(revoke(), 'policy: account closed')).toBe('policy: account closed');
    });

    it('is null when neither gives one', () => {
      expect(reasonOf(revoke())).toBeNull();
    });
  });

  describe('whatever the number of tokens', () => {
    // A list of ended tokens made an event of 8,000 tokens larger than EventStoreDB's 1 MiB append limit.
    it('says what it revoked, never which tokens: 20,000 live tokens end in an event of a few hundred bytes', () => {
      const history: ConsentEvent[] = [granted(['openid', TRANSFER]), ...Array.from({ length: 20_000 }, (_, i) => issued(`t${i}`, ['openid']))];
      const [event] = spec.given(history).when(revoke()).events();
      expect(event).toMatchObject({ type: 'ConsentRevoked', data: { tokensEnded: 20_000 } });
      expect(JSON.stringify(event).length).toBeLessThan(500);
      expect(liveTokens(stateAfter(consentDecider, [...history, event]), secondsAfter(1))).toEqual([]);
    });

    it('events written when revocations listed their tokens still end exactly the tokens issued before them', () => {
      const legacy: ConsentEvent = {
        type: 'ConsentScopesRevoked',
        data: { ...ref(1), revokedScopes: [TRANSFER], remainingScopes: ['openid'], endedTokens: [{ tokenId: tokenId('both'), tokenHash: tokenHash('both') }], revokedAt: at(-60), reason: null },
      };
      const state = stateAfter(consentDecider, [granted(['openid', TRANSFER]), issued('both', ['openid', TRANSFER]), issued('openid', ['openid']), legacy]);
      expect(liveTokens(state, secondsAfter(0)).map(([id]) => id)).toEqual([tokenId('openid')]);
    });
  });
});
