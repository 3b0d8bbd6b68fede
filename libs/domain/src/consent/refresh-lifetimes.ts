import { type ConsentState, type RefreshTokenIssued } from './consent';

/**
 * How long refresh tokens live (configuration: LEDGER_REFRESH_IDLE_SECONDS, LEDGER_REFRESH_ABSOLUTE_SECONDS). Idle:
 * each refresh token ends this long after it was issued unless used first, so a family that is used lives on.
 * Absolute: no token of a family lives past this long after the family began, however often it is used. Neither
 * outlives the consent's expiry.
 */
export interface RefreshLifetimes {
  idleSeconds: number;
  absoluteSeconds: number;
}

/** Globus Auth ends refresh tokens after six months without use; a family lasts a year at most unless configured. */
export const DEFAULT_REFRESH_LIFETIMES: RefreshLifetimes = Object.freeze({ idleSeconds: 180 * 86_400, absoluteSeconds: 365 * 86_400 });

/** A token the handler minted: its id and SHA-256 hash, never the raw value. */
export interface MintedIds {
  tokenId: string;
  tokenHash: string;
}

/**
 * The next refresh token of a family (the first when `family` is absent: the family takes its id and starts now).
 * Its expiry is the earliest of the idle lifetime from now, the family's end and the consent's expiry.
 */
export function refreshTokenIssued(
  state: Extract<ConsentState, { status: 'active' }>,
  minted: MintedIds,
  scopes: string[],
  now: Date,
  lifetimes: RefreshLifetimes,
  family?: { familyId: string; familyExpiresAtMs: number; replaces: MintedIds },
): RefreshTokenIssued {
  const { idleSeconds, absoluteSeconds } = lifetimes;
  if (!Number.isInteger(idleSeconds) || idleSeconds < 1 || !Number.isInteger(absoluteSeconds) || absoluteSeconds < 1) {
    throw new Error('Refresh lifetimes must be whole numbers of seconds, at least 1');
  }
  const nowMs = now.getTime();
  const familyExpiresAtMs = family?.familyExpiresAtMs ?? nowMs + absoluteSeconds * 1000;
  const consentEndMs = state.expiresAt === null ? Infinity : Date.parse(state.expiresAt);
  const expiresAtMs = Math.min(nowMs + idleSeconds * 1000, familyExpiresAtMs, consentEndMs);
  return {
    type: 'RefreshTokenIssued',
    data: {
      consentId: state.consentId,
      userId: state.userId,
      clientId: state.clientId,
      tokenId: minted.tokenId,
      tokenHash: minted.tokenHash,
      familyId: family?.familyId ?? minted.tokenId,
      scopes,
      issuedAt: now.toISOString(),
      expiresAt: new Date(expiresAtMs).toISOString(),
      familyExpiresAt: new Date(familyExpiresAtMs).toISOString(),
      ...(family ? { replaces: family.replaces } : {}),
    },
  };
}
