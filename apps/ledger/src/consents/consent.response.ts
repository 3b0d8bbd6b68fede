import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ConsentState } from '@ledger/domain';
import type { ConsentRow } from '@ledger/projections';

export class ConsentResponse {
  @ApiProperty({ example: 'cns_3f0c5b6a9d2e4f1a8b7c6d5e4f3a2b1c_1' }) id: string;
  @ApiProperty() userId: string;
  @ApiProperty() clientId: string;
  @ApiProperty({ type: [String], description: 'Granted scopes; for a revoked consent, those it held when revoked.' }) scopes: string[];
  @ApiProperty({ enum: ['active', 'revoked'] }) status: 'active' | 'revoked';
  @ApiProperty() grantedAt: string;
  @ApiPropertyOptional({ nullable: true }) revokedAt: string | null;
  @ApiProperty({ description: "Revision of the consent's stream after its last change." }) revision: number;
}

export function consentFromState(state: ConsentState, revision: number): ConsentResponse {
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

export function consentFromView(row: ConsentRow): ConsentResponse {
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
