import { ClientState } from '../client/client';
import { consentIdFor, pairKey } from '../shared/ids';
import { ScopeTree } from '../shared/scope-string';
import { DeciderSpecification, secondsAfter, stateAfter } from '../testing/decider-spec';
import { ConsentEvent, ConsentGranted, ConsentScopesExtended } from './consent';
import { consentDecider } from './consent.decider';
import { GrantConsent } from './grant-consent';

const USER = 'alice';
const CLIENT = 'flows-app';
const TRANSFER = 'https://auth.globus.org/scopes/5fac2e64-c734-4e6b-90ea-ff12ddbf9653/transfer.api.globus.org:all';
const COLLECTION = 'https://auth.globus.org/scopes/0b0a6f1e-8c8a-4d5f-a5a6-e2cd45e7a9a2/data_access';
const OTHER_COLLECTION = 'https://auth.globus.org/scopes/9d6d994a-6d05-4b6f-a4c6-5f1b1f9f2f3e/data_access';

const ref = (generation = 1) => ({ consentId: consentIdFor(pairKey(USER, CLIENT), generation), userId: USER, clientId: CLIENT });
const at = (seconds: number) => secondsAfter(seconds).toISOString();

const client = (allowedScopes: string[] | null = null): ClientState => ({
  status: 'active',
  clientId: CLIENT,
  name: 'Flows',
  allowedScopes,
  termsUrl: null,
  registeredAt: at(-86_400),
  updatedAt: at(-86_400),
  notBefore: null,
  secrets: [],
});
const grant = (scopes: string[], allowedScopes: string[] | null = null): GrantConsent => ({
  type: 'GrantConsent',
  data: { userId: USER, clientId: CLIENT, scopes },
  context: { client: client(allowedScopes) },
});

const tree = (scope: string, ...dependencies: ScopeTree[]): ScopeTree => ({ scope, optional: false, dependencies });
const optional = (scope: string, ...dependencies: ScopeTree[]): ScopeTree => ({ scope, optional: true, dependencies });

const granted = (scopes: string[], dependencies?: ScopeTree[]): ConsentGranted => ({
  type: 'ConsentGranted',
  data: { ...ref(), scopes, ...(dependencies ? { dependencies } : {}), grantedAt: at(-3600) },
});
const extended = (addedScopes: string[], scopes: string[], dependencies?: ScopeTree[]): ConsentScopesExtended => ({
  type: 'ConsentScopesExtended',
  data: { ...ref(), addedScopes, scopes, ...(dependencies ? { dependencies } : {}), extendedAt: at(0) },
});

describe('GrantConsent with dependent scopes', () => {
  const spec = DeciderSpecification.for(consentDecider);

  describe('a first grant', () => {
    it('holds the top-level scope-token as the scope, and records its tree beside it in ConsentGranted', () => {
      spec
        .given([])
        .when(grant(['openid', `${TRANSFER}[*${COLLECTION}]`]))
        .then([
          {
            type: 'ConsentGranted',
            data: { ...ref(), scopes: [TRANSFER, 'openid'], dependencies: [tree(TRANSFER, optional(COLLECTION))], grantedAt: at(0) },
          },
        ]);
    });

    it('records nested trees whole, merged and sorted', () => {
      const [event] = spec.given([]).when(grant(['a[c *b[y x]]', 'a[d]'])).events() as ConsentGranted[];
      expect(event.data.scopes).toEqual(['a']);
      expect(event.data.dependencies).toEqual([tree('a', optional('b', tree('x'), tree('y')), tree('c'), tree('d'))]);
    });

    it('leaves the field out when no scope has dependencies, so that plain grants keep their shape', () => {
      const [event] = spec.given([]).when(grant(['openid', TRANSFER])).events();
      expect(event.data).not.toHaveProperty('dependencies');
    });

    it("bounds the top-level scopes by the client's allowedScopes, and not the dependencies", () => {
      spec
        .given([])
        .when(grant([`${TRANSFER}[${COLLECTION}]`], [TRANSFER]))
        .then([{ type: 'ConsentGranted', data: { ...ref(), scopes: [TRANSFER], dependencies: [tree(TRANSFER, tree(COLLECTION))], grantedAt: at(0) } }]);
      const refused = spec.given([]).when(grant([`${TRANSFER}[${COLLECTION}]`], [COLLECTION])).thenThrows('scope_not_allowed');
      expect(refused.details).toEqual({ scopes: [TRANSFER] });
    });

    it('refuses a malformed scope-string with invalid_scope, naming it, its place and the rule', () => {
      const error = spec.given([]).when(grant(['openid', `${TRANSFER}[`])).thenThrows('invalid_scope', 'validation');
      expect(error.message).toBe(`scopes[1] "${TRANSFER.slice(0, 80)}..." breaks the dependent-scope grammar: this '[' is never closed (at character 96)`);
      spec.given([]).when(grant([`*${TRANSFER}`])).thenThrows('invalid_scope');
    });
  });

  describe('a grant to an active consent', () => {
    const history: ConsentEvent[] = [granted([TRANSFER, 'openid'], [tree(TRANSFER, optional(COLLECTION))])];

    it('with the same tree, or the bare scope, or a part of the tree, is a no-op', () => {
      spec.given(history).when(grant([`${TRANSFER}[*${COLLECTION}]`])).thenNothing();
      spec.given(history).when(grant([TRANSFER, 'openid'])).thenNothing();
      spec.given([granted(['a'], [tree('a', tree('b'), tree('c'))])]).when(grant(['a[c]'])).thenNothing();
    });

    it('with a dependency more, records the whole grown tree, adding no scope', () => {
      spec
        .given(history)
        .when(grant([`${TRANSFER}[${OTHER_COLLECTION}]`]))
        .then([extended([], [TRANSFER, 'openid'], [tree(TRANSFER, optional(COLLECTION), tree(OTHER_COLLECTION))])]);
    });

    it('that grows a dependency of a held dependency, records the tree grown below it', () => {
      spec
        .given([granted(['a'], [tree('a', tree('b', tree('x')), tree('c'))])])
        .when(grant(['a[b[y]]']))
        .then([extended([], ['a'], [tree('a', tree('b', tree('x'), tree('y')), tree('c'))])]);
    });

    it('that requires an optional dependency, records it as required', () => {
      spec
        .given(history)
        .when(grant([`${TRANSFER}[${COLLECTION}]`]))
        .then([extended([], [TRANSFER, 'openid'], [tree(TRANSFER, tree(COLLECTION))])]);
    });

    it('with a new scope and its tree, records only the trees that changed', () => {
      spec
        .given(history)
        .when(grant([`${TRANSFER}[*${COLLECTION}]`, 'email[profile]']))
        .then([extended(['email'], ['email', TRANSFER, 'openid'], [tree('email', tree('profile'))])]);
    });

    it('with a new plain scope, leaves the field out', () => {
      spec.given(history).when(grant(['email'])).then([extended(['email'], ['email', TRANSFER, 'openid'])]);
    });

    it('grows a held tree after an extension recorded it, and is a no-op once it holds the request', () => {
      const grown = [...history, extended([], [TRANSFER, 'openid'], [tree(TRANSFER, optional(COLLECTION), tree(OTHER_COLLECTION))])];
      spec.given(grown).when(grant([`${TRANSFER}[${OTHER_COLLECTION}]`])).thenNothing();
      spec.given(grown).when(grant([`${TRANSFER}[*${COLLECTION}]`])).thenNothing();
    });
  });

  describe('the state', () => {
    it('holds each scope’s dependencies, follows extensions, and drops a revoked scope’s', () => {
      const events: ConsentEvent[] = [
        granted(['a', 'b'], [tree('a', tree('x'))]),
        extended(['c'], ['a', 'b', 'c'], [tree('a', tree('x'), tree('y')), tree('c', tree('z'))]),
      ];
      const state = stateAfter(consentDecider, events);
      expect(state.status === 'active' && Object.fromEntries(state.dependencies)).toEqual({ a: [tree('x'), tree('y')], c: [tree('z')] });

      const revoked: ConsentEvent = {
        type: 'ConsentScopesRevoked',
        data: { ...ref(), revokedScopes: ['a'], remainingScopes: ['b', 'c'], tokensEnded: 0, revokedAt: at(10), reason: null },
      };
      const after = stateAfter(consentDecider, [...events, revoked]);
      expect(after.status === 'active' && Object.fromEntries(after.dependencies)).toEqual({ c: [tree('z')] });
      // Granted again, a revoked scope starts from the tree its new grant names.
      spec.given([...events, revoked]).when(grant(['a[w]'])).then([extended(['a'], ['a', 'b', 'c'], [tree('a', tree('w'))])]);
    });

    it('leaves the state it evolved from as it was, for a fold that keeps it', () => {
      const first = stateAfter(consentDecider, [granted(['a'], [tree('a', tree('x'))])]);
      const next = consentDecider.evolve(first, extended([], ['a'], [tree('a', tree('x'), tree('y'))]));
      expect(first.status === 'active' && Object.fromEntries(first.dependencies)).toEqual({ a: [tree('x')] });
      expect(next.status === 'active' && Object.fromEntries(next.dependencies)).toEqual({ a: [tree('x'), tree('y')] });
    });

    it('starts a new generation with no dependencies but those its grant names', () => {
      const events: ConsentEvent[] = [
        granted(['a'], [tree('a', tree('x'))]),
        { type: 'ConsentRevoked', data: { ...ref(), revokedScopes: ['a'], tokensEnded: 0, revokedAt: at(-10), reason: null } },
      ];
      const [event] = spec.given(events).when(grant(['a'])).events() as ConsentGranted[];
      expect(event.data).toMatchObject({ consentId: ref(2).consentId, scopes: ['a'] });
      expect(event.data).not.toHaveProperty('dependencies');
    });
  });
});
