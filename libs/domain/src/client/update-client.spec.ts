import { CLIENT_ID, clientEvents as e, TRANSFER } from '../testing/client-events';
import { DeciderSpecification, FIXED_NOW, stateAfter } from '../testing/decider-spec';
import { clientDecider } from './client.decider';
import { UpdateClient } from './update-client';

const update = (data: Omit<UpdateClient['data'], 'clientId'>): UpdateClient => ({ type: 'UpdateClient', data: { clientId: CLIENT_ID, ...data } });
const GROUPS = 'urn:globus:auth:scope:groups.api.globus.org:all';

describe('UpdateClient', () => {
  const spec = DeciderSpecification.for(clientDecider);

  describe('name and terms URL', () => {
    it('renames, keeping the terms URL: one ClientUpdated with both values after the change', () => {
      spec.given([e.registered()]).when(update({ name: 'Transfer' })).then([e.updated('Transfer', 'https://example.org/terms')]);
    });

    it('removes the terms URL with null, and changes both at once', () => {
      spec.given([e.registered()]).when(update({ termsUrl: null })).then([e.updated('Transfer App', null)]);
      spec.given([e.registered()]).when(update({ name: 'T', termsUrl: 'https://example.org/v2' })).then([e.updated('T', 'https://example.org/v2')]);
    });

    it('with the current values is a no-op, so a retry is safe', () => {
      spec.given([e.registered()]).when(update({ name: 'Transfer App', termsUrl: 'https://example.org/terms' })).thenNothing();
      spec.given([e.registered(), e.updated('T', null)]).when(update({ name: 'T', termsUrl: null })).thenNothing();
    });

    it('refuses a bad name or terms URL, as RegisterClient does', () => {
      spec.given([e.registered()]).when(update({ name: ' ' })).thenThrows('invalid_client_name', 'validation');
      spec.given([e.registered()]).when(update({ termsUrl: 'javascript:alert(1)' })).thenThrows('invalid_terms_url', 'validation');
      spec.given([e.registered()]).when(update({ termsUrl: ['https://x'] as unknown as string })).thenThrows('invalid_terms_url');
    });
  });

  describe('allowed scopes', () => {
    it('narrowing is one ClientScopesRevoked naming the removed scopes, with the reason from the metadata', () => {
      spec
        .given([e.registered()])
        .when(update({ allowedScopes: ['openid', 'email'] }), { reason: 'transfer retired' })
        .then([e.scopesRevoked([TRANSFER], ['email', 'openid'], 0, 'transfer retired')]);
    });

    it('widening is one ClientScopesAllowed naming the added scopes', () => {
      spec
        .given([e.registered()])
        .when(update({ allowedScopes: [GROUPS, 'email', 'openid', TRANSFER] }))
        .then([e.scopesAllowed([GROUPS], ['email', GROUPS, 'openid', TRANSFER].sort())]);
    });

    it('replacing one scope by another revokes first, then allows, each event with the list after it', () => {
      spec
        .given([e.registered()])
        .when(update({ allowedScopes: ['openid', 'email', GROUPS] }))
        .then([e.scopesRevoked([TRANSFER], ['email', 'openid']), e.scopesAllowed([GROUPS], ['email', GROUPS, 'openid'].sort())]);
    });

    it('from "any scope" to a list revokes every scope outside it, which no list names: revokedScopes null', () => {
      spec.given([e.registered(null)]).when(update({ allowedScopes: ['openid'] })).then([e.scopesRevoked(null, ['openid'])]);
    });

    it('the same set in another order, or with duplicates, is a no-op', () => {
      spec.given([e.registered()]).when(update({ allowedScopes: [TRANSFER, 'openid', 'email', 'openid'] })).thenNothing();
    });

    it('refuses an empty or malformed list: invalid_scope (a listed client never goes back to "any scope")', () => {
      const empty = spec.given([e.registered()]).when(update({ allowedScopes: [] })).thenThrows('invalid_scope', 'validation');
      expect(empty.message).toBe('allowedScopes must name at least one scope');
      const malformed = spec.given([e.registered()]).when(update({ allowedScopes: ['a b'] })).thenThrows('invalid_scope');
      expect(malformed.message).toBe('allowedScopes[0] "a b" breaks RFC 6749 section 3.3: a scope-token has no space');
      spec.given([e.registered()]).when(update({ allowedScopes: null as unknown as string[] })).thenThrows('invalid_scope');
    });

    it('narrows and renames in one command: ClientUpdated first', () => {
      spec
        .given([e.registered()])
        .when(update({ name: 'T', allowedScopes: ['openid'] }))
        .then([e.updated('T', 'https://example.org/terms'), e.scopesRevoked(['email', TRANSFER], ['openid'])]);
    });
  });

  it('refuses an update that names nothing to change: nothing_to_update', () => {
    const error = spec.given([e.registered()]).when(update({})).thenThrows('nothing_to_update', 'validation');
    expect(error.message).toBe('Give at least one of name, termsUrl and allowedScopes');
  });

  it('updates a disabled client too, and it stays disabled', () => {
    const events = spec.given([e.registered(), e.disabled(-60)]).when(update({ name: 'T' })).events();
    expect(stateAfter(clientDecider, [e.registered(), e.disabled(-60), ...events])).toMatchObject({ status: 'disabled', name: 'T' });
  });

  it('refuses an unknown client (404 client_not_found) and a deleted one (409 client_deleted)', () => {
    spec.given([]).when(update({ name: 'T' })).thenThrows('client_not_found', 'not_found');
    spec.given([e.registered(), e.disabled(-60), e.deleted(-60)]).when(update({ name: 'T' })).thenThrows('client_deleted', 'conflict');
  });

  it('evolve: a narrowing alone takes the scopes away, at its time', () => {
    expect(stateAfter(clientDecider, [e.registered(), e.scopesRevoked([TRANSFER], ['email', 'openid'], 2)])).toMatchObject({
      allowedScopes: ['email', 'openid'],
      updatedAt: new Date(FIXED_NOW.getTime() + 2000).toISOString(),
    });
  });

  it('evolve: each change moves the state on, with updatedAt the time of the last one', () => {
    const later = new Date(FIXED_NOW.getTime() + 5000).toISOString();
    const state = stateAfter(clientDecider, [
      e.registered(),
      e.updated('T', null, 1),
      e.scopesRevoked([TRANSFER], ['email', 'openid'], 2),
      e.scopesAllowed([GROUPS], ['email', GROUPS, 'openid'], 5),
    ]);
    expect(state).toEqual({
      status: 'active',
      clientId: CLIENT_ID,
      name: 'T',
      termsUrl: null,
      allowedScopes: ['email', GROUPS, 'openid'],
      registeredAt: e.registered().data.registeredAt,
      updatedAt: later,
      secrets: [],
    });
  });
});
