import { CommandMetadata } from '../shared/command-metadata';
import { notFound } from '../shared/domain-error';
import type { ConsentId } from '../shared/ids';
import { difference, intersection, normaliseScopes } from '../shared/scope';
import { carriedScopes, ConsentEvent, consentExpired, ConsentRevoked, ConsentState, liveTokens } from './consent';
import type { DependentConsentRevoked } from './consent-events';
import { cascade } from './dependent-consents';

export interface RevokeConsent {
  type: 'RevokeConsent';
  /**
   * scopes absent: revoke the whole consent. The reason, like the actor, comes with the metadata. `userRevocation`:
   * the fan-out of the user's n-th user-wide revocation (UserConsentsRevoked) asks, for the whole consent; a
   * consent granted after that revocation is not its to end.
   */
  data: { consent: ConsentId; scopes?: string[]; userRevocation?: number };
}

/**
 * Revocation is idempotent: revoking what is already revoked, or scopes the consent does not hold, changes nothing
 * and appends nothing. A bearer token cannot be narrowed, so every live token that carries any revoked scope ends.
 * Revoking every remaining scope is a full revocation. An expired consent has ended already, with every token under
 * it: revoking it changes nothing either.
 */
export function revokeConsent(command: RevokeConsent, state: ConsentState, meta: CommandMetadata): ConsentEvent[] {
  const { consent } = command.data;
  if (state.status === 'none' || consent.generation > state.generation || !state.consentId.startsWith(`cns_${consent.pairKey}_`)) {
    throw notFound('consent_not_found', `Consent ${consent.id} does not exist`);
  }
  // An earlier generation of this pair was revoked in full before the current one was granted.
  if (consent.generation < state.generation || state.status === 'revoked' || consentExpired(state, meta.now)) return [];
  const { userRevocation } = command.data;
  if (userRevocation !== undefined) {
    // Idempotent per consent: a fan-out that runs again after a crash finds it revoked, or granted after.
    if (state.afterUserRevocation >= userRevocation) return [];
    return consentRevokedWithUser(state, userRevocation, meta);
  }

  const requested = command.data.scopes === undefined ? state.scopes : normaliseScopes(command.data.scopes);
  const revoked = intersection(state.scopes, requested);
  if (revoked.length === 0) return [];
  const remaining = difference(state.scopes, revoked);
  const reason = meta.reason ?? null;
  const revokedAt = meta.now.toISOString();
  const ref = { consentId: consent.id, userId: state.userId, clientId: state.clientId };
  const revokedSet = new Set(revoked);
  // A count, not a list (consent.ts, RevocationFacts): the event stays small whatever the number of tokens.
  const tokensEnded = liveTokens(state, meta.now).filter(([, t]) => remaining.length === 0 || carriedScopes(t).some((s) => revokedSet.has(s))).length;

  if (remaining.length === 0) {
    return [{ type: 'ConsentRevoked', data: { ...ref, revokedScopes: revoked, tokensEnded, revokedAt, reason } }, ...cascadeOf(state, undefined, 'ConsentRevoked', meta)];
  }
  const partial: ConsentEvent = { type: 'ConsentScopesRevoked', data: { ...ref, revokedScopes: revoked, remainingScopes: remaining, tokensEnded, revokedAt, reason } };
  return [partial, ...cascadeOf(state, revoked, 'ConsentScopesRevoked', meta)];
}

/**
 * The root's revocation ends every dependent consent under what it revoked, in the same append: one decision, so no
 * crash can leave a root revoked with its dependents live, and a retry finds the root revoked and appends nothing.
 */
function cascadeOf(state: Extract<ConsentState, { status: 'active' }>, scopes: string[] | undefined, cause: DependentConsentRevoked['data']['cause'], meta: CommandMetadata) {
  const live = liveTokens(state, meta.now);
  return cascade(state, scopes, (id) => live.filter(([, t]) => t.dependentConsentId === id).length, cause, meta);
}

/**
 * The ConsentRevoked that carries out the user's n-th user-wide revocation on an active consent granted before it.
 * The tokens ended already, at lookup, when the user-wide revocation was appended; tokensEnded counts the ones the
 * consent's stream held live, for people, as a revocation of the consent alone would.
 */
export function consentRevokedWithUser(state: Extract<ConsentState, { status: 'active' }>, userRevocation: number, meta: CommandMetadata): ConsentEvent[] {
  return [revokedWithUserEvent(state, userRevocation, meta), ...cascadeOf(state, undefined, 'ConsentRevoked', meta)];
}

function revokedWithUserEvent(state: Extract<ConsentState, { status: 'active' }>, userRevocation: number, meta: CommandMetadata): ConsentRevoked {
  return {
    type: 'ConsentRevoked',
    data: {
      consentId: state.consentId,
      userId: state.userId,
      clientId: state.clientId,
      revokedScopes: state.scopes,
      tokensEnded: liveTokens(state, meta.now).length,
      revokedAt: meta.now.toISOString(),
      reason: meta.reason ?? null,
      userRevocation,
    },
  };
}
