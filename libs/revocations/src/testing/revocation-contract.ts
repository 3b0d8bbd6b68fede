import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RevocationEventV1 } from '../revocation-event';

/**
 * Checks messages against the PUBLISHED contract (docs/contracts/revocation-event.v1.schema.json), not against the
 * TypeScript type, so that the schema consumers read and what the ledger sends cannot drift apart unnoticed.
 * Test-only: ajv comes with fastify and is not a runtime dependency of the service.
 */
const schemaFile = join(__dirname, '..', '..', '..', '..', 'docs', 'contracts', 'revocation-event.v1.schema.json');
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

let validate: ReturnType<Ajv['compile']> | undefined;

export function revocationSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaFile, 'utf8'));
}

/** Contract violations of one message value, as readable strings; empty when it conforms. */
export function contractViolations(value: unknown): string[] {
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addFormat('date-time', { type: 'string', validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) });
    validate = ajv.compile(revocationSchema());
  }
  const errors: string[] = [];
  if (!validate(value)) errors.push(...(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`));
  const v = value as Partial<RevocationEventV1>;
  // What JSON Schema draft-07 cannot say:
  if (Array.isArray(v.tokenIds) && Array.isArray(v.tokenHashes) && v.tokenIds.length !== v.tokenHashes.length) {
    errors.push('tokenIds and tokenHashes differ in length');
  }
  if (v.type === 'token.revoked' && v.tokenIds?.length !== 1) errors.push('token.revoked names exactly one token');
  if (v.type?.startsWith('consent.') && v.scopes?.length === 0) errors.push(`${v.type} revokes at least one scope`);
  return errors;
}

/** The CloudEvents binary-mode headers every record must carry, checked against the value. */
export function cloudEventHeaderViolations(headers: Record<string, string | undefined>, value: RevocationEventV1): string[] {
  const expected: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: value.eventId,
    ce_type: value.type,
    ce_time: value.revokedAt,
    ce_subject:
      value.type === 'token.revoked'
        ? value.tokenIds[0]
        : value.type.startsWith('consent.') || value.type === 'token.family_revoked'
          ? value.consentId!
          : value.type.startsWith('user.')
            ? value.userId!
            : value.type.startsWith('client.')
              ? value.clientId!
              : 'ledger',
    'content-type': 'application/json',
  };
  const errors = Object.entries(expected)
    .filter(([k, v]) => headers[k] !== v)
    .map(([k, v]) => `header ${k} is ${JSON.stringify(headers[k])}, expected ${JSON.stringify(v)}`);
  if (!headers.ce_source) errors.push('header ce_source is missing');
  return errors;
}

const schemaV2File = join(__dirname, '..', '..', '..', '..', 'docs', 'contracts', 'revocation-event.v2.schema.json');
let validateV2: ReturnType<Ajv['compile']> | undefined;

/** Contract violations of one v2 message value against the published v2 schema; empty when it conforms. */
export function contractV2Violations(value: unknown): string[] {
  if (!validateV2) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addFormat('date-time', { type: 'string', validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) });
    validateV2 = ajv.compile(JSON.parse(readFileSync(schemaV2File, 'utf8')));
  }
  return validateV2(value) ? [] : (validateV2.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
