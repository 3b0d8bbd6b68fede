import { ClientEvent, hashToken, LedgerWideEvent, UserEvent } from '@ledger/domain';
import { cloudEventHeaders, REVOCATION_DOMAIN_EVENT_TYPES, toKafkaRecord, toRevocationEvent } from './revocation-event';
import { cloudEventHeaderViolations, contractViolations } from './testing/revocation-contract';
import { stored } from './testing/stored-event';

const rawA = 'clt_' + 'a'.repeat(43);
const rawB = 'clt_' + 'b'.repeat(43);
const ref = { consentId: `cns_${'0'.repeat(31)}1_2`, userId: 'alice', clientId: 'transfer-web' };
const tokA = { tokenId: `tok_${'a'.repeat(32)}`, tokenHash: hashToken(rawA) };
const tokB = { tokenId: `tok_${'b'.repeat(32)}`, tokenHash: hashToken(rawB) };

describe('revocation integration event v1', () => {
  it('given ConsentRevoked, maps every ended token by id and hash, the revoked scopes and the position', () => {
    const event = stored(
      { type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['email', 'openid'], endedTokens: [tokA, tokB], revokedAt: '2026-11-27T10:00:00.100Z', reason: 'user clicked revoke' } },
      41,
    );
    const mapped = toRevocationEvent(event)!;
    expect(mapped).toEqual({
      eventId: event.id,
      type: 'consent.revoked',
      ...ref,
      scopes: ['email', 'openid'],
      tokenIds: [tokA.tokenId, tokB.tokenId],
      tokenHashes: [tokA.tokenHash, tokB.tokenHash],
      revokedAt: '2026-11-27T10:00:00.100Z',
      reason: 'user clicked revoke',
      position: 41,
    });
    expect(contractViolations(mapped)).toEqual([]);
  });

  it('given ConsentScopesRevoked, carries only the revoked scopes, not the remaining ones', () => {
    const mapped = toRevocationEvent(
      stored({ type: 'ConsentScopesRevoked', data: { ...ref, revokedScopes: ['email'], remainingScopes: ['openid'], endedTokens: [tokA], revokedAt: '2026-11-27T10:00:00Z', reason: null } }, 7),
    )!;
    expect(mapped).toMatchObject({ type: 'consent.scopes_revoked', scopes: ['email'], tokenHashes: [tokA.tokenHash], reason: null, position: 7 });
    expect(contractViolations(mapped)).toEqual([]);
  });

  it('given TokenRevoked, names the one token and no scopes', () => {
    const mapped = toRevocationEvent(stored({ type: 'TokenRevoked', data: { ...ref, ...tokB, revokedAt: '2026-11-27T10:00:00Z', reason: null } }, 9))!;
    expect(mapped).toMatchObject({ type: 'token.revoked', scopes: [], tokenIds: [tokB.tokenId], tokenHashes: [tokB.tokenHash] });
    expect(contractViolations(mapped)).toEqual([]);
  });

  it('given RefreshTokenFamilyRevoked, names the consent and no token list: v1 cannot name the family, so its consumers evict the consent', () => {
    const family = { ...ref, familyId: tokA.tokenId, tokenId: tokB.tokenId, revokedAt: '2026-11-27T10:00:00Z', tokensEnded: 3 };
    const reused = toRevocationEvent(stored({ type: 'RefreshTokenFamilyRevoked', data: { ...family, cause: 'reuse', reason: null } }, 11))!;
    expect(reused).toEqual({ eventId: expect.any(String), type: 'token.family_revoked', ...ref, scopes: [], tokenIds: [], tokenHashes: [], revokedAt: '2026-11-27T10:00:00Z', reason: 'refresh_token_reused', position: 11 });
    expect(contractViolations(reused)).toEqual([]);
    const revoked = toRevocationEvent(stored({ type: 'RefreshTokenFamilyRevoked', data: { ...family, cause: 'revocation', reason: 'lost laptop' } }, 12))!;
    expect(revoked).toMatchObject({ type: 'token.family_revoked', reason: 'lost laptop' });
    expect(toRevocationEvent(stored({ type: 'RefreshTokenFamilyRevoked', data: { ...family, cause: 'revocation', reason: null } }, 13))!.reason).toBeNull();
    expect(cloudEventHeaders(revoked)).toMatchObject({ ce_type: 'token.family_revoked', ce_subject: ref.consentId });
    expect(cloudEventHeaderViolations(cloudEventHeaders(revoked), revoked)).toEqual([]);
    expect(toKafkaRecord(revoked).key).toBe('alice');
  });

  it('maps nothing else: grants and issued tokens are not revocations', () => {
    expect(
      toRevocationEvent(
        stored({ type: 'RefreshTokenIssued', data: { ...ref, ...tokA, familyId: tokA.tokenId, scopes: ['openid'], issuedAt: '2026-11-27T10:00:00Z', expiresAt: '2026-11-28T10:00:00Z', familyExpiresAt: '2026-11-28T10:00:00Z' } }, 3),
      ),
    ).toBeUndefined();
    expect(toRevocationEvent(stored({ type: 'ConsentGranted', data: { ...ref, scopes: ['openid'], grantedAt: '2026-11-27T10:00:00Z' } }, 1))).toBeUndefined();
    expect(
      toRevocationEvent(stored({ type: 'TokenIssued', data: { ...ref, ...tokA, scopes: ['openid'], issuedAt: '2026-11-27T10:00:00Z', expiresAt: '2026-11-27T11:00:00Z' } }, 2)),
    ).toBeUndefined();
  });

  describe('client revocations: one event for every consent and token of the client', () => {
    const disabled = stored({ type: 'ClientDisabled', data: { clientId: 'transfer-web', disabledAt: '2026-11-27T10:00:00Z', reason: 'compromised' } }, 12);

    it('given ClientDisabled, names the client only: no consent, no user, no token list, every scope', () => {
      const mapped = toRevocationEvent(disabled)!;
      expect(mapped).toEqual({
        eventId: disabled.id,
        type: 'client.disabled',
        consentId: null,
        userId: null,
        clientId: 'transfer-web',
        scopes: [],
        tokenIds: [],
        tokenHashes: [],
        revokedAt: '2026-11-27T10:00:00Z',
        reason: 'compromised',
        position: 12,
      });
      expect(contractViolations(mapped)).toEqual([]);
    });

    it('given ClientScopesRevoked, carries the revoked scopes; none when the client allowed any scope before', () => {
      const narrowed = (revokedScopes: string[] | null) =>
        toRevocationEvent(stored({ type: 'ClientScopesRevoked', data: { clientId: 'transfer-web', revokedScopes, allowedScopes: ['openid'], revokedAt: '2026-11-27T10:00:00Z', reason: null } }, 13))!;
      expect(narrowed(['email'])).toMatchObject({ type: 'client.scopes_revoked', consentId: null, userId: null, clientId: 'transfer-web', scopes: ['email'], reason: null });
      expect(narrowed(null).scopes).toEqual([]);
      expect(contractViolations(narrowed(['email']))).toEqual([]);
      expect(contractViolations(narrowed(null))).toEqual([]);
    });

    it('is keyed and subjected by the client id: it has no user', () => {
      const mapped = toRevocationEvent(disabled)!;
      const record = toKafkaRecord(mapped);
      expect(record.key).toBe('transfer-web');
      expect(record.headers).toMatchObject({ ce_type: 'client.disabled', ce_subject: 'transfer-web', ce_time: '2026-11-27T10:00:00Z' });
      expect(cloudEventHeaderViolations(record.headers, mapped)).toEqual([]);
    });

    it('maps nothing else of a client: registrations, updates, widenings, enables and the delete after its disable', () => {
      const at = '2026-11-27T10:00:00Z';
      const others: ClientEvent[] = [
        { type: 'ClientRegistered', data: { clientId: 'c', name: 'C', allowedScopes: null, termsUrl: null, registeredAt: at } },
        { type: 'ClientUpdated', data: { clientId: 'c', name: 'C', termsUrl: null, updatedAt: at } },
        { type: 'ClientScopesAllowed', data: { clientId: 'c', addedScopes: ['email'], allowedScopes: ['email'], allowedAt: at } },
        { type: 'ClientEnabled', data: { clientId: 'c', enabledAt: at } },
        { type: 'ClientDeleted', data: { clientId: 'c', deletedAt: at, reason: null } },
      ];
      for (const event of others) expect(toRevocationEvent(stored(event, 1))).toBeUndefined();
      expect([...REVOCATION_DOMAIN_EVENT_TYPES].sort()).toEqual([
        'ClientDisabled',
        'ClientNotBeforeSet',
        'ClientScopesRevoked',
        'ConsentRevoked',
        'ConsentScopesRevoked',
        'DependentConsentRevoked',
        'LedgerNotBeforeSet',
        'RefreshTokenFamilyRevoked',
        'TokenRevoked',
        'UserConsentsRevoked',
        'UserNotBeforeSet',
      ]);
    });

    it('the schema holds each kind to its shape: a client revocation names no consent or user, the others do', () => {
      const client = toRevocationEvent(disabled)!;
      expect(contractViolations({ ...client, consentId: ref.consentId })).not.toEqual([]);
      expect(contractViolations({ ...client, userId: 'alice' })).not.toEqual([]);
      expect(contractViolations({ ...client, tokenHashes: [tokA.tokenHash], tokenIds: [tokA.tokenId] })).not.toEqual([]);
      const consent = toRevocationEvent(stored({ type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['openid'], revokedAt: '2026-11-27T10:00:00Z', reason: null } }, 3))!;
      expect(contractViolations({ ...consent, userId: null })).not.toEqual([]);
      expect(contractViolations({ ...consent, consentId: null })).not.toEqual([]);
    });
  });

  describe('user-wide and ledger-wide revocations, and not-before: one event each, whatever they end', () => {
    const at = '2026-11-27T12:00:00Z';
    const userRevoked = stored({ type: 'UserConsentsRevoked', data: { userId: 'alice', revocation: 2, consentsEnded: 7, revokedAt: at, reason: 'account deleted' } }, 20);

    it('given UserConsentsRevoked, names the user only: no consent, no client, no token list, every scope; keyed and subjected by the user', () => {
      const mapped = toRevocationEvent(userRevoked)!;
      expect(mapped).toEqual({
        eventId: userRevoked.id,
        type: 'user.consents_revoked',
        consentId: null,
        userId: 'alice',
        clientId: null,
        scopes: [],
        tokenIds: [],
        tokenHashes: [],
        revokedAt: at,
        reason: 'account deleted',
        position: 20,
      });
      expect(contractViolations(mapped)).toEqual([]);
      const record = toKafkaRecord(mapped);
      expect(record.key).toBe('alice');
      expect(record.headers).toMatchObject({ ce_type: 'user.consents_revoked', ce_subject: 'alice' });
      expect(cloudEventHeaderViolations(record.headers, mapped)).toEqual([]);
    });

    it('does not publish the per-consent ConsentRevoked that carries a user-wide revocation out: consumers heard it once', () => {
      const fanned = stored({ type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['openid'], tokensEnded: 3, revokedAt: at, reason: null, userRevocation: 2 } }, 21);
      expect(toRevocationEvent(fanned)).toBeUndefined();
    });

    it.each([
      ['UserNotBeforeSet', { type: 'UserNotBeforeSet', data: { userId: 'alice', notBefore: '2026-11-27T11:00:00Z', setAt: at, reason: null } }, 'user.not_before', { userId: 'alice', clientId: null }, 'alice', 'alice'],
      ['ClientNotBeforeSet', { type: 'ClientNotBeforeSet', data: { clientId: 'transfer-web', notBefore: '2026-11-27T11:00:00Z', setAt: at, reason: null } }, 'client.not_before', { userId: null, clientId: 'transfer-web' }, 'transfer-web', 'transfer-web'],
      ['LedgerNotBeforeSet', { type: 'LedgerNotBeforeSet', data: { notBefore: '2026-11-27T11:00:00Z', setAt: at, reason: null } }, 'ledger.not_before', { userId: null, clientId: null }, null, 'ledger'],
    ] as const)('given %s, one %s with the time for people, keyed %s', (_name, event, type, subject, key, ceSubject) => {
      const mapped = toRevocationEvent(stored(event as UserEvent | ClientEvent | LedgerWideEvent, 22))!;
      expect(mapped).toEqual({ eventId: expect.any(String), type, consentId: null, ...subject, scopes: [], tokenIds: [], tokenHashes: [], revokedAt: at, reason: null, position: 22, notBefore: '2026-11-27T11:00:00Z' });
      expect(contractViolations(mapped)).toEqual([]);
      const record = toKafkaRecord(mapped);
      expect(record.key).toBe(key);
      expect(record.headers.ce_subject).toBe(ceSubject);
      expect(cloudEventHeaderViolations(record.headers, mapped)).toEqual([]);
    });

    it('the schema holds each kind to its shape', () => {
      const user = toRevocationEvent(userRevoked)!;
      expect(contractViolations({ ...user, clientId: 'transfer-web' })).not.toEqual([]);
      expect(contractViolations({ ...user, userId: null })).not.toEqual([]);
      expect(contractViolations({ ...user, consentId: ref.consentId })).not.toEqual([]);
      expect(contractViolations({ ...user, notBefore: at })).not.toEqual([]);
      const ledger = toRevocationEvent(stored({ type: 'LedgerNotBeforeSet', data: { notBefore: at, setAt: at, reason: null } }, 23))!;
      expect(contractViolations({ ...ledger, userId: 'alice' })).not.toEqual([]);
      expect(contractViolations({ ...ledger, clientId: 'transfer-web' })).not.toEqual([]);
      const { notBefore: _dropped, ...withoutTime } = ledger;
      expect(contractViolations(withoutTime)).not.toEqual([]);
      const consent = toRevocationEvent(stored({ type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['openid'], revokedAt: at, reason: null } }, 3))!;
      expect(contractViolations({ ...consent, clientId: null })).not.toEqual([]);
      expect(contractViolations({ ...consent, notBefore: at })).not.toEqual([]);
    });
  });

  it('is a Kafka record in CloudEvents binary mode, keyed by user, that never carries the domain event or a raw token', () => {
    const event = stored({ type: 'ConsentRevoked', data: { ...ref, revokedScopes: ['openid'], endedTokens: [tokA], revokedAt: '2026-11-27T10:00:00Z', reason: null } }, 3);
    const mapped = toRevocationEvent(event)!;
    const record = toKafkaRecord(mapped, '/ledger-test');
    expect(record.key).toBe('alice');
    expect(JSON.parse(record.value)).toEqual(mapped);
    expect(record.headers).toEqual(cloudEventHeaders(mapped, '/ledger-test'));
    expect(record.headers).toMatchObject({ ce_specversion: '1.0', ce_id: event.id, ce_type: 'consent.revoked', ce_source: '/ledger-test', ce_subject: ref.consentId });
    expect(cloudEventHeaderViolations(record.headers, mapped)).toEqual([]);
    const everything = JSON.stringify(record);
    expect(everything).not.toContain(rawA);
    expect(everything).not.toContain('metadata');
    expect(everything).not.toContain('endedTokens');
  });

  it('the schema refuses what the contract forbids', () => {
    const good = toRevocationEvent(stored({ type: 'TokenRevoked', data: { ...ref, ...tokB, revokedAt: '2026-11-27T10:00:00Z', reason: null } }, 9))!;
    expect(contractViolations({ ...good, token: rawB })).not.toEqual([]);
    expect(contractViolations({ ...good, tokenHashes: [rawB] })).not.toEqual([]);
    expect(contractViolations({ ...good, type: 'TokenRevoked' })).not.toEqual([]);
    expect(contractViolations({ ...good, revokedAt: 'yesterday' })).not.toEqual([]);
    expect(contractViolations({ ...good, tokenIds: [] })).not.toEqual([]);
  });
});

describe('the published AsyncAPI document', () => {
  // js-yaml comes with @nestjs/swagger; test-only, like ajv.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('js-yaml') as { load(text: string): any };
  const doc = yaml.load(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', '..', '..', 'docs', 'asyncapi.yaml'), 'utf8'));
  const message = doc.components.messages.revocation;

  it('points at the JSON Schema, and its example conforms to it', () => {
    expect(message.payload.$ref).toBe('./contracts/revocation-event.v1.schema.json');
    expect(doc.channels.revocations.address).toBe('consent.revocations.v1');
    for (const example of message.examples) {
      expect(contractViolations(example.payload)).toEqual([]);
      expect(cloudEventHeaderViolations(example.headers, example.payload)).toEqual([]);
    }
  });

  it('lists exactly the headers the publisher sends', () => {
    const event = toRevocationEvent(stored({ type: 'TokenRevoked', data: { ...ref, ...tokB, revokedAt: '2026-11-27T10:00:00Z', reason: null } }, 9))!;
    expect(Object.keys(message.headers.properties).sort()).toEqual(Object.keys(cloudEventHeaders(event)).sort());
  });
});
