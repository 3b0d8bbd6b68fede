import { ClientState } from '../client/client';
import { consentIdFor, pairKey } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, secondsAfter } from '../testing/decider-spec';
import { ConsentEvent, ConsentGranted, ConsentRevoked, ConsentScopesRevoked } from './consent';
import { consentDecider } from './consent.decider';
import { GrantConsent } from './grant-consent';

const USER = 'alice';
const CLIENT = 'transfer-app';
const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const GROUPS = 'urn:globus:auth:scope:groups.api.globus.org:all';

/** Consent ids are derived, not random: the pair key of (user, client) and the generation. */
const consentId = (generation = 1) => consentIdFor(pairKey(USER, CLIENT), generation);
const ref = (generation = 1) => ({ consentId: consentId(generation), userId: USER, clientId: CLIENT });
const at = (seconds: number) => secondsAfter(seconds).toISOString();

const registeredClient = (allowedScopes: string[] | null = ['email', 'openid', GROUPS, TRANSFER]): ClientState => clientState(allowedScopes);

const grant = (scopes: string[], client: ClientState = registeredClient(), userId = USER): GrantConsent => ({
  type: 'GrantConsent',
  data: { userId, clientId: CLIENT, scopes },
  context: { client },
});

const granted = (scopes: string[], generation = 1, seconds = -3600): ConsentGranted => ({
  type: 'ConsentGranted',
  data: { ...ref(generation), scopes, grantedAt: at(seconds) },
});
const revokedInFull = (scopes: string[], generation = 1, seconds = -1800): ConsentRevoked => ({
  type: 'ConsentRevoked',
  data: { ...ref(generation), revokedScopes: scopes, endedTokens: [], revokedAt: at(seconds), reason: null },
});
const scopesRevoked = (revokedScopes: string[], remainingScopes: string[], seconds = -1800): ConsentScopesRevoked => ({
  type: 'ConsentScopesRevoked',
  data: { ...ref(1), revokedScopes, remainingScopes, endedTokens: [], revokedAt: at(seconds), reason: null },
});

describe('GrantConsent', () => {
  const spec = DeciderSpecification.for(consentDecider);

  describe('the client', () => {
    it('must be registered: client_not_found', () => {
      spec
        .given([])
        .when(grant(['openid'], { status: 'unregistered' }))
        .thenThrows('client_not_found', 'not_found');
    });

    it('must be active: a disabled client gets no consent (client_disabled), nor a deleted one (client_deleted)', () => {
      const disabled = spec.given([]).when(grant(['openid'], clientState(null, 'disabled'))).thenThrows('client_disabled', 'conflict');
      expect(disabled.message).toBe('Client transfer-app is disabled: it gets no consent and no token until it is enabled');
      spec.given([granted(['openid'])]).when(grant(['email'], clientState(null, 'disabled'))).thenThrows('client_disabled');
      spec.given([]).when(grant(['openid'], clientState(null, 'deleted'))).thenThrows('client_deleted', 'conflict');
    });

    it('refuses a scope the client was narrowed away from, as one it never had', () => {
      spec.given([granted(['openid', TRANSFER])]).when(grant([TRANSFER], registeredClient(['openid']))).thenThrows('scope_not_allowed');
    });

    it('says which client and which scopes, and what a user id may hold', () => {
      const unregistered = spec.given([]).when(grant(['openid'], { status: 'unregistered' })).thenThrows('client_not_found');
      expect(unregistered.message).toMatch(/^Client \S+ is not registered$/);
      const notAllowed = spec.given([]).when(grant(['email', 'openid', 'profile'], registeredClient(['openid']))).thenThrows('scope_not_allowed');
      expect(notAllowed.message).toMatch(/^Client \S+ may not be granted: email profile$/);
      const badUser = spec.given([]).when(grant(['openid'], registeredClient(), '')).thenThrows('invalid_user_id');
      expect(badUser.message).toBe('userId must be 1-128 characters of A-Z a-z 0-9 . _ : @ + -');
    });

    it('may only be granted its allowed scopes: scope_not_allowed, naming the scopes', () => {
      const error = spec
        .given([])
        .when(grant(['openid', 'profile', 'urn:example:admin'], registeredClient(['openid', 'email'])))
        .thenThrows('scope_not_allowed', 'validation');
      expect(error.details).toEqual({ scopes: ['profile', 'urn:example:admin'] });
    });

    it('checks allowed scopes on an extension too', () => {
      spec
        .given([granted(['openid'])])
        .when(grant(['openid', 'profile'], registeredClient(['openid'])))
        .thenThrows('scope_not_allowed');
    });

    it('without an allowedScopes list may be granted any well-formed scope', () => {
      spec
        .given([])
        .when(grant(['urn:example:anything', 'openid'], registeredClient(null)))
        .then([granted(['openid', 'urn:example:anything'], 1, 0)]);
    });
  });

  describe('validation', () => {
    it.each([
      ['empty', ''],
      ['with a space', 'alice smith'],
      ['starting with @', '@alice'],
      ['longer than 128 characters', 'a'.repeat(129)],
    ])('refuses a user id %s: invalid_user_id', (_label, userId) => {
      spec.given([]).when(grant(['openid'], registeredClient(), userId)).thenThrows('invalid_user_id', 'validation');
    });

    /*
     * USER_ID_PATTERN.test() stringifies its argument, so undefined ("undefined"), null ("null") and numbers pass
     * the check; pairKey() then hands the non-string to crypto's Hash.update, which throws a TypeError
     * (ERR_INVALID_ARG_TYPE). Deciders are meant to throw only DomainError (shared/domain-error.ts), so at the
     * edge this is a 500 instead of a 400. Known defect: these cases fail until grant-consent.ts checks
     * `typeof userId === 'string'` before the pattern.
     */
    it.each<[string, unknown]>([
      ['missing (undefined)', undefined],
      ['null', null],
      ['a number', 12345],
    ])('refuses a user id that is not a string, %s: invalid_user_id', (_label, userId) => {
      const command = grant(['openid']);
      spec
        .given([])
        .when({ ...command, data: { ...command.data, userId: userId as string } })
        .thenThrows('invalid_user_id', 'validation');
    });

    it('refuses malformed scopes: invalid_scope', () => {
      spec.given([]).when(grant(['openid', 'not a scope'])).thenThrows('invalid_scope', 'validation');
    });

    it('refuses an empty list of scopes: invalid_scope', () => {
      spec.given([]).when(grant([])).thenThrows('invalid_scope');
    });
  });

  describe('the first grant', () => {
    it('starts generation 1 of the pair: ConsentGranted with a consent id derived from (user, client) and 1', () => {
      spec
        .given([])
        .when(grant(['openid', TRANSFER]))
        .then([
          {
            type: 'ConsentGranted',
            data: {
              consentId: `cns_${pairKey(USER, CLIENT)}_1`,
              userId: USER,
              clientId: CLIENT,
              scopes: ['openid', TRANSFER],
              grantedAt: at(0),
            },
          },
        ]);
    });

    it('records the scopes de-duplicated and sorted', () => {
      spec
        .given([])
        .when(grant([TRANSFER, 'openid', 'email', 'openid']))
        .then([granted(['email', 'openid', TRANSFER], 1, 0)]);
    });
  });

  describe('granting to an active consent', () => {
    it('with the same scopes is a no-op (repeated or parallel grants converge)', () => {
      spec
        .given([granted(['openid', TRANSFER])])
        .when(grant([TRANSFER, 'openid']))
        .thenNothing();
    });

    it('with a subset of the scopes is a no-op (a grant never narrows a consent)', () => {
      spec
        .given([granted(['openid', TRANSFER])])
        .when(grant(['openid']))
        .thenNothing();
    });

    it('with more scopes extends the same consent: ConsentScopesExtended with only the added scopes', () => {
      spec
        .given([granted(['openid', TRANSFER])])
        .when(grant(['openid', 'email', GROUPS]))
        .then([
          {
            type: 'ConsentScopesExtended',
            data: { ...ref(1), addedScopes: ['email', GROUPS], scopes: ['email', 'openid', GROUPS, TRANSFER], extendedAt: at(0) },
          },
        ]);
    });

    it('after a partial revocation, can grant the revoked scope again (an extension of the same consent)', () => {
      spec
        .given([granted(['openid', TRANSFER]), scopesRevoked([TRANSFER], ['openid'])])
        .when(grant([TRANSFER]))
        .then([
          {
            type: 'ConsentScopesExtended',
            data: { ...ref(1), addedScopes: [TRANSFER], scopes: ['openid', TRANSFER], extendedAt: at(0) },
          },
        ]);
    });
  });

  describe('granting after a full revocation', () => {
    it('starts a new consent with a new id: generation 2', () => {
      const history: ConsentEvent[] = [granted(['openid', TRANSFER]), revokedInFull(['openid', TRANSFER])];
      spec
        .given(history)
        .when(grant(['openid']))
        .then([{ type: 'ConsentGranted', data: { ...ref(2), scopes: ['openid'], grantedAt: at(0) } }]);
      expect(consentId(2)).not.toBe(consentId(1));
    });

    it('starts a new consent even with exactly the old scopes (the old consent stays revoked)', () => {
      spec
        .given([granted(['openid']), revokedInFull(['openid'])])
        .when(grant(['openid']))
        .then([granted(['openid'], 2, 0)]);
    });

    it('counts generations on: the third consent of the pair is generation 3', () => {
      spec
        .given([granted(['openid']), revokedInFull(['openid']), granted(['email'], 2, -1000), revokedInFull(['email'], 2, -500)])
        .when(grant(['openid']))
        .then([granted(['openid'], 3, 0)]);
    });
  });
});
