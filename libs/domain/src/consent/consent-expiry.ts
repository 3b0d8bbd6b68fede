import { invalid } from '../shared/domain-error';

/**
 * The longest lifetime a consent may have when no maximum is configured: a hundred years keeps every expiry a
 * valid Date (and an RFC 3339 instant with a four-digit year), whatever a caller asks for.
 */
export const CONSENT_LIFETIME_CEILING_S = 100 * 365 * 86_400;

/** What a grant may say about its consent's end: an instant, or a lifetime from now (Hydra's `remember_for`). */
export interface ConsentExpiryRequest {
  expiresAt?: string;
  expiresIn?: number;
}

/**
 * The expiry a grant records, as an ISO instant, or undefined for none. `maxLifetimeSeconds` is configuration
 * (LEDGER_CONSENT_MAX_LIFETIME_SECONDS), handed to the decider like any other input: with one, no consent lives
 * longer, and a grant that names no expiry gets the maximum. `defaulted` says whether that happened, so that an
 * extension which names none keeps the expiry its consent has.
 *
 * The checks are the decider's own, not only the edge's: commands arrive as untyped JSON.
 */
export function requestedExpiry(request: ConsentExpiryRequest, now: Date, maxLifetimeSeconds: number | undefined): { expiresAt?: string; defaulted: boolean } {
  const { expiresAt, expiresIn } = request;
  const maxS = maxLifetimeSeconds ?? CONSENT_LIFETIME_CEILING_S;
  if (expiresAt !== undefined && expiresIn !== undefined) throw invalid('invalid_consent_expiry', 'Give expiresAt or expiresIn, not both');
  let atMs: number;
  if (expiresIn !== undefined) {
    if (!Number.isInteger(expiresIn) || expiresIn < 1) throw invalid('invalid_consent_expiry', 'expiresIn must be a whole number of seconds, at least 1');
    atMs = now.getTime() + expiresIn * 1000;
  } else if (expiresAt !== undefined) {
    atMs = typeof expiresAt === 'string' ? Date.parse(expiresAt) : NaN;
    if (Number.isNaN(atMs)) throw invalid('invalid_consent_expiry', 'expiresAt must be an RFC 3339 date-time');
    if (atMs <= now.getTime()) {
      throw invalid('consent_expiry_in_past', `expiresAt ${new Date(atMs).toISOString()} is not after now (${now.toISOString()})`, { expiresAt: new Date(atMs).toISOString() });
    }
  } else {
    if (maxLifetimeSeconds === undefined) return { defaulted: true };
    return { expiresAt: new Date(now.getTime() + maxS * 1000).toISOString(), defaulted: true };
  }
  const latestMs = now.getTime() + maxS * 1000;
  if (atMs > latestMs) {
    throw invalid('consent_expiry_too_long', `A consent may last at most ${maxS} seconds: until ${new Date(latestMs).toISOString()}`, { maxLifetimeSeconds: maxS });
  }
  return { expiresAt: new Date(atMs).toISOString(), defaulted: false };
}

/** Whether a consent with this expiry (null: none) has ended by `now`: at its expiry instant, not a moment after. */
export const expiredAt = (expiresAt: string | null, now: Date): boolean => expiresAt !== null && Date.parse(expiresAt) <= now.getTime();
