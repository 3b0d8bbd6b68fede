import { CLIENT_EVENT_TYPES } from '../client/client';
import { CONSENT_EVENT_TYPES } from '../consent/consent';
import { LEDGER_WIDE_EVENT_TYPES } from '../ledger/ledger-wide';
import { USER_EVENT_TYPES } from '../user/user';
import { SCOPE_OWNER_EVENT_TYPES } from '../scope/scope-owner';
import { EVENT_VERSION_FIELD, EVENT_VERSIONS, legacyVersion } from './event-versions';
import { storedVersion, upcast } from './upcast';
import { UPCASTERS } from './upcasters';

const ref = { consentId: 'cns_00000000000000000000000000000000_1', userId: 'alice', clientId: 'app' };
const ended = [
  { tokenId: 'tok_a', tokenHash: 'a'.repeat(64) },
  { tokenId: 'tok_b', tokenHash: 'b'.repeat(64) },
];
/** ConsentRevoked as versions before this one wrote it: a list of the ended tokens, no count, no version. */
const revokedV1 = { ...ref, revokedScopes: ['openid'], revokedAt: '2024-05-01T00:00:00.000Z', reason: null, endedTokens: ended };

describe('event versions', () => {
  it('name every event type of the domain, and nothing else', () => {
    expect(Object.keys(EVENT_VERSIONS).sort()).toEqual([...CLIENT_EVENT_TYPES, ...CONSENT_EVENT_TYPES, ...USER_EVENT_TYPES, ...LEDGER_WIDE_EVENT_TYPES, ...SCOPE_OWNER_EVENT_TYPES].sort());
  });

  it('have an upcaster for every step from 1 to the current version, and none beyond it', () => {
    for (const [type, current] of Object.entries(EVENT_VERSIONS)) {
      for (let v = 1; v < current; v++) expect({ type, v, step: typeof UPCASTERS[type]?.[v] }).toEqual({ type, v, step: 'function' });
      expect(Object.keys(UPCASTERS[type] ?? {}).map(Number).filter((v) => v >= current)).toEqual([]);
    }
    expect(Object.keys(UPCASTERS).every((type) => type in EVENT_VERSIONS)).toBe(true);
  });

  it('are frozen: no reader can change what this build knows', () => {
    expect(Object.isFrozen(EVENT_VERSIONS)).toBe(true);
    expect(Object.isFrozen(UPCASTERS)).toBe(true);
  });
});

describe('legacyVersion: events stored before versions existed', () => {
  it.each(['ConsentRevoked', 'ConsentScopesRevoked'])('a %s without tokensEnded is v1, with it v2', (type) => {
    expect(legacyVersion(type, revokedV1)).toBe(1);
    expect(legacyVersion(type, { ...revokedV1, tokensEnded: 0 })).toBe(2);
  });

  it('every other type is v1, whatever fields it has', () => {
    expect(legacyVersion('TokenRevoked', { tokensEnded: 3 })).toBe(1);
    expect(legacyVersion('ConsentGranted', {})).toBe(1);
  });
});

describe('storedVersion', () => {
  it('is the metadata field when there is one, even on a legacy shape', () => {
    expect(storedVersion({ type: 'ConsentRevoked', data: revokedV1, metadata: { [EVENT_VERSION_FIELD]: 2 } })).toBe(2);
    expect(storedVersion({ type: 'ConsentRevoked', data: revokedV1, metadata: { [EVENT_VERSION_FIELD]: 'x' } })).toBe('x');
  });

  it('is read from the shape without one, with or without metadata', () => {
    expect(storedVersion({ type: 'ConsentRevoked', data: revokedV1, metadata: { actor: 'a' } })).toBe(1);
    expect(storedVersion({ type: 'ConsentRevoked', data: revokedV1 })).toBe(1);
  });
});

describe('upcast', () => {
  it('reads a v1 revocation as v2: tokensEnded filled from the list, the list and every other field kept', () => {
    for (const type of ['ConsentRevoked', 'ConsentScopesRevoked']) {
      const data = type === 'ConsentScopesRevoked' ? { ...revokedV1, remainingScopes: ['profile'] } : revokedV1;
      expect(upcast({ type, data, metadata: {} })).toEqual({ readable: true, event: { type, data: { ...data, tokensEnded: 2 } } });
    }
  });

  it('counts no token for a v1 revocation whose list is missing or not a list', () => {
    const { endedTokens: _, ...bare } = revokedV1;
    expect(upcast({ type: 'ConsentRevoked', data: bare, metadata: { eventVersion: 1 } })).toEqual({ readable: true, event: { type: 'ConsentRevoked', data: { ...bare, tokensEnded: 0 } } });
    const odd = { ...revokedV1, endedTokens: 'two' };
    expect(upcast({ type: 'ConsentRevoked', data: odd, metadata: { eventVersion: 1 } })).toEqual({ readable: true, event: { type: 'ConsentRevoked', data: { ...odd, tokensEnded: 0 } } });
  });

  it('never changes the stored data it was given (the hash chain covers it)', () => {
    const data = structuredClone(revokedV1);
    upcast({ type: 'ConsentRevoked', data });
    expect(data).toEqual(revokedV1);
  });

  it('hands a current event on as it is, the same object', () => {
    const data = { ...revokedV1, tokensEnded: 5 };
    const result = upcast({ type: 'ConsentRevoked', data, metadata: { eventVersion: 2 } });
    expect(result).toEqual({ readable: true, event: { type: 'ConsentRevoked', data } });
    expect(result.readable && result.event.data).toBe(data);
    const granted = { ...ref, scopes: ['openid'], grantedAt: '2024-05-01T00:00:00.000Z' };
    expect(upcast({ type: 'ConsentGranted', data: granted })).toEqual({ readable: true, event: { type: 'ConsentGranted', data: granted } });
  });

  it('refuses a type it does not know, by own property only', () => {
    expect(upcast({ type: 'ConsentErased', data: {}, metadata: { eventVersion: 1 } })).toEqual({ readable: false, reason: 'unknown_type', type: 'ConsentErased', version: 1, known: undefined });
    expect(upcast({ type: 'toString', data: {} })).toMatchObject({ readable: false, reason: 'unknown_type' });
  });

  it('refuses a version newer than it knows, and reads the one it knows', () => {
    expect(upcast({ type: 'ClientRegistered', data: {}, metadata: { eventVersion: 2 } })).toEqual({ readable: false, reason: 'newer_version', type: 'ClientRegistered', version: 2, known: 1 });
    expect(upcast({ type: 'ClientRegistered', data: {}, metadata: { eventVersion: 1 } }).readable).toBe(true);
  });

  it.each([0, -1, 1.5, '1', null, Number.NaN])('refuses a malformed version %p', (version) => {
    expect(upcast({ type: 'ClientRegistered', data: {}, metadata: { eventVersion: version } })).toEqual({ readable: false, reason: 'malformed_version', type: 'ClientRegistered', version, known: 1 });
  });

  it('takes the known set it is given: a build that does not know a type refuses it', () => {
    const { TokenRevoked: _, ...withoutTokenRevoked } = EVENT_VERSIONS;
    expect(upcast({ type: 'TokenRevoked', data: {} }, withoutTokenRevoked)).toMatchObject({ readable: false, reason: 'unknown_type' });
    expect(upcast({ type: 'TokenIssued', data: {} }, withoutTokenRevoked).readable).toBe(true);
  });

  it('says so when a known set raises a version this build has no upcaster for', () => {
    expect(() => upcast({ type: 'ClientRegistered', data: {} }, { ClientRegistered: 2 })).toThrow('no upcaster for ClientRegistered v1 to v2');
  });

  it('reads an event from before sealing (plain personal fields) as the current version, unchanged', () => {
    const sealedTypes = ['ConsentGranted', 'ConsentScopesExtended', 'TokenIssued', 'TokenRevoked', 'RefreshTokenIssued', 'RefreshTokenFamilyRevoked', 'UserConsentsRevoked', 'UserNotBeforeSet'];
    for (const type of sealedTypes) {
      const data = { ...ref, reason: 'moved away' };
      expect({ type, version: EVENT_VERSIONS[type as keyof typeof EVENT_VERSIONS] }).toEqual({ type, version: 2 });
      const result = upcast({ type, data, metadata: { eventVersion: 1 } });
      expect(result.readable && result.event.data).toBe(data);
    }
    const v2 = { ...revokedV1, tokensEnded: 2 };
    expect(EVENT_VERSIONS.ConsentRevoked).toBe(3);
    expect(upcast({ type: 'ConsentRevoked', data: v2, metadata: { eventVersion: 2 } })).toEqual({ readable: true, event: { type: 'ConsentRevoked', data: v2 } });
    expect(upcast({ type: 'ConsentScopesRevoked', data: revokedV1, metadata: { eventVersion: 1 } })).toEqual({ readable: true, event: { type: 'ConsentScopesRevoked', data: { ...revokedV1, tokensEnded: 2 } } });
    expect(EVENT_VERSIONS.SubjectErased).toBe(1);
  });
});
