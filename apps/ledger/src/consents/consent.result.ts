import { type ConsentState, expiredAt } from '@ledger/domain';
import type { ConsentRow } from '@ledger/projections';

/**
 * 'expired': past its expiry, computed when read (no event says so), so every read, list and history at any instant
 * agrees with what introspection answers for its tokens then.
 */
export type ConsentStatusShown = 'active' | 'revoked' | 'expired';

/** A consent as commands and reads answer it: plain data, so that command files import nothing from HTTP. */
export interface ConsentResult {
  id: string;
  userId: string;
  clientId: string;
  scopes: string[];
  status: ConsentStatusShown;
  grantedAt: string;
  revokedAt: string | null;
  /** When the consent ends (or ended) by itself; null: never. */
  expiresAt: string | null;
  revision: number;
}

const shown = (status: 'active' | 'revoked', expiresAt: string | null, nowMs: number): ConsentStatusShown =>
  status === 'active' && expiredAt(expiresAt, new Date(nowMs)) ? 'expired' : status;

/** `nowMs`: the instant the answer is for (the command's time, the read's, or an audit's asOf). */
export function consentFromState(state: ConsentState, revision: number, nowMs: number): ConsentResult {
  if (state.status === 'none') throw new Error('No consent in this state');
  return {
    id: state.consentId,
    userId: state.userId,
    clientId: state.clientId,
    scopes: state.scopes,
    status: shown(state.status, state.expiresAt, nowMs),
    grantedAt: state.grantedAt,
    revokedAt: state.status === 'revoked' ? state.revokedAt : null,
    expiresAt: state.expiresAt,
    revision,
  };
}

export function consentFromView(row: ConsentRow, nowMs: number): ConsentResult {
  return {
    id: row.consentId,
    userId: row.userId,
    clientId: row.clientId,
    scopes: row.scopes,
    status: shown(row.status, row.expiresAt, nowMs),
    grantedAt: row.grantedAt,
    revokedAt: row.revokedAt,
    expiresAt: row.expiresAt,
    revision: row.revision,
  };
}
