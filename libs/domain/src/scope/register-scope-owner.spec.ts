import { ClientState } from '../client/client';
import { scopeStream } from '../shared/ids';
import { clientState } from '../testing/client-fixtures';
import { DeciderSpecification, FIXED_NOW, stateAfter } from '../testing/decider-spec';
import { RegisterScopeOwner } from './register-scope-owner';
import { ScopeOwnerRegistered, scopeOwnerOf } from './scope-owner';
import { scopeOwnerDecider } from './scope-owner.decider';

const scope = 'transfer:all';
const register = (clientId = 'transfer', client: ClientState = clientState(null, 'active', clientId), s = scope): RegisterScopeOwner => ({
  type: 'RegisterScopeOwner',
  data: { scope: s, clientId },
  context: { client },
});
const registered = (clientId = 'transfer'): ScopeOwnerRegistered => ({ type: 'ScopeOwnerRegistered', data: { scope, clientId, registeredAt: FIXED_NOW.toISOString() } });

describe('RegisterScopeOwner', () => {
  const spec = DeciderSpecification.for(scopeOwnerDecider);

  it('records the client that serves a scope nobody serves yet, and when', () => {
    spec.given([]).when(register()).then([registered()]);
  });

  it('the same client again is a no-op; another client is refused with scope_owned, naming the scope', () => {
    spec.given([registered()]).when(register()).thenNothing();
    expect(spec.given([registered()]).when(register('impostor')).thenThrows('scope_owned', 'conflict').message).toBe('Scope transfer:all is served by another client');
    expect(() => scopeOwnerDecider.decide(register('impostor'), stateAfter(scopeOwnerDecider, [registered()]), { now: FIXED_NOW } as never)).toThrow(
      expect.objectContaining({ details: { scope } }),
    );
  });

  it('refuses a scope that is not one RFC 6749 scope-token, naming the value and the rule', () => {
    spec.given([]).when(register('transfer', undefined, 'a b')).thenThrows('invalid_scope', 'validation');
    spec.given([]).when(register('transfer', undefined, 'transfer:all[data]')).thenThrows('invalid_scope', 'validation');
    spec.given([]).when(register('transfer', undefined, '')).thenThrows('invalid_scope', 'validation');
    const error = spec.given([]).when(register('transfer', undefined, 'a b')).thenThrows('invalid_scope', 'validation');
    expect(error.message).toBe('scope "a b" breaks RFC 6749 section 3.3: a scope-token has no space');
    expect(error.details).toEqual({ scope: 'a b', rule: 'RFC 6749 section 3.3: a scope-token has no space' });
  });

  it('the client must be registered and active', () => {
    spec.given([]).when(register('transfer', { status: 'unregistered' } as ClientState)).thenThrows('client_not_found', 'not_found');
    spec.given([]).when(register('transfer', clientState(null, 'deleted', 'transfer'))).thenThrows('client_deleted', 'conflict');
    spec.given([]).when(register('transfer', clientState(null, 'disabled', 'transfer'))).thenThrows('client_disabled', 'conflict');
  });

  it('evolve: the owner is the registered client; none before', () => {
    expect(scopeOwnerOf(stateAfter(scopeOwnerDecider, []))).toBeNull();
    expect(scopeOwnerOf(stateAfter(scopeOwnerDecider, [registered('transfer')]))).toBe('transfer');
    expect(stateAfter(scopeOwnerDecider, [registered()])).toEqual({ status: 'owned', scope, clientId: 'transfer', registeredAt: FIXED_NOW.toISOString() });
  });

  it('each scope has a stream of its own, named by a hash', () => {
    expect(scopeStream(scope)).toMatch(/^scope-[0-9a-f]{32}$/);
    expect(scopeStream(scope)).not.toBe(scopeStream('transfer:all '));
    expect(scopeStream('https://auth.globus.org/scopes/x/data_access')).toMatch(/^scope-[0-9a-f]{32}$/);
  });
});
