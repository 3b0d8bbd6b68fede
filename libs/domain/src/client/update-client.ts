import { CommandMetadata } from '../shared/command-metadata';
import { invalid } from '../shared/domain-error';
import { difference, normaliseScopes } from '../shared/scope';
import { ClientEvent, ClientState } from './client';
import { checkName, checkTermsUrl, existingClient } from './client-details';

/**
 * Changes what is given and leaves the rest: a rename can never touch the scopes. `termsUrl: null` removes the terms
 * URL. `allowedScopes` is always a list: a client that names its scopes never goes back to "any scope", since that
 * would widen it to scopes nobody has listed.
 */
export interface UpdateClient {
  type: 'UpdateClient';
  data: { clientId: string; name?: string; termsUrl?: string | null; allowedScopes?: string[] };
}

/**
 * One event per kind of change, so that the revocation is a fact of its own that resource services hear about:
 * ClientUpdated (name, terms), ClientScopesRevoked (narrowed), ClientScopesAllowed (widened). Replacing one scope by
 * another revokes first, then allows. Details equal to the current ones append nothing.
 */
export function updateClient(command: UpdateClient, state: ClientState, meta: CommandMetadata): ClientEvent[] {
  const { clientId, name, termsUrl, allowedScopes } = command.data;
  if (name === undefined && termsUrl === undefined && allowedScopes === undefined) {
    throw invalid('nothing_to_update', 'Give at least one of name, termsUrl and allowedScopes');
  }
  if (name !== undefined) checkName(name);
  if (termsUrl !== undefined) checkTermsUrl(termsUrl);
  const scopes = allowedScopes === undefined ? undefined : normaliseScopes(allowedScopes, 'allowedScopes');
  const client = existingClient(state, clientId);
  const at = meta.now.toISOString();
  const events: ClientEvent[] = [];

  const nextName = name ?? client.name;
  const nextTerms = termsUrl === undefined ? client.termsUrl : termsUrl;
  if (nextName !== client.name || nextTerms !== client.termsUrl) {
    events.push({ type: 'ClientUpdated', data: { clientId, name: nextName, termsUrl: nextTerms, updatedAt: at } });
  }
  if (scopes) {
    const before = client.allowedScopes;
    const revoked = before === null ? null : difference(before, scopes);
    const kept = before === null ? scopes : difference(before, revoked!);
    if (revoked === null || revoked.length > 0) {
      events.push({ type: 'ClientScopesRevoked', data: { clientId, revokedScopes: revoked, allowedScopes: kept, revokedAt: at, reason: meta.reason ?? null } });
    }
    const added = difference(scopes, kept);
    if (added.length > 0) events.push({ type: 'ClientScopesAllowed', data: { clientId, addedScopes: added, allowedScopes: scopes, allowedAt: at } });
  }
  return events;
}
