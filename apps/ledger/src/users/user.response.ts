import { ApiProperty } from '@nestjs/swagger';
import type { UserResult } from './user.result';

/** UserResult as the OpenAPI document describes it. */
export class UserResponse implements UserResult {
  @ApiProperty({ example: 'alice@example.org' }) userId: string;
  @ApiProperty({ type: 'integer', description: 'User-wide revocations so far (POST /v1/users/{userId}/revoke).' }) revocations: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the last user-wide revocation was made.' }) revokedAt: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: "The user's not-before, as recorded for people: every token of the user issued before the command that set it is inactive.",
  })
  notBefore: string | null;
  @ApiProperty({ type: 'integer', description: "Revision of the user's stream; -1: nothing was ever recorded for the user." }) revision: number;
}
