import { CLIENT_ID, clientEvents as e, secretHash, secretId } from '../testing/client-events';
import { DeciderSpecification, stateAfter } from '../testing/decider-spec';
import { AddClientSecret } from './add-client-secret';
import { clientDecider } from './client.decider';
import { CLIENT_SECRET_ID_PATTERN, CLIENT_SECRET_PATTERN, hashClientSecret, MAX_VALID_SECRETS, secretStatus, validSecrets } from './client-secrets';

const clientId = CLIENT_ID;
const add = (name: string, overlapSeconds = 86_400): AddClientSecret => ({
  type: 'AddClientSecret',
  data: { clientId, secretId: secretId(name), secretHash: secretHash(name), overlapSeconds },
});

describe('AddClientSecret', () => {
  const spec = DeciderSpecification.for(clientDecider);

  it('adds the first secret: ClientSecretAdded with its id and hash, never the secret, and supersedes nothing', () => {
    spec.given([e.registered()]).when(add('first')).then([e.secretAdded('first')]);
  });

  it('rotates: the secret valid until now is superseded and keeps authenticating for the overlap window', () => {
    spec
      .given([e.registered(), e.secretAdded('first', -3600)])
      .when(add('second', 600))
      .then([e.secretAdded('second'), e.secretsSuperseded(['first'], 'second', 600)]);
  });

  it('rotates with overlapSeconds 0: the previous secret ends at once', () => {
    const events = spec.given([e.registered(), e.secretAdded('first', -3600)]).when(add('second', 0)).events();
    expect(events).toEqual([e.secretAdded('second'), e.secretsSuperseded(['first'], 'second', 0)]);
    const state = stateAfter(clientDecider, [e.registered(), e.secretAdded('first', -3600), ...events]);
    expect(state.status !== 'unregistered' && validSecrets(state, Date.parse(e.secretAdded('x').data.addedAt)).map((s) => s.secretId)).toEqual([secretId('second')]);
  });

  it('never extends a window: a secret that ends before the new window is not named again', () => {
    spec
      .given([e.registered(), e.secretAdded('a', -7200), e.secretAdded('b', -60), e.secretsSuperseded(['a'], 'b', 60, -60)])
      .when(add('c', 600))
      .then([e.secretAdded('c'), e.secretsSuperseded(['b'], 'c', 600)]);
  });

  it('shortens a window that a longer rotation left open', () => {
    spec
      .given([e.registered(), e.secretAdded('a', -7200), e.secretAdded('b', -60), e.secretsSuperseded(['a'], 'b', 86_340, -60)])
      .when(add('c', 0))
      .then([e.secretAdded('c'), e.secretsSuperseded(['a', 'b'], 'c', 0)]);
  });

  it('leaves a window that ends exactly when the new one would alone', () => {
    spec
      .given([e.registered(), e.secretAdded('a', -7200), e.secretAdded('b', -60), e.secretsSuperseded(['a'], 'b', 600, -60)])
      .when(add('c', 600))
      .then([e.secretAdded('c'), e.secretsSuperseded(['b'], 'c', 600)]);
  });

  it('leaves revoked and expired secrets out of the rotation', () => {
    spec
      .given([e.registered(), e.secretAdded('a', -7200), e.secretAdded('b', -3600), e.secretsSuperseded(['a'], 'b', -60, -3600), e.secretRevoked('b', -30)])
      .when(add('c'))
      .then([e.secretAdded('c')]);
  });

  it(`refuses a secret that would make more than ${MAX_VALID_SECRETS} valid at once: 409 client_secret_limit; overlapSeconds 0 always rotates`, () => {
    const names = ['s1', 's2', 's3', 's4', 's5'];
    // Each rotation within the window of the one before: all five stay valid.
    const history = [e.registered(), ...names.map((n, i) => e.secretAdded(n, -500 + i))];
    const error = spec.given(history).when(add('s6')).thenThrows('client_secret_limit', 'conflict');
    expect(error.details).toEqual({ validSecrets: 5, limit: 5 });
    expect(error.message).toBe('Client transfer-app has 5 secrets valid past this rotation; revoke one, or rotate with overlapSeconds 0');
    // The fifth is still one too few.
    spec.given(history.slice(0, 5)).when(add('s5')).then([e.secretAdded('s5'), e.secretsSuperseded(names.slice(0, 4), 's5', 86_400)]);
    spec.given(history).when(add('s6', 0)).then([e.secretAdded('s6'), e.secretsSuperseded(names, 's6', 0)]);
  });

  it('gives a disabled client a secret (it authenticates with none until enabled); refuses unknown and deleted clients', () => {
    spec.given([e.registered(), e.disabled(-60)]).when(add('first')).then([e.secretAdded('first')]);
    spec.given([]).when(add('first')).thenThrows('client_not_found', 'not_found');
    spec.given([e.registered(), e.disabled(-60), e.deleted(-60)]).when(add('first')).thenThrows('client_deleted', 'conflict');
  });

  it.each([-1, 604_801, 1.5, Number.NaN])('refuses overlapSeconds %p: invalid_overlap', (overlap) => {
    const error = spec.given([e.registered()]).when(add('first', overlap)).thenThrows('invalid_overlap', 'validation');
    expect(error.message).toBe('overlapSeconds must be a whole number of seconds from 0 to 604800');
  });

  it('takes a week of overlap, the longest', () => {
    spec.given([e.registered(), e.secretAdded('a', -60)]).when(add('b', 604_800)).then([e.secretAdded('b'), e.secretsSuperseded(['a'], 'b', 604_800)]);
  });

  it('treats anything but a generated id and a SHA-256 hash as a bug: a raw secret never gets this far', () => {
    const raw = { ...add('first'), data: { ...add('first').data, secretHash: 'lcs_' + 'a'.repeat(43) } };
    expect(() => clientDecider.decide(raw, stateAfter(clientDecider, [e.registered()]), { now: new Date(), actor: 'a', correlationId: 'c', initiator: 'user' })).toThrow('SHA-256');
    const badId = { ...add('first'), data: { ...add('first').data, secretId: 'mine' } };
    expect(() => clientDecider.decide(badId, stateAfter(clientDecider, [e.registered()]), { now: new Date(), actor: 'a', correlationId: 'c', initiator: 'user' })).toThrow('generated');
    expect(() => spec.given([e.registered(), e.secretAdded('first', -60)]).when(add('first')).events()).toThrow('already taken');
  });

  it('hashes a secret as SHA-256 hex of its UTF-8 bytes', () => {
    expect(hashClientSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('knows a generated secret and a secret id by their whole shape', () => {
    const body = 'aZ09_-'.repeat(7) + 'x';
    expect(CLIENT_SECRET_PATTERN.test(`lcs_${body}`)).toBe(true);
    for (const s of [`xlcs_${body}`, `lcs_${body}x`, `lcs_${body.slice(1)}`, `lcs_${'!'.repeat(43)}`, `lcs_${body.slice(0, 42)}=`]) expect({ s, ok: CLIENT_SECRET_PATTERN.test(s) }).toEqual({ s, ok: false });
    const id = `sec_${'0a'.repeat(16)}`;
    expect(CLIENT_SECRET_ID_PATTERN.test(id)).toBe(true);
    for (const s of [`x${id}`, `${id}0`, id.slice(0, -1), id.toUpperCase().replace('SEC_', 'sec_')]) expect({ s, ok: CLIENT_SECRET_ID_PATTERN.test(s) }).toEqual({ s, ok: false });
    const state = stateAfter(clientDecider, [e.registered()]);
    const meta = { now: new Date(), actor: 'a', correlationId: 'c', initiator: 'user' as const };
    for (const bad of [`x${secretHash('a')}`, `${secretHash('a')}0`]) {
      expect(() => clientDecider.decide({ ...add('first'), data: { ...add('first').data, secretHash: bad } }, state, meta)).toThrow('SHA-256');
    }
    for (const bad of [`x${secretId('a')}`, `${secretId('a')}0`]) {
      expect(() => clientDecider.decide({ ...add('first'), data: { ...add('first').data, secretId: bad } }, state, meta)).toThrow('generated');
    }
  });

  it('evolve: secrets with their windows and revocations, updatedAt the last change, statuses by the time asked', () => {
    const state = stateAfter(clientDecider, [e.registered(), e.secretAdded('a', -100), e.secretAdded('b', -50), e.secretsSuperseded(['a'], 'b', 50, -50), e.secretAdded('c', -10), e.secretRevoked('c', -5)]);
    if (state.status === 'unregistered') throw new Error('registered');
    expect(state.updatedAt).toBe(e.secretRevoked('c', -5).data.revokedAt);
    expect(state.secrets).toEqual([
      { secretId: secretId('a'), addedAt: e.secretAdded('a', -100).data.addedAt, validUntil: e.secretsSuperseded([], 'b', 50).data.validUntil, revokedAt: null },
      { secretId: secretId('b'), addedAt: e.secretAdded('b', -50).data.addedAt, validUntil: null, revokedAt: null },
      { secretId: secretId('c'), addedAt: e.secretAdded('c', -10).data.addedAt, validUntil: null, revokedAt: e.secretRevoked('c', -5).data.revokedAt },
    ]);
    const now = Date.parse(e.secretAdded('x').data.addedAt);
    expect(state.secrets.map((s) => secretStatus(s, now))).toEqual(['expiring', 'active', 'revoked']);
    expect(state.secrets.map((s) => secretStatus(s, now + 50_000))).toEqual(['expired', 'active', 'revoked']);
    expect(state.secrets.map((s) => secretStatus(s, now + 49_999))).toEqual(['expiring', 'active', 'revoked']);
    expect(JSON.stringify(state)).not.toContain(secretHash('a'));
  });

  it('evolve: a window never grows, whatever order the events come in; a second revocation keeps the first time', () => {
    const windowOf = (...events: Parameters<typeof stateAfter>[1]) => {
      const state = stateAfter(clientDecider, [e.registered(), e.secretAdded('a', -100), ...(events as never[])]);
      return state.status === 'unregistered' ? undefined : state.secrets[0];
    };
    const until = (s: number) => e.secretsSuperseded([], 'b', s).data.validUntil;
    expect(windowOf(e.secretsSuperseded(['a'], 'b', 600), e.secretsSuperseded(['a'], 'c', 1200))?.validUntil).toBe(until(600));
    expect(windowOf(e.secretsSuperseded(['a'], 'b', 1200), e.secretsSuperseded(['a'], 'c', 600))?.validUntil).toBe(until(600));
    expect(windowOf(e.secretsSuperseded(['a'], 'b', 600), e.secretsSuperseded(['a'], 'c', 600))?.validUntil).toBe(until(600));
    expect(windowOf(e.secretsSuperseded(['b'], 'c', 600))?.validUntil).toBeNull();
    expect(windowOf(e.secretRevoked('a', -50), e.secretRevoked('a', -10))?.revokedAt).toBe(e.secretRevoked('a', -50).data.revokedAt);
  });
});
