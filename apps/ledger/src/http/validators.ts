import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Matches, MaxLength, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { CLIENT_ID_PATTERN, isValidScope, MAX_SCOPE_LENGTH, MAX_SCOPES, USER_ID_PATTERN, CONSENT_ID_PATTERN } from '@ledger/domain';

@ValidatorConstraint({ name: 'scope' })
class ScopeConstraint implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && isValidScope(value);
  }
  defaultMessage() {
    return 'each value in $property must be a URN (urn:nid:nss) or a simple name such as openid';
  }
}

/** A list of scopes, as the domain defines them (shared/scope.ts), bounded in count and length. */
export const ScopeList = (required: boolean, description: string) =>
  applyDecorators(
    ...(required ? [ApiProperty({ type: [String], description, example: ['openid', 'urn:globus:auth:scope:transfer.api.globus.org:all'] })] : [ApiPropertyOptional({ type: [String], description })]),
    ...(required ? [] : [IsOptional()]),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(MAX_SCOPES),
    IsString({ each: true }),
    MaxLength(MAX_SCOPE_LENGTH, { each: true }),
    Validate(ScopeConstraint, { each: true }),
  );

export const ClientIdField = () =>
  applyDecorators(ApiProperty({ example: 'transfer-web', pattern: CLIENT_ID_PATTERN.source }), IsString(), MaxLength(128), Matches(CLIENT_ID_PATTERN));
export const UserIdField = () =>
  applyDecorators(ApiProperty({ example: 'user-42', pattern: USER_ID_PATTERN.source }), IsString(), MaxLength(128), Matches(USER_ID_PATTERN));
export const ReasonField = () =>
  applyDecorators(ApiPropertyOptional({ maxLength: 500, description: 'Why; recorded with the event for auditors.' }), IsOptional(), IsString(), MaxLength(500));

export { CONSENT_ID_PATTERN };
