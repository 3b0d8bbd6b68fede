import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { inspect } from 'node:util';
import type { StoredEvent } from '@ledger/event-store';
import { evolveSsfStream, initialSsfStreamState, LiveSsfStream, readSsfStreamEvent, SSF_EVENTS_SUPPORTED, SsfStreamEvent } from '@ledger/domain';
import { jtiOf, positionOfJti, revocationSet, streamSet } from './security-event';
import { selectSets } from './set-selection';
import { SetSigner } from './set-signer';

const streamId = 'ssf_0123456789abcdef0123456789abcdef';
const at = '2026-01-02T03:04:05.678Z';
let position = 100;
const stored = (type: string, data: Record<string, unknown>, stream = 'consent-x', initiator: 'user' | 'admin' = 'admin'): StoredEvent => ({
  id: `evt-${position}`,
  type,
  stream,
  revision: 0,
  position: position++,
  recordedAt: at,
  data,
  metadata: { actor: 'staff', correlationId: 'c', initiator },
});
const own = (type: SsfStreamEvent['type'], data: Record<string, unknown>) => stored(type, { streamId, ...data }, `ssf-stream-${streamId}`);
const created = () => own('SsfStreamCreated', { receiver: 'partner', deliveryMethod: 'urn:ietf:rfc:8936', eventsRequested: [...SSF_EVENTS_SUPPORTED], eventsDelivered: [...SSF_EVENTS_SUPPORTED], description: null, createdAt: at });
const fold = (events: StoredEvent[]) => events.reduce((s, e) => evolveSsfStream(s, readSsfStreamEvent(e)), initialSsfStreamState()) as LiveSsfStream;
const ctx = (stream: LiveSsfStream) => ({ issuer: 'https://ledger.example', audience: 'partner', stream });
const revoked = (userId: string, clientId: string, extra: Record<string, unknown> = {}) =>
  stored('ConsentRevoked', { consentId: `cns_${userId}`, userId, clientId, revokedScopes: ['openid'], revokedAt: at, reason: null, ...extra });
const subject = (s: Record<string, unknown>) => own('SsfSubjectAdded', { subject: s, key: JSON.stringify(s), addedAt: at });
async function* iterate(events: StoredEvent[]) {
  yield* events;
}

describe('SETs from the log', () => {
  it('a jti names its stream and log position, and only ours parse', () => {
    expect(jtiOf(streamId, 42)).toBe(`${streamId}-42`);
    expect(positionOfJti(streamId, `${streamId}-42`)).toBe(42);
    expect(positionOfJti(streamId, `${streamId}-0`)).toBe(0);
    for (const jti of [`${streamId}-042`, `${streamId}-`, `ssf_ffffffffffffffffffffffffffffffff-42`, `x${streamId}-42`, `${streamId}-42x`, 42, undefined]) expect(positionOfJti(streamId, jti)).toBeUndefined();
  });

  it('maps a consent revocation to CAEP session-revoked about the user at the client, with the RFC 8417 envelope', () => {
    const stream = fold([created()]);
    const e = revoked('alice', 'web', { reason: 'left' });
    expect(revocationSet(e, ctx(stream))).toEqual({
      userId: 'alice',
      clientId: 'web',
      eventType: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
      claims: {
        iss: 'https://ledger.example',
        iat: Math.floor(Date.parse(at) / 1000),
        jti: `${streamId}-${e.position}`,
        aud: 'partner',
        txn: e.id,
        log_position: e.position,
        sub_id: { format: 'complex', user: { format: 'opaque', id: 'alice' }, application: { format: 'opaque', id: 'web' } },
        events: { 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': { event_timestamp: Math.floor(Date.parse(at) / 1000), initiating_entity: 'admin', reason_admin: { en: 'left' } } },
      },
    });
    // The fan-out of a user-wide revocation was announced once, as the user's: not again per consent.
    expect(revocationSet(revoked('alice', 'web', { userRevocation: 1 }), ctx(stream))).toBeUndefined();
    expect(revocationSet(stored('TokenIssued', {}), ctx(stream))).toBeUndefined();
  });

  it('scopes, tokens, clients, users and the ledger each get their type and subject', () => {
    const c = ctx(fold([created()]));
    const first = (e: StoredEvent) => {
      const set = revocationSet(e, c)!;
      return [set.eventType.split('/').pop()!.split(':').pop(), set.claims.sub_id, Object.values(set.claims.events)[0]];
    };
    const t = Math.floor(Date.parse(at) / 1000);
    expect(first(stored('ConsentScopesRevoked', { consentId: 'c', userId: 'alice', clientId: 'web', revokedScopes: ['email'], remainingScopes: ['openid', 'profile'], revokedAt: at, reason: null }))).toEqual([
      'token-claims-change',
      { format: 'complex', user: { format: 'opaque', id: 'alice' }, application: { format: 'opaque', id: 'web' } },
      { event_timestamp: t, initiating_entity: 'admin', claims: { scope: 'openid profile' }, revoked_scopes: ['email'] },
    ]);
    expect(first(stored('TokenRevoked', { consentId: 'c', userId: 'alice', clientId: 'web', tokenId: 'tok_1', tokenHash: 'ab', revokedAt: at, reason: null }))).toEqual([
      'token-revoked',
      { format: 'complex', user: { format: 'opaque', id: 'alice' }, application: { format: 'opaque', id: 'web' } },
      { event_timestamp: t, initiating_entity: 'admin', token_id: 'tok_1', token_hash: 'ab' },
    ]);
    expect(first(stored('ClientDisabled', { clientId: 'web', disabledAt: at, reason: null }))).toEqual(['client-disabled', { format: 'complex', application: { format: 'opaque', id: 'web' } }, { event_timestamp: t, initiating_entity: 'admin' }]);
    expect(first(stored('ClientScopesRevoked', { clientId: 'web', revokedScopes: ['email'], allowedScopes: ['openid'], revokedAt: at, reason: null }))).toEqual([
      'client-scopes-revoked',
      { format: 'complex', application: { format: 'opaque', id: 'web' } },
      { event_timestamp: t, initiating_entity: 'admin', revoked_scopes: ['email'] },
    ]);
    expect(first(stored('UserConsentsRevoked', { userId: 'alice', revocation: 1, consentsEnded: 2, revokedAt: at, reason: null }, 'user-x', 'user'))).toEqual(['session-revoked', { format: 'opaque', id: 'alice' }, { event_timestamp: t, initiating_entity: 'user' }]);
    expect(first(stored('UserNotBeforeSet', { userId: 'alice', notBefore: '2026-01-01T00:00:00Z', setAt: at, reason: null }))).toEqual(['not-before', { format: 'opaque', id: 'alice' }, { event_timestamp: t, initiating_entity: 'admin', not_before: 1767225600 }]);
    expect(first(stored('LedgerNotBeforeSet', { notBefore: '2026-01-01T00:00:00Z', setAt: at, reason: null }))).toEqual(['not-before', { format: 'complex', tenant: { format: 'opaque', id: 'ledger' } }, { event_timestamp: t, initiating_entity: 'admin', not_before: 1767225600 }]);
    expect(first(stored('ClientNotBeforeSet', { clientId: 'web', notBefore: '2026-01-01T00:00:00Z', setAt: at, reason: null }))).toEqual(['not-before', { format: 'complex', application: { format: 'opaque', id: 'web' } }, { event_timestamp: t, initiating_entity: 'admin', not_before: 1767225600 }]);
  });

  it('the stream\'s own SETs: verification with its state, stream-updated for status and configuration', () => {
    const stream = fold([created()]);
    const ev = (e: StoredEvent) => streamSet(e, ctx(stream))?.events;
    const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';
    expect(streamSet(own('SsfVerificationRequested', { state: 'n1', requestedAt: at }), ctx(stream))).toMatchObject({ sub_id: { format: 'opaque', id: streamId }, aud: 'partner' });
    expect(ev(own('SsfVerificationRequested', { state: 'n1', requestedAt: at }))).toEqual({ [`${SSF}verification`]: { state: 'n1' } });
    expect(ev(own('SsfVerificationRequested', { state: null, requestedAt: at }))).toEqual({ [`${SSF}verification`]: {} });
    expect(ev(own('SsfStreamStatusChanged', { status: 'paused', reason: 'why', changedAt: at }))).toEqual({ [`${SSF}stream-updated`]: { status: 'paused', reason: 'why' } });
    expect(ev(own('SsfStreamStatusChanged', { status: 'enabled', reason: null, changedAt: at }))).toEqual({ [`${SSF}stream-updated`]: { status: 'enabled' } });
    expect(ev(own('SsfStreamConfigured', { updatedAt: at }))).toEqual({ [`${SSF}stream-updated`]: { status: 'enabled', reason: `configuration updated at ${at}` } });
    expect(ev(own('SsfSubjectAdded', {}))).toBeUndefined();
  });
});

describe('selectSets', () => {
  const alice = { format: 'opaque', id: 'alice' };
  const select = (history: StoredEvent[], log: StoredEvent[], options: { acknowledging?: number[]; max?: number; entitlement?: readonly string[] | '*' } = {}) =>
    selectSets({ issuer: 'https://ledger.example', audience: 'partner', entitlement: options.entitlement ?? ['web'], history, log: iterate(log), acknowledging: new Set(options.acknowledging ?? []), max: options.max ?? 10 });

  it('what each revocation met: subjects, entitlement and status at its place in the log', async () => {
    const history = [created(), subject(alice)];
    const log = [revoked('alice', 'web'), revoked('bob', 'web'), revoked('alice', 'files')];
    const paused = own('SsfStreamStatusChanged', { status: 'paused', reason: null, changedAt: at });
    const heldWhilePaused = revoked('alice', 'web');
    const disabled = own('SsfStreamStatusChanged', { status: 'disabled', reason: null, changedAt: at });
    const droppedWhileDisabled = revoked('alice', 'web');
    const enabled = own('SsfStreamStatusChanged', { status: 'enabled', reason: null, changedAt: at });
    const beforeItsSubject = revoked('carol', 'web');
    const carol = subject({ format: 'opaque', id: 'carol' });
    const afterItsSubject = revoked('carol', 'web');
    history.push(paused, disabled, enabled, carol);
    const all = [...log, paused, heldWhilePaused, disabled, droppedWhileDisabled, enabled, beforeItsSubject, carol, afterItsSubject].sort((a, b) => a.position - b.position);
    const { sets, through } = await select(history, all);
    expect(sets.map((s) => s.log_position)).toEqual([log[0].position, paused.position, heldWhilePaused.position, disabled.position, enabled.position, afterItsSubject.position]);
    expect(through).toBe(-1);
    // Events before the stream existed are not the stream's to pass.
    expect((await select(history.slice(1), [history[0], ...all])).passed).toBe(0);
  });

  it('skips what is acknowledged, stops at max, and moves `through` up to the first SET still owed', async () => {
    const history = [created(), subject(alice)];
    const log = [revoked('bob', 'web'), revoked('alice', 'web'), revoked('alice', 'web'), revoked('bob', 'web'), revoked('alice', 'web')];
    const first = await select(history, log, { max: 1 });
    expect(first.sets.map((s) => s.log_position)).toEqual([log[1].position]);
    expect(first.through).toBe(log[0].position);
    expect(first.passed).toBe(1);
    const acked = await select(history, log, { acknowledging: [log[1].position] });
    expect(acked.sets.map((s) => s.log_position)).toEqual([log[2].position, log[4].position]);
    expect(acked.through).toBe(log[1].position);
    const gap = await select(history, log, { acknowledging: [log[2].position] });
    expect(gap.sets.map((s) => s.log_position)).toEqual([log[1].position, log[4].position]);
    expect(gap.through).toBe(log[0].position);
    expect(acked.passed).toBe(2);
    const done = await select([...history, own('SsfSetsAcknowledged', { positions: [log[1].position, log[2].position], errors: [], through: -1, acknowledgedAt: at })], log, { acknowledging: [log[4].position] });
    expect(done).toEqual({ sets: [], through: log[4].position, passed: 5 });
  });

  it('events_delivered and the entitlement filter; other streams\' events are not ours', async () => {
    const history = [created(), subject(alice)];
    const other = stored('SsfVerificationRequested', { streamId: 'ssf_ffffffffffffffffffffffffffffffff', state: null, requestedAt: at }, 'ssf-stream-ssf_ffffffffffffffffffffffffffffffff');
    const log = [revoked('alice', 'files'), other, stored('ClientDisabled', { clientId: 'web', disabledAt: at, reason: null })];
    const narrow = own('SsfStreamConfigured', { deliveryMethod: 'urn:ietf:rfc:8936', eventsRequested: [], eventsDelivered: [], description: null, updatedAt: at });
    const after = stored('ClientDisabled', { clientId: 'web', disabledAt: at, reason: null });
    expect((await select(history, log)).sets.map((s) => s.log_position)).toEqual([log[2].position]);
    expect((await select(history, log, { entitlement: '*' })).sets.map((s) => s.log_position)).toEqual([log[0].position, log[2].position]);
    expect((await select([...history, narrow], [...log, narrow, after])).sets.slice(1).map((s) => Object.keys(s.events)[0])).toEqual(['https://schemas.openid.net/secevent/ssf/event-type/stream-updated']);
  });
});

/** A signer's kid depends on the public half only, so a public key stands in for its private one here. */
const asSigningKey = (publicKey: ReturnType<typeof createPublicKey>) => publicKey;

describe('SetSigner', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signer = new SetSigner(privateKey);

  it('signs RS256 with typ secevent+jwt under its RFC 7638 kid, verifiable with the published key', () => {
    const claims = { iss: 'i', iat: 1, jti: 'j', aud: 'a', txn: 't', log_position: 1, sub_id: {}, events: {} };
    const jwt = signer.sign(claims);
    const [h, p, s] = jwt.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'secevent+jwt', kid: signer.jwk.kid });
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual(claims);
    const publicKey = createPublicKey({ key: { kty: 'RSA', n: signer.jwk.n, e: signer.jwk.e }, format: 'jwk' });
    expect(verify('RSA-SHA256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))).toBe(true);
    expect(signer.sign(claims)).toBe(jwt);
    expect(signer.jwk).toEqual({ kty: 'RSA', n: expect.any(String), e: 'AQAB', kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), alg: 'RS256', use: 'sig' });
  });

  it('publishes the signing key first, then the keys kept for an overlap, each once', () => {
    const previous = createPublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    const rotated = new SetSigner(privateKey, [previous, createPublicKey(privateKey)]);
    expect(rotated.jwks.keys.map((k) => k.kid)).toEqual([signer.jwk.kid, new SetSigner(asSigningKey(previous)).jwk.kid]);
    expect(signer.jwks).toEqual({ keys: [signer.jwk] });
    expect(() => new SetSigner(privateKey, [createPublicKey(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey)])).toThrow('at least 2048 bits');
  });

  it('never shows the private key, and refuses a weak or non-RSA one', () => {
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(JSON.stringify({ signer })).not.toContain(pem.split('\n')[1]);
    expect(inspect(signer)).toBe(`[SET signing key ${signer.jwk.kid}]`);
    expect(() => new SetSigner(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey)).toThrow('at least 2048 bits');
    expect(() => new SetSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow('RSA');
  });
});
