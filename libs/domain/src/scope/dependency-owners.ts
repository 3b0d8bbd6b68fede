import { ClientState } from '../client/client';
import { activeClient } from '../client/client-details';
import { conflict } from '../shared/domain-error';
import { difference } from '../shared/scope';
import { ScopeTree } from '../shared/scope-string';

/** The owner of a scope as the grant's handler read it: its client id (null: nobody serves it) and that client. */
export interface ScopeOwnerContext {
  clientId: string | null;
  client?: ClientState;
}

/** Every scope in the trees that has dependencies of its own, at any depth: those whose owners a grant needs. */
export function scopesWithDependencies(trees: readonly ScopeTree[]): string[] {
  const found = new Set<string>();
  const walk = (tree: ScopeTree) => {
    if (tree.dependencies.length === 0) return;
    found.add(tree.scope);
    tree.dependencies.forEach(walk);
  };
  trees.forEach(walk);
  return [...found].sort();
}

/**
 * The owner of each scope with dependencies, checked: a dependency `a[b]` asks the owner of `a` to act on `b` for
 * the user, so that owner must be an active client that may be granted `b` (409 client_disabled, client_deleted,
 * dependency_not_allowed). A scope that nobody serves yet is recorded without an owner: no dependent consent can
 * be had for it until a client registers it (issue #15's dependent token grant refuses it). Returns the owners to
 * record on the grant, by scope.
 */
export function dependencyOwners(trees: readonly ScopeTree[], owners: ReadonlyMap<string, ScopeOwnerContext>): Record<string, string> {
  const recorded: Record<string, string> = {};
  const walk = (tree: ScopeTree) => {
    if (tree.dependencies.length === 0) return;
    const owner = owners.get(tree.scope);
    if (owner?.clientId) {
      const client = activeClient(owner.client ?? { status: 'unregistered' }, owner.clientId);
      const asked = tree.dependencies.map((d) => d.scope);
      const notAllowed = client.allowedScopes ? difference(asked, client.allowedScopes) : [];
      if (notAllowed.length > 0) {
        throw conflict('dependency_not_allowed', `${owner.clientId}, which serves ${tree.scope}, may not be granted: ${notAllowed.join(' ')}`, {
          scope: tree.scope,
          ownerClientId: owner.clientId,
          scopes: notAllowed,
        });
      }
      recorded[tree.scope] = owner.clientId;
    }
    tree.dependencies.forEach(walk);
  };
  trees.forEach(walk);
  return recorded;
}
