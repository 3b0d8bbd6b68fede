import { ClientState } from '../client/client';
import { ScopeOwnerContext, scopesWithDependencies } from '../scope/dependency-owners';
import { consentIdFor, pairKey } from '../shared/ids';
import { parseScopeString, ScopeTree } from '../shared/scope-string';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, FIXED_NOW } from '../testing/decider-spec';
import { ConsentGranted } from './consent';
import { consentDecider } from './consent.decider';
import { GrantConsent } from './grant-consent';
import { dependentConsentId } from './dependent-consents';
import type { DependentConsentGranted } from './consent-events';

const USER = 'alice';
const CLIENT = 'transfer-web';
const ref = { consentId: consentIdFor(pairKey(USER, CLIENT), 1), userId: USER, clientId: CLIENT };
const tree = (s: string) => (parseScopeString(s) as { ok: true; tree: ScopeTree }).tree;
const owner = (clientId: string | null, client?: ClientState): ScopeOwnerContext => ({ clientId, client });
const grant = (scopes: string[], owners: Record<string, ScopeOwnerContext> = {}): GrantConsent => ({
  type: 'GrantConsent',
  data: { userId: USER, clientId: CLIENT, scopes },
  context: { client: clientState(null, 'active', CLIENT), owners: new Map(Object.entries(owners)) },
});
const granted = (scopes: string[], dependencies: ScopeTree[], dependencyOwners?: Record<string, string>): ConsentGranted => ({
  type: 'ConsentGranted',
  data: { ...ref, scopes, dependencies, ...(dependencyOwners ? { dependencyOwners } : {}), grantedAt: FIXED_NOW.toISOString() },
});

/** The dependent consent a grant records under the root, for the scope path given (root scope first). */
const dependent = (owner: string, scopePath: string[], parents: string[] = []): DependentConsentGranted => {
  const id = dependentConsentId(ref.consentId, scopePath, 0);
  const parentConsentId = parents.length > 0 ? parents[parents.length - 1] : ref.consentId;
  const data = { ...ref, dependentConsentId: id, dependentClientId: owner, scope: scopePath[scopePath.length - 1], parentScope: scopePath[scopePath.length - 2] };
  return { type: 'DependentConsentGranted', data: { ...data, parentConsentId, dependencyPath: [ref.consentId, ...parents, id], scopePath, grantedAt: FIXED_NOW.toISOString() } };
};

describe('GrantConsent and the owners of scopes with dependencies', () => {
  const spec = DeciderSpecification.for(consentDecider);
  const transfer = clientState(['collection-a:data_access', 'collection-b:data_access'], 'active', 'transfer');

  it('records, by scope, the client each dependency is asked of: the owner of the scope it depends from', () => {
    spec
      .given([])
      .when(grant(['transfer:all[collection-a:data_access]'], { 'transfer:all': owner('transfer', transfer) }))
      .then([granted(['transfer:all'], [tree('transfer:all[collection-a:data_access]')], { 'transfer:all': 'transfer' }), dependent('transfer', ['transfer:all', 'collection-a:data_access'])]);
  });

  it('at every depth: a dependency with dependencies of its own names its own owner', () => {
    const collection = clientState(['storage:read'], 'active', 'collection-a');
    spec
      .given([])
      .when(grant(['transfer:all[collection-a:data_access[storage:read]]'], { 'transfer:all': owner('transfer', transfer), 'collection-a:data_access': owner('collection-a', collection) }))
      .then([
        granted(['transfer:all'], [tree('transfer:all[collection-a:data_access[storage:read]]')], { 'collection-a:data_access': 'collection-a', 'transfer:all': 'transfer' }),
        dependent('transfer', ['transfer:all', 'collection-a:data_access']),
        dependent('collection-a', ['transfer:all', 'collection-a:data_access', 'storage:read'], [dependentConsentId(ref.consentId, ['transfer:all', 'collection-a:data_access'], 0)]),
      ]);
  });

  it('an owner that may be granted any scope is recorded; an owner of a scope without dependencies is not asked', () => {
    const open = clientState(null, 'active', 'transfer');
    spec
      .given([])
      .when(grant(['transfer:all[collection-a:data_access]'], { 'transfer:all': owner('transfer', open), 'collection-a:data_access': owner('collection-a', clientState(null, 'disabled', 'collection-a')) }))
      .then([granted(['transfer:all'], [tree('transfer:all[collection-a:data_access]')], { 'transfer:all': 'transfer' }), dependent('transfer', ['transfer:all', 'collection-a:data_access'])]);
  });

  it('a scope nobody serves yet is recorded without an owner', () => {
    spec.given([]).when(grant(['transfer:all[collection-a:data_access]'], { 'transfer:all': owner(null) })).then([granted(['transfer:all'], [tree('transfer:all[collection-a:data_access]')])]);
    spec.given([]).when(grant(['transfer:all[collection-a:data_access]'])).then([granted(['transfer:all'], [tree('transfer:all[collection-a:data_access]')])]);
  });

  it('refuses a dependency its owner may not be granted, naming the owner and the scopes (dependency_not_allowed)', () => {
    const error = spec
      .given([])
      .when(grant(['transfer:all[collection-a:data_access collection-c:data_access]'], { 'transfer:all': owner('transfer', transfer) }))
      .thenThrows('dependency_not_allowed', 'conflict');
    expect(error.details).toEqual({ scope: 'transfer:all', ownerClientId: 'transfer', scopes: ['collection-c:data_access'] });
    expect(error.message).toBe('transfer, which serves transfer:all, may not be granted: collection-c:data_access');
    const two = spec
      .given([])
      .when(grant(['transfer:all[x:y z:w]'], { 'transfer:all': owner('transfer', transfer) }))
      .thenThrows('dependency_not_allowed', 'conflict');
    expect(two.message).toBe('transfer, which serves transfer:all, may not be granted: x:y z:w');
  });

  it('refuses when the owner is disabled or deleted: it can act for nobody', () => {
    spec.given([]).when(grant(['transfer:all[x]'], { 'transfer:all': owner('transfer', clientState(null, 'disabled', 'transfer')) })).thenThrows('client_disabled', 'conflict');
    spec.given([]).when(grant(['transfer:all[x]'], { 'transfer:all': owner('transfer', clientState(null, 'deleted', 'transfer')) })).thenThrows('client_deleted', 'conflict');
    spec.given([]).when(grant(['transfer:all[x]'], { 'transfer:all': owner('transfer') })).thenThrows('client_not_found', 'not_found');
  });

  it('a plain grant needs no owner, and records none', () => {
    spec.given([]).when(grant(['openid'], { openid: owner('transfer', transfer) })).then([{ type: 'ConsentGranted', data: { ...ref, scopes: ['openid'], grantedAt: FIXED_NOW.toISOString() } }]);
  });

  it('scopesWithDependencies lists every scope with children, at any depth, once, sorted', () => {
    expect(scopesWithDependencies([tree('b[c[d] e]'), tree('a[c[f]]'), tree('plain')])).toEqual(['a', 'b', 'c']);
    expect(scopesWithDependencies([])).toEqual([]);
  });
});
