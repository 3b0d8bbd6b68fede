import { ApiProperty } from '@nestjs/swagger';
import { UserResponse } from '../user.response';
import type { RevokeUserConsentsResult } from './revoke-user-consents.command';

export class RevokeUserConsentsResponse extends UserResponse implements RevokeUserConsentsResult {
  @ApiProperty({ type: 'integer', description: 'Active consents this request ended; 0 when there was nothing left to end (a retry).' }) consentsEnded: number;
}
