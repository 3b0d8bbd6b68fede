import type { ConsentState } from '@ledger/domain';
import type { ConsentRow } from '@ledger/projections';

/** A consent as commands and reads answer it: plain data, so that command files import nothing from HTTP. */
export interface ConsentResult {
  id: string;
  userId: string;
  clientId: string;
  scopes: string[];
  status: 'active' | 'revoked';
  grantedAt: string;
  revokedAt: string | null;
  revision: number;
}

export function consentFromState(state: ConsentState, revision: number): ConsentResult {
  if (state.status === 'none') throw new Error('No consent in this state');
  return {
    id: state.consentId,
    userId: state.userId,
    clientId: state.clientId,
    scopes: state.scopes,
    status: state.status,
    grantedAt: state.grantedAt,
    revokedAt: state.status === 'revoked' ? state.revokedAt : null,
    revision,
  };
}

export function consentFromView(row: ConsentRow): ConsentResult {
  return {
    id: row.consentId,
    userId: row.userId,
    clientId: row.clientId,
    scopes: row.scopes,
    status: row.status,
    grantedAt: row.grantedAt,
    revokedAt: row.revokedAt,
    revision: row.revision,
  };
}
