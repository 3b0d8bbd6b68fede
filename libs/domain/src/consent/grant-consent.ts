import { ClientState } from '../client/client';
import { activeClient } from '../client/client-details';
import { CommandMetadata } from '../shared/command-metadata';
import { invalid } from '../shared/domain-error';
import { consentIdFor, pairKey, USER_ID_PATTERN } from '../shared/ids';
import { difference, normaliseGrantedScopes } from '../shared/scope';
import { formatScopeTree, mergeScopeTrees, ScopeTree } from '../shared/scope-string';
import { dependencyOwners, ScopeOwnerContext, scopesWithDependencies } from '../scope/dependency-owners';
import { ConsentEvent, consentExpired, ConsentState, revokedWithUser } from './consent';
import { ConsentExpiryRequest, requestedExpiry } from './consent-expiry';
import { consentRevokedWithUser } from './revoke-consent';
import { checkDependencyTrees, dependentsToGrant } from './dependent-consents';

export interface GrantConsent {
  type: 'GrantConsent';
  /** `scopes` are scope-strings: a scope-token, with or without its dependencies (`a[b *c]`). */
  /** `allowsRefresh`: tokens under the consent come with refresh tokens (RefreshToken); a grant only ever turns it on. */
  data: { userId: string; clientId: string; scopes: string[]; allowsRefresh?: boolean } & ConsentExpiryRequest;
  /**
   * Read by the handler: the client's state (a consent can only be granted to a registered, active client), and how
   * many user-wide revocations the user has had (absent: none), which the consent records; and the owner of each
   * scope that has dependencies (scope/dependency-owners.ts), with that owner's client. `maxLifetimeSeconds`:
   * configuration (consent-expiry.ts), absent for no maximum.
   * `maxDependencyDepth`: configuration (dependent-consents.ts), absent for the grammar's own limit.
   */
  context: { client: ClientState; userRevocations?: number; owners?: ReadonlyMap<string, ScopeOwnerContext>; maxLifetimeSeconds?: number; maxDependencyDepth?: number };
}

/**
 * Granting to a pair with an active consent extends it; granting what it holds already is a no-op (no event), so
 * that parallel or repeated grants converge instead of duplicating. After a full revocation the next grant starts a
 * new consent, with a new id, so that tokens and history of the old one stay where they were.
 *
 * The consent holds the top-level scope-tokens; the client's allowedScopes bound those. Dependencies are recorded
 * beside them, merged with what each scope holds already, and are not checked against allowedScopes: they name what
 * the client asks other services for on the user's behalf, which the later dependent consents decide.
 *
 * Expiry (consent-expiry.ts): a new consent records the expiry asked for (or the configured maximum). Granting to an
 * active consent with an expiry renews it to that expiry, earlier or later, counted from now as Hydra's
 * `remember_for` is; without one, the expiry stays. An expired consent is over like a revoked one: the next grant
 * starts a new consent, and the expired one keeps its tokens and history.
 */
export function grantConsent(command: GrantConsent, state: ConsentState, meta: CommandMetadata): ConsentEvent[] {
  const { userId, clientId } = command.data;
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) throw invalid('invalid_user_id', 'userId must be 1-128 characters of A-Z a-z 0-9 . _ : @ + -');
  const { scopes, dependencies } = normaliseGrantedScopes(command.data.scopes);
  const client = activeClient(command.context.client, clientId);
  if (client.allowedScopes) {
    const notAllowed = difference(scopes, client.allowedScopes);
    if (notAllowed.length > 0) {
      throw invalid('scope_not_allowed', `Client ${clientId} may not be granted: ${notAllowed.join(' ')}`, { scopes: notAllowed });
    }
  }
  checkDependencyTrees(dependencies, command.context.maxDependencyDepth);
  const owners = dependencyOwners(dependencies, command.context.owners ?? new Map());
  const at = meta.now.toISOString();
  const expiry = requestedExpiry(command.data, meta.now, command.context.maxLifetimeSeconds);
  const expiresAt = expiry.expiresAt === undefined ? {} : { expiresAt: expiry.expiresAt };
  const userRevocations = command.context.userRevocations ?? 0;
  const afterUserRevocation = userRevocations > 0 ? { afterUserRevocation: userRevocations } : {};
  if (command.data.allowsRefresh !== undefined && typeof command.data.allowsRefresh !== 'boolean') throw invalid('invalid_request', 'allowsRefresh must be a boolean');
  const refresh = command.data.allowsRefresh === true ? { allowsRefresh: true as const } : {};

  if (state.status === 'active' && !consentExpired(state, meta.now) && revokedWithUser(state, userRevocations)) {
    // The user revoked every consent since this one was granted, and the fan-out has not reached it yet: extending
    // it would have the fan-out end the new grant too. It is revoked here, and the grant starts a new consent.
    const consentId = consentIdFor(pairKey(userId, clientId), state.generation + 1);
    return [
      ...consentRevokedWithUser(state, userRevocations, { ...meta, reason: undefined }),
      { type: 'ConsentGranted', data: { consentId, userId, clientId, scopes, ...recorded(dependencies, owners), grantedAt: at, ...afterUserRevocation, ...expiresAt, ...refresh } },
      ...dependentsToGrant({ consentId, userId, clientId }, dependencies, owners, new Map(), at),
    ];
  }
  if (state.status === 'active' && !consentExpired(state, meta.now)) {
    const added = difference(scopes, state.scopes);
    const grown = grownTrees(dependencies, state.dependencies);
    // A renewal names its expiry; one that only the configured maximum gave leaves the consent's as it is.
    const renewed = !expiry.defaulted && expiry.expiresAt !== state.expiresAt ? expiresAt : {};
    const refreshOn = 'allowsRefresh' in refresh && !state.allowsRefresh ? refresh : {};
    if (added.length === 0 && grown.length === 0 && !('expiresAt' in renewed) && !('allowsRefresh' in refreshOn)) return [];
    const all = [...state.scopes, ...added].sort();
    const data = { consentId: state.consentId, userId, clientId, addedScopes: added, scopes: all, ...recorded(grown, owners), extendedAt: at, ...renewed, ...refreshOn };
    return [{ type: 'ConsentScopesExtended', data }, ...dependentsToGrant({ consentId: state.consentId, userId, clientId }, grown, owners, state.dependents, at)];
  }
  const consentId = consentIdFor(pairKey(userId, clientId), state.generation + 1);
  return [
    { type: 'ConsentGranted', data: { consentId, userId, clientId, scopes, ...recorded(dependencies, owners), grantedAt: at, ...afterUserRevocation, ...expiresAt, ...refresh } },
    ...dependentsToGrant({ consentId, userId, clientId }, dependencies, owners, new Map(), at),
  ];
}

/** The requested trees merged into the held ones, keeping only those that changed: each as a whole tree. */
function grownTrees(requested: readonly ScopeTree[], held: ReadonlyMap<string, ScopeTree[]>): ScopeTree[] {
  return requested.flatMap(({ scope, optional, dependencies }) => {
    const before = held.get(scope) ?? [];
    const after = mergeScopeTrees([...before, ...dependencies]);
    const same = after.length === before.length && after.every((tree, i) => formatScopeTree(tree) === formatScopeTree(before[i]));
    return same ? [] : [{ scope, optional, dependencies: after }];
  });
}

/**
 * The fields are absent, not empty, when no scope has dependencies (or none has an owner yet): events of plain
 * grants keep their shape. `dependencyOwners` names, by scope, the client each dependency is asked of.
 */
function recorded(dependencies: ScopeTree[], owners: Record<string, string>) {
  if (dependencies.length === 0) return {};
  const named = Object.fromEntries(scopesWithDependencies(dependencies).flatMap((scope) => (owners[scope] ? [[scope, owners[scope]]] : [])));
  return Object.keys(named).length > 0 ? { dependencies, dependencyOwners: named } : { dependencies };
}
