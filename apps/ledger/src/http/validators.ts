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

/**
 * isValidScope as one regular expression, for the OpenAPI document: a simple name, or a URN (urn:NID:NSS) whose NSS
 * does not end with a colon. scope.spec.ts's cases hold the two together (test/openapi.e2e-spec.ts).
 */
export const SCOPE_PATTERN = "^(?:[A-Za-z][A-Za-z0-9_.\\-]{0,63}|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[A-Za-z0-9()+,\\-.:=@;$_!*'%/]*[A-Za-z0-9()+,\\-.=@;$_!*'%/])$";

/** A list of scopes, as the domain defines them (shared/scope.ts), bounded in count and length. */
export const ScopeList = (required: boolean, description: string) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({
      type: 'array',
      items: { type: 'string', maxLength: MAX_SCOPE_LENGTH, pattern: SCOPE_PATTERN },
      minItems: 1,
      maxItems: MAX_SCOPES,
      description,
      ...(required ? { example: ['openid', 'urn:globus:auth:scope:transfer.api.globus.org:all'] } : {}),
    }),
    ...(required ? [] : [IsOptional()]),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(MAX_SCOPES),
    IsString({ each: true }),
    MaxLength(MAX_SCOPE_LENGTH, { each: true }),
    Validate(ScopeConstraint, { each: true }),
  );

export const ClientIdField = () =>
  applyDecorators(ApiProperty({ example: 'transfer-web', maxLength: 128, pattern: CLIENT_ID_PATTERN.source }), IsString(), MaxLength(128), Matches(CLIENT_ID_PATTERN));
export const UserIdField = () =>
  applyDecorators(ApiProperty({ example: 'user-42', maxLength: 128, pattern: USER_ID_PATTERN.source }), IsString(), MaxLength(128), Matches(USER_ID_PATTERN));
export const ReasonField = () =>
  applyDecorators(ApiPropertyOptional({ type: String, maxLength: 500, nullable: true, description: 'Why; recorded with the event for auditors. null: none.' }), IsOptional(), IsString(), MaxLength(500));

export { CONSENT_ID_PATTERN };
