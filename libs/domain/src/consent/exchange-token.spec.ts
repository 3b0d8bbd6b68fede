import { ScopeOwnerContext } from '../scope/dependency-owners';
import { consentIdFor, hashToken, pairKey, parseConsentId } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, FIXED_NOW, secondsAfter, stateAfter, testMeta } from '../testing/decider-spec';
import { ConsentEvent, ConsentGranted, TokenIssued } from './consent';
import { consentDecider } from './consent.decider';
import type { DependentConsentGranted, DependentConsentRevoked } from './consent-events';
import { ExchangeToken } from './exchange-token';
import { GrantConsent } from './grant-consent';

const USER = 'alice';
const WEB = 'transfer-web';
const root = consentIdFor(pairKey(USER, WEB), 1);
const open = (clientId: string) => clientState(null, 'active', clientId);
const owner = (clientId: string): ScopeOwnerContext => ({ clientId, client: open(clientId) });
const OWNERS = new Map(Object.entries({ 'transfer:all': owner('transfer'), 'flow:run': owner('flows') }));
const grant = (scopes: string[], expiresInSeconds?: number): GrantConsent => ({
  type: 'GrantConsent',
  data: { userId: USER, clientId: WEB, scopes, ...(expiresInSeconds ? { expiresIn: expiresInSeconds } : {}) },
  context: { client: open(WEB), owners: OWNERS },
});
const id = (name: string) => `tok_${Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('hex')}`;
const minted = (name: string) => ({ tokenId: id(name), tokenHash: hashToken(`raw-${name}`) });
const decided = (given: ConsentEvent[], command: Parameters<typeof consentDecider.decide>[0], now = FIXED_NOW) => consentDecider.decide(command, stateAfter(consentDecider, given), testMeta({ now }));
const issue = (name: string, scopes?: string[]) => ({ type: 'IssueToken' as const, data: { consent: parseConsentId(root)!, ...minted(name), ...(scopes ? { scopes } : {}) }, context: { client: open(WEB) } });
const exchange = (subject: string, byClient: string, scopes: string[], context: Partial<ExchangeToken['context']> = {}): ExchangeToken => ({
  type: 'ExchangeToken',
  data: { subjectTokenId: id(subject), byClient, scopes, access: minted(`x-${subject}-${byClient}`) },
  context: { client: open(byClient), lookupActive: true, ...context },
});

const tree = decided([], grant(['openid', 'flow:run[transfer:all[collection-a:data_access]]', 'transfer:all[collection-a:data_access *collection-b:data_access]']));
const rootToken = decided(tree, issue('root'));
const given = [...tree, ...rootToken];
const dependent = (path: string) => tree.find((e): e is DependentConsentGranted => e.type === 'DependentConsentGranted' && e.data.scopePath.join(' ') === path)!.data;
const spec = DeciderSpecification.for(consentDecider);

describe('ExchangeToken (RFC 8693): a dependent token within a dependent consent', () => {
  it('issues one token to the asking client, on the root stream, naming its dependent consent and the root scope', () => {
    const d = dependent('transfer:all collection-a:data_access');
    const events = decided(given, exchange('root', 'transfer', ['collection-a:data_access']));
    const expected: TokenIssued = {
      type: 'TokenIssued',
      data: {
        consentId: root,
        userId: USER,
        clientId: 'transfer',
        ...minted('x-root-transfer'),
        scopes: ['collection-a:data_access'],
        issuedAt: FIXED_NOW.toISOString(),
        expiresAt: secondsAfter(3600).toISOString(),
        dependent: { consentId: d.dependentConsentId, dependencyPath: d.dependencyPath, rootScope: 'transfer:all' },
      },
    };
    expect(events).toEqual([expected]);
  });

  it('goes down the chain one level per exchange: a dependent token is the subject of the next', () => {
    const first = decided(given, exchange('root', 'flows', ['transfer:all']));
    const subject = { ...(first[0] as TokenIssued), data: { ...(first[0] as TokenIssued).data, ...minted('flows') } };
    const second = decided([...given, subject], exchange('flows', 'transfer', ['collection-a:data_access']));
    const d = dependent('flow:run transfer:all collection-a:data_access');
    expect((second[0] as TokenIssued).data.dependent).toEqual({ consentId: d.dependentConsentId, dependencyPath: d.dependencyPath, rootScope: 'flow:run' });
  });

  it('never outlives the root consent', () => {
    const short = decided([], grant(['transfer:all[collection-a:data_access]'], 600));
    const t = decided(short, issue('root'));
    const events = decided([...short, ...t], exchange('root', 'transfer', ['collection-a:data_access']));
    expect((events[0] as TokenIssued).data.expiresAt).toBe(secondsAfter(600).toISOString());
  });

  describe('an unacceptable subject_token is invalid_request (RFC 8693 section 2.2.2), appending nothing', () => {
    it('unknown on the stream, or on a stream with no consent', () => {
      const unknown = spec.given(given).when(exchange('other', 'transfer', ['collection-a:data_access'])).thenThrows('invalid_request', 'validation');
      expect(unknown.message).toBe('subject_token is not an active access token');
      const none = spec.given([]).when(exchange('root', 'transfer', ['collection-a:data_access'])).thenThrows('invalid_request', 'validation');
      expect(none.message).toBe('subject_token is not an active access token');
    });

    it('the dependent consent was revoked on its own: the root and its token live on, the exchange is refused', () => {
      const d = dependent('transfer:all collection-a:data_access');
      const revoked: DependentConsentRevoked = {
        type: 'DependentConsentRevoked',
        data: { consentId: root, userId: USER, clientId: WEB, dependentConsentId: d.dependentConsentId, dependentClientId: 'transfer', scope: d.scope, dependencyPath: d.dependencyPath, cause: 'ConsentRevoked', revokedAt: FIXED_NOW.toISOString(), reason: null, tokensEnded: 0 },
      };
      // transfer still holds the optional collection-b dependency under the root: the scope asked for is what is missing.
      const error = spec.given([...given, revoked]).when(exchange('root', 'transfer', ['collection-a:data_access'])).thenThrows('invalid_scope');
      expect(error.message).toBe('No dependent consent under this subject_token grants collection-a:data_access to transfer');
      const flows = dependent('flow:run transfer:all');
      const flowsRevoked: DependentConsentRevoked = { ...revoked, data: { ...revoked.data, dependentConsentId: flows.dependentConsentId, dependentClientId: 'flows', scope: flows.scope } };
      const none = spec.given([...given, flowsRevoked]).when(exchange('root', 'flows', ['transfer:all'])).thenThrows('invalid_request');
      expect(none.message).toBe('subject_token was not issued for a consent with a dependency for client flows');
    });

    it('names every scope the asking client\'s dependencies hang on when the subject lacks them all', () => {
      const two = decided([], grant(['openid', 'transfer:all[collection-a:data_access]', 'transfer:more[collection-b:data_access]']));
      const moreOwned = { ...grant(['openid', 'transfer:all[collection-a:data_access]', 'transfer:more[collection-b:data_access]']) };
      moreOwned.context = { ...moreOwned.context, owners: new Map([...OWNERS, ['transfer:more', owner('transfer')]]) };
      const tree2 = decided([], moreOwned);
      expect(tree2.length).toBeGreaterThan(two.length);
      const narrow = decided(tree2, issue('narrow', ['openid']));
      const error = spec.given([...tree2, ...narrow]).when(exchange('narrow', 'transfer', ['collection-a:data_access'])).thenThrows('invalid_request');
      expect(error.message).toBe('subject_token lacks the scope the dependency hangs on (transfer:all transfer:more)');
    });

    it('inactive: revoked with the root, expired, ended at lookup, or the user revoked everything', () => {
      const revoked = decided(given, { type: 'RevokeConsent', data: { consent: parseConsentId(root)! } });
      const refusals = [
        spec.given([...given, ...revoked]).when(exchange('root', 'transfer', ['collection-a:data_access'])).thenThrows('invalid_request'),
        spec.given(given).when(exchange('root', 'transfer', ['collection-a:data_access']), { now: secondsAfter(3601) }).thenThrows('invalid_request'),
        spec.given(given).when(exchange('root', 'transfer', ['collection-a:data_access'], { lookupActive: false })).thenThrows('invalid_request'),
        spec.given(given).when(exchange('root', 'transfer', ['collection-a:data_access'], { userRevocations: 1 })).thenThrows('invalid_request'),
      ];
      for (const r of refusals) expect(r.message).toBe('subject_token is not an active access token');
    });

    it('not issued for a consent with a dependency for this client', () => {
      const error = spec.given(given).when(exchange('root', 'collection-a', ['collection-a:data_access'])).thenThrows('invalid_request');
      expect(error.message).toContain('collection-a');
    });

    it('lacking the scope the dependency hangs on', () => {
      const narrow = decided(tree, issue('narrow', ['openid']));
      const error = spec.given([...tree, ...narrow]).when(exchange('narrow', 'transfer', ['collection-a:data_access'])).thenThrows('invalid_request');
      expect(error.message).toBe('subject_token lacks the scope the dependency hangs on (transfer:all)');
    });

    it('the dependent consent was revoked with its parent scope', () => {
      const cut = decided(given, { type: 'RevokeConsent', data: { consent: parseConsentId(root)!, scopes: ['flow:run'] } });
      spec.given([...given, ...cut]).when(exchange('root', 'flows', ['transfer:all'])).thenThrows('invalid_request');
    });
  });

  describe('an unauthorised target scope is invalid_scope', () => {
    it('a scope no dependent consent of this client under the subject grants', () => {
      const error = spec.given(given).when(exchange('root', 'transfer', ['collection-c:data_access'])).thenThrows('invalid_scope', 'validation');
      expect(error.details).toEqual({ scopes: ['collection-c:data_access'] });
      expect(error.message).toBe('No dependent consent under this subject_token grants collection-c:data_access to transfer');
    });

    it('more than one scope: one token per exchange', () => {
      const two = spec.given(given).when(exchange('root', 'transfer', ['collection-a:data_access', 'collection-b:data_access'])).thenThrows('invalid_scope');
      expect(two.message).toBe('One dependent scope per exchange: each exchange returns one token within one dependent consent');
      spec.given(given).when(exchange('root', 'transfer', [])).thenThrows('invalid_scope');
    });

    it('a malformed scope, named as the scope parameter', () => {
      expect(spec.given(given).when(exchange('root', 'transfer', ['a b'])).thenThrows('invalid_scope').message).toContain('scope[0]');
    });

    it('the asking client is disabled or no longer allows the scope', () => {
      const disabled = spec.given(given).when(exchange('root', 'transfer', ['collection-a:data_access'], { client: clientState(null, 'disabled', 'transfer') })).thenThrows('invalid_scope');
      expect(disabled.message).toBe('Client transfer is not active or no longer allows collection-a:data_access');
      expect(disabled.details).toEqual({ scopes: ['collection-a:data_access'] });
      spec.given(given).when(exchange('root', 'transfer', ['collection-a:data_access'], { client: clientState(['other'], 'active', 'transfer') })).thenThrows('invalid_scope');
    });
  });

  it('a dependent token is revoked (RFC 7009) by the client it was issued to, never by the root client', () => {
    const issued = decided(given, exchange('root', 'transfer', ['collection-a:data_access']))[0] as TokenIssued;
    const after = [...given, issued];
    const revoke = (byClient: string) => ({ type: 'RevokeToken' as const, data: { tokenId: issued.data.tokenId, byClient } });
    spec.given(after).when(revoke(WEB)).thenThrows('token_not_owned');
    expect(decided(after, revoke('transfer'))).toEqual([
      { type: 'TokenRevoked', data: { consentId: root, userId: USER, clientId: 'transfer', tokenId: issued.data.tokenId, tokenHash: issued.data.tokenHash, revokedAt: FIXED_NOW.toISOString(), reason: null } },
    ]);
    // The root's own tokens stay the root client's.
    spec.given(after).when({ type: 'RevokeToken', data: { tokenId: id('root'), byClient: 'transfer' } }).thenThrows('token_not_owned');
  });

  it('an optional dependency is a dependent consent like any other', () => {
    expect(decided(given, exchange('root', 'transfer', ['collection-b:data_access']))).toHaveLength(1);
  });

  it('a handler that reuses a token id is a programming error, not a refusal', () => {
    const reuse: ExchangeToken = { ...exchange('root', 'transfer', ['collection-a:data_access']), data: { ...exchange('root', 'transfer', ['collection-a:data_access']).data, access: minted('root') } };
    expect(() => decided(given, reuse)).toThrow('ExchangeToken needs a new token id');
    const bad: ExchangeToken = { ...reuse, data: { ...reuse.data, access: { tokenId: 'nope', tokenHash: hashToken('x') } } };
    expect(() => decided(given, bad)).toThrow('ExchangeToken needs a new token id');
    for (const tokenHash of ['xyz', `x${hashToken('a')}`, `${hashToken('a')}x`]) {
      const badHash: ExchangeToken = { ...reuse, data: { ...reuse.data, access: { tokenId: id('fresh'), tokenHash } } };
      expect(() => decided(given, badHash)).toThrow('ExchangeToken needs a new token id');
    }
  });

  it('a granted root with no tree has no dependent consent for anyone', () => {
    const plain: ConsentGranted = { type: 'ConsentGranted', data: { consentId: root, userId: USER, clientId: WEB, scopes: ['openid'], grantedAt: FIXED_NOW.toISOString() } };
    const t = decided([plain], issue('root'));
    spec.given([plain, ...t]).when(exchange('root', 'transfer', ['openid'])).thenThrows('invalid_request');
  });
});
