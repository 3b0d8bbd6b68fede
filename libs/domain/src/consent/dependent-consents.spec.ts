import { ScopeOwnerContext } from '../scope/dependency-owners';
import { consentIdFor, hashToken, pairKey, parseConsentId } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, FIXED_NOW, stateAfter, testMeta } from '../testing/decider-spec';
import { ConsentEvent, isTokenLive, TokenIssued } from './consent';
import { consentDecider } from './consent.decider';
import type { DependentConsentGranted, DependentConsentRevoked } from './consent-events';
import { DEPENDENT_CONSENT_ID_PATTERN, dependentConsentId } from './dependent-consents';
import { GrantConsent } from './grant-consent';

const USER = 'alice';
const WEB = 'transfer-web';
const root = consentIdFor(pairKey(USER, WEB), 1);
const ref = { consentId: root, userId: USER, clientId: WEB };
const rootConsent = parseConsentId(root)!;
const open = (clientId: string) => clientState(null, 'active', clientId);
const owner = (clientId: string): ScopeOwnerContext => ({ clientId, client: open(clientId) });
const OWNERS = { 'transfer:all': owner('transfer'), 'collection-a:data_access': owner('collection-a'), 'flow:run': owner('flows') };
const grant = (scopes: string[], context: Partial<GrantConsent['context']> = {}): GrantConsent => ({
  type: 'GrantConsent',
  data: { userId: USER, clientId: WEB, scopes },
  context: { client: open(WEB), owners: new Map(Object.entries(OWNERS)), ...context },
});
const spec = DeciderSpecification.for(consentDecider);
const decided = (given: ConsentEvent[], command: Parameters<typeof consentDecider.decide>[0]) => consentDecider.decide(command, stateAfter(consentDecider, given), testMeta());
const dependents = (events: ConsentEvent[]) => events.filter((e): e is DependentConsentGranted => e.type === 'DependentConsentGranted');
const revocations = (events: ConsentEvent[]) => events.filter((e): e is DependentConsentRevoked => e.type === 'DependentConsentRevoked');
const D1 = dependentConsentId(root, ['transfer:all', 'collection-a:data_access'], 0);
const tokenOf = (name: string, extra: Partial<TokenIssued['data']> = {}): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref, tokenId: `tok_${name.padEnd(32, '0')}`, tokenHash: hashToken(name), scopes: ['transfer:all'], issuedAt: FIXED_NOW.toISOString(), expiresAt: new Date(FIXED_NOW.getTime() + 3600_000).toISOString(), ...extra },
});
const dependentToken = (name: string, dependent = D1) =>
  tokenOf(name, { clientId: 'transfer', scopes: ['collection-a:data_access'], dependent: { consentId: dependent, dependencyPath: [root, dependent], rootScope: 'transfer:all' } });

describe('Dependent consents: the tree a grant records', () => {
  it('records the root and, under it, a dependent consent of the owner of the parent scope, keyed by root and path', () => {
    const events = decided([], grant(['transfer:all[collection-a:data_access]']));
    expect(events.map((e) => e.type)).toEqual(['ConsentGranted', 'DependentConsentGranted']);
    const [d] = dependents(events);
    expect(d.data).toEqual({
      ...ref,
      dependentConsentId: D1,
      dependentClientId: 'transfer',
      scope: 'collection-a:data_access',
      parentScope: 'transfer:all',
      parentConsentId: root,
      dependencyPath: [root, D1],
      scopePath: ['transfer:all', 'collection-a:data_access'],
      grantedAt: FIXED_NOW.toISOString(),
    });
    expect(D1).toMatch(DEPENDENT_CONSENT_ID_PATTERN);
    expect(D1.startsWith(`${root}_`)).toBe(true);
  });

  it('a dependent consent id is the root, the path and its count: none collides with another root, path or generation', () => {
    const ids = new Set([
      dependentConsentId(root, ['a', 'b'], 0),
      dependentConsentId(root, ['a', 'b'], 1),
      dependentConsentId(root, ['a', 'c'], 0),
      dependentConsentId(root, ['a', 'b', 'c'], 0),
      dependentConsentId(consentIdFor(pairKey(USER, WEB), 2), ['a', 'b'], 0),
      dependentConsentId(root, ['ab'], 0),
    ]);
    expect(ids.size).toBe(6);
    // Ids are stored and published: the derivation is fixed (a change would split the ids of existing trees).
    expect(dependentConsentId('cns_da353a93d8c0acc0390f9955c44e6a43_1', ['transfer:all', 'collection-a:data_access'], 0)).toBe('cns_da353a93d8c0acc0390f9955c44e6a43_1_a621a360c291a209');
    for (const id of [`x${D1}`, `${D1}0`, D1.replace('_1_', '_x_'), root]) expect(id).not.toMatch(DEPENDENT_CONSENT_ID_PATTERN);
    for (const id of [D1, dependentConsentId(consentIdFor(pairKey(USER, WEB), 120), ['a', 'b'], 0)]) expect(id).toMatch(DEPENDENT_CONSENT_ID_PATTERN);
  });

  it('goes down every level whose parent has an owner, each under its parent, with the path of consents', () => {
    const events = decided([], grant(['flow:run[transfer:all[collection-a:data_access]]']));
    const [first, second] = dependents(events);
    expect(first.data).toMatchObject({ dependentClientId: 'flows', scope: 'transfer:all', parentConsentId: root });
    expect(second.data).toMatchObject({ dependentClientId: 'transfer', scope: 'collection-a:data_access', parentConsentId: first.data.dependentConsentId });
    expect(second.data.dependencyPath).toEqual([root, first.data.dependentConsentId, second.data.dependentConsentId]);
  });

  it('a dependency of a scope nobody serves is in the tree only, and so is everything under it', () => {
    const events = decided([], grant(['nobody:serves[transfer:all[collection-a:data_access]]']));
    expect(events.map((e) => e.type)).toEqual(['ConsentGranted']);
  });

  it('granting the same tree again records nothing; growing it records only the new dependent consent', () => {
    const first = decided([], grant(['transfer:all[collection-a:data_access]']));
    spec.given(first).when(grant(['transfer:all[collection-a:data_access]'])).thenNothing();
    const grown = decided(first, grant(['transfer:all[collection-b:data_access]']));
    expect(grown.map((e) => e.type)).toEqual(['ConsentScopesExtended', 'DependentConsentGranted']);
    expect(dependents(grown)[0].data.scope).toBe('collection-b:data_access');
  });

  it('a path revoked with its scope and granted again is a new dependent consent', () => {
    const first = decided([], grant(['openid', 'transfer:all[collection-a:data_access]']));
    const revoked = decided(first, { type: 'RevokeConsent', data: { consent: rootConsent, scopes: ['transfer:all'] } });
    const again = decided([...first, ...revoked], grant(['transfer:all[collection-a:data_access]']));
    expect(dependents(again)[0].data.dependentConsentId).toBe(dependentConsentId(root, ['transfer:all', 'collection-a:data_access'], 1));
  });

  it('refuses a cycle (a scope that depends on itself) with 400 dependency_cycle, naming the chain', () => {
    const error = spec.given([]).when(grant(['a[b[a]]'])).thenThrows('dependency_cycle', 'validation');
    expect(error.details).toEqual({ scopes: ['a', 'b', 'a'] });
    expect(error.message).toBe('a depends on itself: a -> b -> a');
    spec.given([]).when(grant(['a[a]'])).thenThrows('dependency_cycle', 'validation');
  });

  it('refuses a tree deeper than the configured limit with 400 dependency_too_deep; at the limit it is taken', () => {
    const error = spec.given([]).when(grant(['a[b[c]]'], { maxDependencyDepth: 1 })).thenThrows('dependency_too_deep', 'validation');
    expect(error.details).toEqual({ maxDependencyDepth: 1 });
    expect(error.message).toBe('Dependencies nest at most 1 levels below a granted scope: a -> b -> c');
    expect(decided([], grant(['a[b[c]]'], { maxDependencyDepth: 2 }))[0].type).toBe('ConsentGranted');
    expect(decided([], grant(['a[b[c[d[e]]]]']))[0].type).toBe('ConsentGranted');
  });

  it('siblings may name the same scope: only a scope above itself is a cycle', () => {
    expect(decided([], grant(['a[b c[b]]']))[0].type).toBe('ConsentGranted');
  });
});

describe('Dependent consents: the cascade of the root', () => {
  const tree = decided([], grant(['openid', 'flow:run[transfer:all[collection-a:data_access]]', 'transfer:all[collection-a:data_access]']));
  const byScope = (path: string[]) => dependents(tree).find((d) => d.data.scopePath.join(' ') === path.join(' '))!.data.dependentConsentId;

  it('revoking the root ends every dependent consent under it, however deep, in the same decision', () => {
    const events = decided(tree, { type: 'RevokeConsent', data: { consent: rootConsent } });
    expect(events[0].type).toBe('ConsentRevoked');
    expect(revocations(events).map((e) => e.data.dependentConsentId).sort()).toEqual(dependents(tree).map((d) => d.data.dependentConsentId).sort());
    expect(revocations(events).every((e) => e.data.cause === 'ConsentRevoked' && e.data.revokedAt === FIXED_NOW.toISOString())).toBe(true);
    // Each is caused by the root's revocation, the decision's first event (the executor turns that into causationId).
    expect(revocations(events).every((e) => e.causedBy === 0)).toBe(true);
  });

  it('revoking the parent scope ends the dependents under it only', () => {
    const events = decided(tree, { type: 'RevokeConsent', data: { consent: rootConsent, scopes: ['flow:run'] } });
    expect(events[0].type).toBe('ConsentScopesRevoked');
    expect(revocations(events).map((e) => e.data.dependencyPath.length)).toEqual([2, 3]);
    expect(revocations(events).every((e) => e.data.cause === 'ConsentScopesRevoked')).toBe(true);
    expect(revocations(events).map((e) => e.data.dependentConsentId)).not.toContain(byScope(['transfer:all', 'collection-a:data_access']));
  });

  it('revoking a scope without dependents cascades nothing; revoking again appends nothing (idempotent)', () => {
    expect(decided(tree, { type: 'RevokeConsent', data: { consent: rootConsent, scopes: ['openid'] } }).map((e) => e.type)).toEqual(['ConsentScopesRevoked']);
    const all = decided(tree, { type: 'RevokeConsent', data: { consent: rootConsent } });
    spec.given([...tree, ...all]).when({ type: 'RevokeConsent', data: { consent: rootConsent } }).thenNothing();
  });

  it('a cascade event names its root, the dependent consent and the reason; one already revoked is not revoked again', () => {
    const d = dependents(tree)[0].data;
    const revoked = decided(tree, { type: 'RevokeConsent', data: { consent: rootConsent, scopes: [d.scopePath[0]] } });
    const [first] = revocations(revoked);
    expect(first.data).toEqual({
      ...ref,
      dependentConsentId: first.data.dependentConsentId,
      dependentClientId: expect.any(String),
      scope: expect.any(String),
      dependencyPath: expect.any(Array),
      cause: 'ConsentScopesRevoked',
      revokedAt: FIXED_NOW.toISOString(),
      reason: null,
      tokensEnded: 0,
    });
    const why = consentDecider.decide({ type: 'RevokeConsent', data: { consent: rootConsent } }, stateAfter(consentDecider, [...tree, ...revoked]), testMeta({ reason: 'user asked' }));
    expect(revocations(why).every((e) => e.data.reason === 'user asked')).toBe(true);
    const again = revocations(why).map((e) => e.data.dependentConsentId);
    for (const e of revocations(revoked)) expect(again).not.toContain(e.data.dependentConsentId);
    expect(again.length + revocations(revoked).length).toBe(dependents(tree).length);
  });

  it('a DependentConsentRevoked for a dependent the root never had changes nothing', () => {
    const stray: DependentConsentRevoked = {
      type: 'DependentConsentRevoked',
      data: { ...ref, dependentConsentId: `${root}_${'f'.repeat(16)}`, dependentClientId: 'x', scope: 'x', dependencyPath: [root], cause: 'ConsentRevoked', revokedAt: FIXED_NOW.toISOString(), reason: null, tokensEnded: 0 },
    };
    const state = stateAfter(consentDecider, [...tree, stray]);
    if (state.status !== 'active') throw new Error('expected an active root');
    expect(state.dependents.size).toBe(dependents(tree).length);
    expect(state.dependents.has(stray.data.dependentConsentId)).toBe(false);
  });

  it("the user-wide revocation's fan-out cascades too", () => {
    const events = decided(tree, { type: 'RevokeConsent', data: { consent: rootConsent, userRevocation: 1 } });
    expect(events[0].type).toBe('ConsentRevoked');
    expect(revocations(events)).toHaveLength(dependents(tree).length);
  });

  it('a cascade counts the live tokens of each dependent consent, and ends them in the state', () => {
    const given = [...tree, dependentToken('d', byScope(['transfer:all', 'collection-a:data_access'])), tokenOf('r')];
    const events = decided(given, { type: 'RevokeConsent', data: { consent: rootConsent, scopes: ['transfer:all'] } });
    expect(events[0]).toMatchObject({ type: 'ConsentScopesRevoked', data: { tokensEnded: 2 } });
    expect(revocations(events).map((e) => e.data.tokensEnded)).toEqual([1]);
    const after = stateAfter(consentDecider, [...given, ...events]);
    expect(isTokenLive(after, dependentToken('d').data.tokenId, FIXED_NOW)).toBe(false);
  });

  it('a dependent consent revoked on its own (its event alone) ends its tokens and is revoked in the state', () => {
    const id = byScope(['transfer:all', 'collection-a:data_access']);
    const token = dependentToken('d', id);
    const revoked: DependentConsentRevoked = {
      type: 'DependentConsentRevoked',
      data: { ...ref, dependentConsentId: id, dependentClientId: 'transfer', scope: 'collection-a:data_access', dependencyPath: [root, id], cause: 'ConsentRevoked', revokedAt: FIXED_NOW.toISOString(), reason: null, tokensEnded: 1 },
    };
    const state = stateAfter(consentDecider, [...tree, token, tokenOf('r', { tokenId: `tok_${'1'.repeat(32)}` }), revoked]);
    if (state.status !== 'active') throw new Error('expected an active root');
    expect(state.dependents.get(id)?.status).toBe('revoked');
    expect(isTokenLive(state, token.data.tokenId, FIXED_NOW)).toBe(false);
    expect(isTokenLive(state, `tok_${'1'.repeat(32)}`, FIXED_NOW)).toBe(true);
  });
});
