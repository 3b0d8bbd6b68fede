/**
 * Dependent consents (Globus's consent forest). Granting `transfer:all[collection-A:data_access]` to transfer-web
 * records the root consent (user, transfer-web, transfer:all) and, under it, a dependent consent (user, the owner of
 * transfer:all, collection-A:data_access). Every dependent consent lives on its ROOT consent's stream, so that a grant
 * of the tree, an exchange within it and the root's revocation are decided one after the other by the same
 * per-stream executor, and the root's revocation and its whole cascade are one append (docs/design.md, "Dependent
 * consents"). A dependent consent is keyed by its root and the path of scopes down to it, never by (user, client),
 * so it cannot collide with a direct consent of the same user and client.
 */
import { createHash } from 'node:crypto';
import type { CommandMetadata } from '../shared/command-metadata';
import { invalid } from '../shared/domain-error';
import { MAX_SCOPE_DEPTH, type ScopeTree } from '../shared/scope-string';
import type { DependentConsentGranted, DependentConsentRevoked } from './consent-events';

export interface DependentState {
  id: string;
  clientId: string;
  scope: string;
  /** The consent this one hangs under: the root's id, or another dependent's. */
  parentId: string;
  /** The consent ids from the root down to this one (Globus's dependency_path). */
  path: string[];
  /** The scopes from the root's top-level scope down to this one's. */
  scopePath: string[];
  status: 'active' | 'revoked';
  grantedAt: string;
  revokedAt: string | null;
}

/** The root of what a grant records: the consent the trees are granted on, and who and when. */
interface RootRef {
  consentId: string;
  userId: string;
  clientId: string;
}

/**
 * `cns_<pair>_<generation>_<16 hex>`: the root's id, then a hash of the scope path and of how many dependents of the
 * same path the root has had (a path revoked with its scope and granted again is a new dependent consent).
 */
export const DEPENDENT_CONSENT_ID_PATTERN = /^cns_([0-9a-f]{32})_([1-9][0-9]{0,8})_([0-9a-f]{16})$/;

export function dependentConsentId(rootConsentId: string, scopePath: readonly string[], earlier: number): string {
  const key = createHash('sha256').update(rootConsentId).update('\u0000').update(scopePath.join('\u0000')).update('\u0000').update(String(earlier)).digest('hex');
  return `${rootConsentId}_${key.slice(0, 16)}`;
}

/**
 * Refuses trees the forest cannot hold (400): a scope that depends on itself, at any distance (`a[b[a]]`: the chain
 * would have its owner ask itself for it, without end), and trees deeper than the configured limit (at most the
 * grammar's own, MAX_SCOPE_DEPTH).
 */
export function checkDependencyTrees(trees: readonly ScopeTree[], maxDepth: number = MAX_SCOPE_DEPTH): void {
  const walk = (tree: ScopeTree, above: readonly string[]) => {
    if (above.includes(tree.scope)) {
      throw invalid('dependency_cycle', `${tree.scope} depends on itself: ${[...above, tree.scope].join(' -> ')}`, { scopes: [...above, tree.scope] });
    }
    if (above.length > maxDepth) {
      throw invalid('dependency_too_deep', `Dependencies nest at most ${maxDepth} levels below a granted scope: ${[...above, tree.scope].join(' -> ')}`, { maxDependencyDepth: maxDepth });
    }
    for (const d of tree.dependencies) walk(d, [...above, tree.scope]);
  };
  for (const tree of trees) walk(tree, []);
}

/**
 * The dependent consents a grant adds under `root`: one for each dependency whose parent scope has an owner, and
 * whose parent is the root itself or a dependent consent that exists (or is added here). One the root holds already
 * (active, same path) is not added again, so a repeated grant adds nothing. A dependency of a scope that nobody
 * serves is recorded in the tree only: no client could act on it.
 */
export function dependentsToGrant(
  root: RootRef,
  trees: readonly ScopeTree[],
  owners: Readonly<Record<string, string>>,
  held: ReadonlyMap<string, DependentState>,
  at: string,
): DependentConsentGranted[] {
  const byPath = new Map<string, DependentState>();
  const earlier = new Map<string, number>();
  for (const d of held.values()) {
    const key = d.scopePath.join('\u0000');
    earlier.set(key, (earlier.get(key) ?? 0) + 1);
    if (d.status === 'active') byPath.set(key, d);
  }
  const added: DependentConsentGranted[] = [];
  const walk = (tree: ScopeTree, parentId: string, path: readonly string[], scopePath: readonly string[]) => {
    const owner = owners[tree.scope];
    if (!owner) return;
    for (const child of tree.dependencies) {
      const childPath = [...scopePath, child.scope];
      const key = childPath.join('\u0000');
      let id = byPath.get(key)?.id;
      if (id === undefined) {
        id = dependentConsentId(root.consentId, childPath, earlier.get(key) ?? 0);
        const data = { ...root, dependentConsentId: id, dependentClientId: owner, scope: child.scope, parentScope: tree.scope, parentConsentId: parentId, dependencyPath: [...path, id], scopePath: childPath, grantedAt: at };
        added.push({ type: 'DependentConsentGranted', data });
      }
      walk(child, id, [...path, id], childPath);
    }
  };
  for (const tree of trees) walk(tree, root.consentId, [root.consentId], [tree.scope]);
  return added;
}

/**
 * The cascade: every active dependent consent under the revoked top-level scopes (undefined: the whole root), each
 * ended by an event of its own, however deep. `tokensEnded` counts its live tokens, for people.
 */
export function cascade(
  root: RootRef & { dependents: ReadonlyMap<string, DependentState> },
  revokedScopes: readonly string[] | undefined,
  liveTokensOf: (dependentId: string) => number,
  cause: DependentConsentRevoked['data']['cause'],
  meta: CommandMetadata,
): DependentConsentRevoked[] {
  const revoked = revokedScopes && new Set(revokedScopes);
  const ref = { consentId: root.consentId, userId: root.userId, clientId: root.clientId };
  return [...root.dependents.values()]
    .filter((d) => d.status === 'active' && (!revoked || revoked.has(d.scopePath[0])))
    .map((d) => ({
      type: 'DependentConsentRevoked' as const,
      // The root's revocation comes first in the decision (revoke-consent.ts).
      causedBy: 0,
      data: {
        ...ref,
        dependentConsentId: d.id,
        dependentClientId: d.clientId,
        scope: d.scope,
        dependencyPath: d.path,
        cause,
        revokedAt: meta.now.toISOString(),
        reason: meta.reason ?? null,
        tokensEnded: liveTokensOf(d.id),
      },
    }));
}

/** Folds a dependent consent's events into the root's map (in place, as the consent's token map is: consent.ts). */
export function evolveDependents(map: Map<string, DependentState>, event: DependentConsentGranted | DependentConsentRevoked): Map<string, DependentState> {
  const d = event.data;
  if (event.type === 'DependentConsentGranted') {
    map.set(d.dependentConsentId, {
      id: d.dependentConsentId,
      clientId: d.dependentClientId,
      scope: d.scope,
      parentId: event.data.parentConsentId,
      path: d.dependencyPath,
      scopePath: event.data.scopePath,
      status: 'active',
      grantedAt: event.data.grantedAt,
      revokedAt: null,
    });
    return map;
  }
  const held = map.get(d.dependentConsentId);
  if (held) map.set(d.dependentConsentId, { ...held, status: 'revoked', revokedAt: event.data.revokedAt });
  return map;
}
