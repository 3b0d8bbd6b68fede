import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken, userKey as userKeyOf } from '@ledger/domain';
import { toRevocationEvent } from './revocation-event';
import { REVOCATION_EVENT_V2_SCHEMA_ID, toKafkaRecordV2, toRevocationEventV2 } from './revocation-event.v2';
import { contractV2Violations } from './testing/revocation-contract';
import { stored } from './testing/stored-event';

const at = '2026-11-27T10:00:00Z';
const ref = { consentId: `cns_${'0'.repeat(31)}1_2`, userId: 'alice', clientId: 'transfer-web' };
const tok = { tokenId: `tok_${'a'.repeat(32)}`, tokenHash: hashToken('clt_' + 'a'.repeat(43)) };
const facts = { revokedAt: at, reason: null };

const dependentId = `${ref.consentId}_${'b'.repeat(16)}`;
const dependentRevoked = {
  type: 'DependentConsentRevoked' as const,
  data: { ...ref, dependentConsentId: dependentId, dependentClientId: 'transfer', scope: 'collection-a:data_access', dependencyPath: [ref.consentId, dependentId], cause: 'ConsentRevoked' as const, tokensEnded: 1, ...facts },
};

describe('revocation integration event v2', () => {
  // Each domain revocation: its subject, which of the subject's tokens ended, and the Kafka key and ce_subject.
  it.each([
    ['TokenRevoked', stored({ type: 'TokenRevoked', data: { ...ref, ...tok, ...facts } }, 3), { kind: 'token', ...tok, ...ref }, { all: true }, 'alice', tok.tokenId],
    ['ConsentRevoked', stored({ type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['openid'], ...facts } }, 4), { kind: 'consent', ...ref }, { all: true }, 'alice', ref.consentId],
    [
      'ConsentScopesRevoked',
      stored({ type: 'ConsentScopesRevoked', data: { ...ref, revokedScopes: ['email'], remainingScopes: ['openid'], ...facts } }, 5),
      { kind: 'consent', ...ref },
      { carryingAnyOf: ['email'] },
      'alice',
      ref.consentId,
    ],
    ['ClientDisabled', stored({ type: 'ClientDisabled', data: { clientId: 'transfer-web', disabledAt: at, reason: 'compromised' } }, 6), { kind: 'client', clientId: 'transfer-web' }, { all: true }, 'transfer-web', 'transfer-web'],
    [
      'ClientScopesRevoked (a list)',
      stored({ type: 'ClientScopesRevoked', data: { clientId: 'transfer-web', revokedScopes: ['email'], allowedScopes: ['openid'], ...facts } }, 7),
      { kind: 'client', clientId: 'transfer-web' },
      { carryingAnyOf: ['email'] },
      'transfer-web',
      'transfer-web',
    ],
    [
      'ClientScopesRevoked (a client that allowed any scope)',
      stored({ type: 'ClientScopesRevoked', data: { clientId: 'transfer-web', revokedScopes: null, allowedScopes: ['openid'], ...facts } }, 8),
      { kind: 'client', clientId: 'transfer-web' },
      { carryingAnyOutside: ['openid'] },
      'transfer-web',
      'transfer-web',
    ],
    ['ClientNotBeforeSet', stored({ type: 'ClientNotBeforeSet', data: { clientId: 'transfer-web', notBefore: at, setAt: at, reason: null } }, 9), { kind: 'client', clientId: 'transfer-web' }, { issuedBefore: 9 }, 'transfer-web', 'transfer-web'],
    ['UserConsentsRevoked', stored({ type: 'UserConsentsRevoked', data: { userId: 'alice', revocation: 1, consentsEnded: 2, ...facts } }, 10), { kind: 'user', userId: 'alice' }, { all: true }, 'alice', 'alice'],
    ['UserNotBeforeSet', stored({ type: 'UserNotBeforeSet', data: { userId: 'alice', notBefore: at, setAt: at, reason: null } }, 11), { kind: 'user', userId: 'alice' }, { issuedBefore: 11 }, 'alice', 'alice'],
    [
      'RefreshTokenFamilyRevoked',
      stored({ type: 'RefreshTokenFamilyRevoked', data: { ...ref, familyId: tok.tokenId, tokenId: tok.tokenId, cause: 'reuse', tokensEnded: 2, ...facts } }, 13),
      { kind: 'consent', ...ref },
      { inFamily: tok.tokenId },
      'alice',
      ref.consentId,
    ],
    ['LedgerNotBeforeSet', stored({ type: 'LedgerNotBeforeSet', data: { notBefore: at, setAt: at, reason: null } }, 12), { kind: 'ledger' }, { issuedBefore: 12 }, null, 'ledger'],
    ['DependentConsentRevoked', stored(dependentRevoked, 14), { kind: 'consent', ...ref, clientId: 'transfer' }, { all: true }, 'alice', ref.consentId],
  ])('given %s, names its subject and the tokens it ended, and conforms to the published schema', (_name, event, subject, ends, key, ceSubject) => {
    const v2 = toRevocationEventV2(event)!;
    const v1 = toRevocationEvent(event)!;
    expect(v2).toMatchObject({ eventId: event.id, type: v1.type, subject, ends, revokedAt: v1.revokedAt, reason: v1.reason, position: event.position });
    expect(contractV2Violations(v2)).toEqual([]);
    const record = toKafkaRecordV2(v2);
    // The same key as v1, so that one user's revocations keep their order on both topics.
    expect(record.key).toBe(key);
    expect(record.key).toBe(v1.userId ?? v1.clientId);
    expect(record.headers).toMatchObject({ ce_id: event.id, ce_type: v1.type, ce_subject: ceSubject, ce_dataschema: REVOCATION_EVENT_V2_SCHEMA_ID });
    expect(JSON.parse(record.value)).toEqual(v2);
  });

  it('carries the scopes that remain on a scope revocation, and the recorded time on a not-before only', () => {
    const narrowed = toRevocationEventV2(stored({ type: 'ConsentScopesRevoked', data: { ...ref, revokedScopes: ['email'], remainingScopes: ['openid', 'profile'], ...facts } }, 5))!;
    expect(narrowed.remainingScopes).toEqual(['openid', 'profile']);
    const client = toRevocationEventV2(stored({ type: 'ClientScopesRevoked', data: { clientId: 'c', revokedScopes: null, allowedScopes: ['openid'], ...facts } }, 6))!;
    expect(client.remainingScopes).toEqual(['openid']);
    expect(toRevocationEventV2(stored({ type: 'UserNotBeforeSet', data: { userId: 'alice', notBefore: '2026-11-27T09:00:00Z', setAt: at, reason: null } }, 7))!.notBefore).toBe('2026-11-27T09:00:00Z');
    expect(toRevocationEventV2(stored({ type: 'UserConsentsRevoked', data: { userId: 'alice', revocation: 1, consentsEnded: 0, ...facts } }, 8))).not.toHaveProperty('notBefore');
  });

  it('publishes an erasure as user.erased, named by the userKey and the pseudonym, never the user id, keyed by the userKey', () => {
    const userKey = userKeyOf('alice@example.org');
    // As the publisher reads it once the key is gone: the sealed user id opens as the pseudonym.
    const erased = stored({ type: 'SubjectErased', data: { userId: '~erased:k1', subject: userKey, kid: 'k1', erasedAt: at } }, 9);
    expect(toRevocationEvent(erased)).toBeUndefined();
    const v2 = toRevocationEventV2(erased)!;
    expect(v2).toEqual({ eventId: erased.id, type: 'user.erased', subject: { kind: 'erased_user', userKey, pseudonym: '~erased:k1' }, ends: { all: true }, revokedAt: at, reason: null, position: 9 });
    expect(contractV2Violations(v2)).toEqual([]);
    const record = toKafkaRecordV2(v2);
    expect(record.key).toBe(userKey);
    expect(record.headers).toMatchObject({ ce_id: erased.id, ce_type: 'user.erased', ce_subject: userKey });
    expect(record.value).not.toContain('alice');
    // The schema holds the notice to its shape: a user id in place of the key is refused.
    expect(contractV2Violations({ ...v2, subject: { kind: 'erased_user', userId: 'alice@example.org' } } as never)).not.toEqual([]);
  });

  it('names the dependency path of a consent revocation: [root] for a root, down to the dependent consent for its cascade', () => {
    expect(toRevocationEventV2(stored({ type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['openid'], ...facts } }, 4))!.dependencyPath).toEqual([ref.consentId]);
    expect(toRevocationEventV2(stored({ type: 'ConsentScopesRevoked', data: { ...ref, revokedScopes: ['a'], remainingScopes: ['b'], ...facts } }, 4))!.dependencyPath).toEqual([ref.consentId]);
    const cascade = toRevocationEventV2(stored(dependentRevoked, 5))!;
    expect(cascade).toMatchObject({ type: 'consent.revoked', dependencyPath: [ref.consentId, dependentId], subject: { kind: 'consent', consentId: ref.consentId, clientId: 'transfer' } });
    expect(contractV2Violations({ ...cascade, dependencyPath: ['not-a-consent'] })).not.toEqual([]);
    // v1 unchanged: the root consent with the dependent client, whose cached tokens of the user a v1 consumer evicts.
    expect(toRevocationEvent(stored(dependentRevoked, 5))).toMatchObject({ type: 'consent.revoked', consentId: ref.consentId, clientId: 'transfer', scopes: ['collection-a:data_access'] });
    expect(toRevocationEvent(stored(dependentRevoked, 5))).not.toHaveProperty('dependencyPath');
  });

  it('maps nothing v1 does not publish: grants, issues, and the fan-out of a user-wide revocation', () => {
    expect(toRevocationEventV2(stored({ type: 'ConsentGranted', data: { ...ref, scopes: ['openid'], grantedAt: at } }, 1))).toBeUndefined();
    expect(toRevocationEventV2(stored({ type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['openid'], ...facts, userRevocation: 1 } }, 2))).toBeUndefined();
  });

  it('the schema refuses what v2 never sends: a subject without its ids, an unknown ends form, an empty carryingAnyOf', () => {
    const ok = toRevocationEventV2(stored({ type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['openid'], ...facts } }, 4))!;
    expect(contractV2Violations({ ...ok, subject: { kind: 'consent', userId: 'alice' } })).not.toEqual([]);
    expect(contractV2Violations({ ...ok, subject: { kind: 'tenant' } })).not.toEqual([]);
    expect(contractV2Violations({ ...ok, ends: { some: true } })).not.toEqual([]);
    expect(contractV2Violations({ ...ok, ends: { carryingAnyOf: [] } })).not.toEqual([]);
    expect(contractV2Violations({ ...ok, position: -1 })).not.toEqual([]);
  });
});

describe('the published AsyncAPI document, v2', () => {
  // js-yaml comes with @nestjs/swagger; test-only, like ajv.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('js-yaml') as { load(text: string): any };
  const doc = yaml.load(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'asyncapi.yaml'), 'utf8'));
  const message = doc.components.messages.revocationV2;

  it('points at the v2 schema on a channel of its own, its examples conform, and it lists the headers the publisher sends', () => {
    expect(message.payload.$ref).toBe('./contracts/revocation-event.v2.schema.json');
    expect(doc.channels.revocationsV2.address).toBe('consent.revocations.v2');
    expect(message.examples.length).toBeGreaterThan(0);
    for (const example of message.examples) expect(contractV2Violations(example.payload)).toEqual([]);
    const record = toKafkaRecordV2(toRevocationEventV2(stored({ type: 'TokenRevoked', data: { ...ref, ...tok, ...facts } }, 3))!);
    expect(Object.keys(message.headers.properties).sort()).toEqual(Object.keys(record.headers).sort());
    for (const example of message.examples) expect(Object.keys(example.headers).sort()).toEqual(Object.keys(record.headers).sort());
  });
});
