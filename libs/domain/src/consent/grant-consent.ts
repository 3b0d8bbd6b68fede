import { ClientState } from '../client/client';
import { activeClient } from '../client/client-details';
import { CommandMetadata } from '../shared/command-metadata';
import { invalid } from '../shared/domain-error';
import { consentIdFor, pairKey, USER_ID_PATTERN } from '../shared/ids';
import { difference, normaliseScopes } from '../shared/scope';
import { ConsentEvent, ConsentState, revokedWithUser } from './consent';
import { consentRevokedWithUser } from './revoke-consent';

export interface GrantConsent {
  type: 'GrantConsent';
  data: { userId: string; clientId: string; scopes: string[] };
  /**
   * Read by the handler: the client's state (a consent can only be granted to a registered, active client), and how
   * many user-wide revocations the user has had (absent: none), which the consent records.
   */
  context: { client: ClientState; userRevocations?: number };
}

/**
 * Granting to a pair with an active consent extends it; granting scopes it already holds is a no-op (no event), so
 * that parallel or repeated grants converge instead of duplicating. After a full revocation the next grant starts a
 * new consent, with a new id, so that tokens and history of the old one stay where they were.
 */
export function grantConsent(command: GrantConsent, state: ConsentState, meta: CommandMetadata): ConsentEvent[] {
  const { userId, clientId } = command.data;
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) throw invalid('invalid_user_id', 'userId must be 1-128 characters of A-Z a-z 0-9 . _ : @ + -');
  const scopes = normaliseScopes(command.data.scopes);
  const client = activeClient(command.context.client, clientId);
  if (client.allowedScopes) {
    const notAllowed = difference(scopes, client.allowedScopes);
    if (notAllowed.length > 0) {
      throw invalid('scope_not_allowed', `Client ${clientId} may not be granted: ${notAllowed.join(' ')}`, { scopes: notAllowed });
    }
  }
  const at = meta.now.toISOString();
  const userRevocations = command.context.userRevocations ?? 0;
  const afterUserRevocation = userRevocations > 0 ? { afterUserRevocation: userRevocations } : {};

  if (state.status === 'active' && revokedWithUser(state, userRevocations)) {
    // The user revoked every consent since this one was granted, and the fan-out has not reached it yet: extending
    // it would have the fan-out end the new grant too. It is revoked here, and the grant starts a new consent.
    const consentId = consentIdFor(pairKey(userId, clientId), state.generation + 1);
    return [
      consentRevokedWithUser(state, userRevocations, { ...meta, reason: undefined }),
      { type: 'ConsentGranted', data: { consentId, userId, clientId, scopes, grantedAt: at, ...afterUserRevocation } },
    ];
  }
  if (state.status === 'active') {
    const added = difference(scopes, state.scopes);
    if (added.length === 0) return [];
    const all = [...state.scopes, ...added].sort();
    return [{ type: 'ConsentScopesExtended', data: { consentId: state.consentId, userId, clientId, addedScopes: added, scopes: all, extendedAt: at } }];
  }
  const consentId = consentIdFor(pairKey(userId, clientId), state.generation + 1);
  return [{ type: 'ConsentGranted', data: { consentId, userId, clientId, scopes, grantedAt: at, ...afterUserRevocation } }];
}

