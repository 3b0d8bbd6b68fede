import { ApiProperty } from '@nestjs/swagger';
import type { LedgerNotBeforeResult } from './set-ledger-not-before.command';

export class LedgerNotBeforeResponse implements LedgerNotBeforeResult {
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The ledger-wide not-before in force, as recorded for people.' }) notBefore: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it was set: every token issued before that command is inactive.' }) setAt: string | null;
  @ApiProperty({ type: 'integer', description: 'Revision of the ledger-wide stream.' }) revision: number;
}
