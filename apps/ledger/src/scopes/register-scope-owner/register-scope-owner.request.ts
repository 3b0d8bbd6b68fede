import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { MAX_SCOPE_LENGTH, SCOPE_TOKEN_PATTERN } from '@ledger/domain';

export class RegisterScopeOwnerRequest {
  @ApiProperty({ example: 'transfer:all', minLength: 1, maxLength: MAX_SCOPE_LENGTH, pattern: SCOPE_TOKEN_PATTERN, description: 'One scope-token (RFC 6749 section 3.3) that this client serves' })
  @IsString()
  @MaxLength(MAX_SCOPE_LENGTH)
  @Matches(new RegExp(SCOPE_TOKEN_PATTERN))
  scope: string;
}
