import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
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
import {
  CLIENT_ID_PATTERN,
  CONSENT_ID_PATTERN,
  CONSENT_LIFETIME_CEILING_S,
  MAX_SCOPE_LENGTH,
  MAX_SCOPE_STRING_LENGTH,
  MAX_SCOPES,
  SCOPE_STRING_PATTERN,
  SCOPE_TOKEN_PATTERN,
  scopeListRefusal,
  ScopeListRules,
  USER_ID_PATTERN,
} from '@ledger/domain';

/** The constraint's name, which a ValidationError lists it under: validation.ts answers invalid_scope on it alone. */
export const SCOPE_LIST_CONSTRAINT = 'scopeList';

/** scopeListRefusal (libs/domain), the one check of a list of scopes, which the deciders make again. */
@ValidatorConstraint({ name: SCOPE_LIST_CONSTRAINT })
class ScopeListConstraint implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments) {
    return scopeListRefusal(value, rulesOf(args)) === undefined;
  }
  defaultMessage(args: ValidationArguments) {
    return scopeListRefusal(args.value, rulesOf(args))!.message;
  }
}

const rulesOf = (args: ValidationArguments): ScopeListRules => ({ field: args.property, dependencies: args.constraints[0] === true });

const GRANT_EXAMPLE = ['openid', 'urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/scopes/0b0a6f1e-8c8a-4d5f-a5a6-e2cd45e7a9a2/data_access]'];

/**
 * A list of scopes, as the domain defines them: scope-tokens, or with `dependencies` (a grant's) scope-strings that
 * may carry their dependencies. The schema's pattern and lengths come from the domain too, so that what Schemathesis
 * generates from the document is what the service takes.
 */
export const ScopeList = (required: boolean, description: string, { dependencies = false } = {}) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({
      type: 'array',
      items: dependencies
        ? { type: 'string', minLength: 1, maxLength: MAX_SCOPE_STRING_LENGTH, pattern: SCOPE_STRING_PATTERN }
        : { type: 'string', minLength: 1, maxLength: MAX_SCOPE_LENGTH, pattern: SCOPE_TOKEN_PATTERN },
      minItems: 1,
      maxItems: MAX_SCOPES,
      description,
      ...(required ? { example: dependencies ? GRANT_EXAMPLE : ['openid', 'urn:globus:auth:scope:transfer.api.globus.org:all'] } : {}),
    }),
    ...(required ? [] : [IsOptional()]),
    Validate(ScopeListConstraint, [dependencies]),
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
/** The constraint's name for a consent's expiry: validation.ts answers invalid_consent_expiry on it alone. */
export const CONSENT_EXPIRY_CONSTRAINT = 'consentExpiry';

@ValidatorConstraint({ name: CONSENT_EXPIRY_CONSTRAINT })
class ConsentExpiryConstraint implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments) {
    if (args.property === 'expiresIn') return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= CONSENT_LIFETIME_CEILING_S;
    return typeof value === 'string' && isInstant(value);
  }
  defaultMessage(args: ValidationArguments) {
    return args.property === 'expiresIn'
      ? `expiresIn must be a whole number of seconds from 1 to ${CONSENT_LIFETIME_CEILING_S}`
      : 'expiresAt must be an RFC 3339 date-time that exists, such as 2026-01-31T23:59:59Z';
  }
}

/**
 * A grant's expiry: `expiresAt` (an instant) or `expiresIn` (seconds from now), not both. The edge checks the form;
 * the decider checks it again and judges it against now and the configured maximum (consent-expiry.ts).
 */
export const ConsentExpiryField = (property: 'expiresAt' | 'expiresIn', description: string) =>
  applyDecorators(
    ApiPropertyOptional(
      property === 'expiresAt'
        ? { type: String, format: 'date-time', example: '2026-12-31T23:59:59Z', description }
        : { type: 'integer', minimum: 1, maximum: CONSENT_LIFETIME_CEILING_S, example: 2_592_000, description },
    ),
    IsOptional(),
    Validate(ConsentExpiryConstraint),
  );

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
