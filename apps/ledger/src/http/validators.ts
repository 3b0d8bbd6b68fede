import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { CLIENT_ID_PATTERN, isValidScope, MAX_SCOPE_LENGTH, MAX_SCOPES, USER_ID_PATTERN, CONSENT_ID_PATTERN } from '@ledger/domain';

@ValidatorConstraint({ name: 'scope' })
class ScopeConstraint implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && isValidScope(value);
  }
  /** Names the values that failed (the first few, cut short), so that a caller with fifty scopes sees which. */
  defaultMessage(args: ValidationArguments) {
    const bad = [args.value].flat().filter((v: unknown) => !this.validate(v)).slice(0, 5);
    const named = bad.map((v) => JSON.stringify(typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}...` : v)).join(', ');
    return `each value in $property must be a URN (urn:nid:nss) or a simple name such as openid; not ${named}`;
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

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** An RFC 3339 date-time that names a real instant: no February 30th, no hour 24 (JavaScript's Date rolls them over). */
function isInstant(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  const offsetOk = m[8] === undefined || (Number(m[8]) <= 23 && Number(m[9]) <= 59);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour <= 23 && minute <= 59 && second <= 59 && offsetOk;
}

@ValidatorConstraint({ name: 'instant' })
class InstantConstraint implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && isInstant(value);
  }
  defaultMessage() {
    return '$property must be an RFC 3339 date-time that exists, such as 2026-01-31T23:59:59Z';
  }
}

export const InstantField = (description: string) =>
  applyDecorators(ApiPropertyOptional({ description, example: '2026-01-31T23:59:59Z', format: 'date-time' }), IsOptional(), Validate(InstantConstraint));

/**
 * A global log position in a query string: decimal digits only. Number() would also read 0x10, 1e3 and ' 16', so
 * the string is converted only when it is digits, and anything else fails IsInt.
 */
export const PositionField = () =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 0 }),
    IsOptional(),
    Transform(({ value }) => (typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value)),
    IsInt({ message: '$property must be a position in decimal digits' }),
    Min(0),
    Max(Number.MAX_SAFE_INTEGER),
  );

export { CONSENT_ID_PATTERN };
