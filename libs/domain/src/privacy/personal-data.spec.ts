import { erasedUserId, isErasedUserId, isSealed, openEvent, sealEvent, sealingContext, type Open, type Seal } from './personal-data';

/** A reversible stand-in for the cipher: what it sealed, under which kid and context, is visible in the result. */
const seal: Seal = (plain, kid, context) => `${kid}|${context}|${plain}`;
const open =
  (destroyed: string[] = []): Open =>
  (field, context) => {
    if (destroyed.includes(field.kid)) return undefined;
    const [kid, ctx, plain] = field.enc.split('|');
    expect([kid, ctx]).toEqual([field.kid, context]);
    return plain;
  };

const revoked = () => ({
  id: 'e1',
  data: { consentId: 'cns_x_1', userId: 'alice@example.org', clientId: 'app', reason: 'moved to another city', revokedAt: 't' },
  metadata: { actor: 'frontend', correlationId: 'c', reason: 'moved to another city', clientRequestId: 'req-alice-1', initiator: 'user' },
});

describe('sealing the personal fields of an event', () => {
  it('given an event that names a user, when sealed, then its user id and free text are sealed under that user key, bound to event and field', () => {
    const kids: string[] = [];
    const sealed = sealEvent(revoked(), (userId) => (kids.push(userId), 'k1'), seal);
    expect(kids).toEqual(['alice@example.org']);
    expect(sealed.data).toEqual({
      consentId: 'cns_x_1',
      userId: { enc: `k1|${sealingContext('e1', 'data', 'userId')}|alice@example.org`, kid: 'k1' },
      clientId: 'app',
      reason: { enc: `k1|e1\u0000data.reason|moved to another city`, kid: 'k1' },
      revokedAt: 't',
    });
    expect(sealed.metadata).toEqual({
      actor: 'frontend',
      correlationId: 'c',
      initiator: 'user',
      reason: { enc: 'k1|e1\u0000metadata.reason|moved to another city', kid: 'k1' },
      clientRequestId: { enc: 'k1|e1\u0000metadata.clientRequestId|req-alice-1', kid: 'k1' },
    });
    expect(sealed.id).toBe('e1');
  });

  it('given an event that names no user, when sealed, then it is stored as it is, without asking for a key', () => {
    const event = { id: 'e2', data: { clientId: 'app', reason: 'abuse' }, metadata: { actor: 'a', correlationId: 'c', reason: 'abuse' } };
    expect(sealEvent(event, () => fail('no key'), seal)).toBe(event);
  });

  it('given a null reason, when sealed, then it stays null (only strings are sealed)', () => {
    const event = { id: 'e3', data: { userId: 'bob', reason: null }, metadata: { actor: 'a', correlationId: 'c' } };
    const sealed = sealEvent(event, () => 'k', seal);
    expect(sealed.data.reason).toBeNull();
    expect(sealed.metadata).toEqual({ actor: 'a', correlationId: 'c' });
  });

  it('never changes the event it was given', () => {
    const event = revoked();
    sealEvent(event, () => 'k1', seal);
    expect(event).toEqual(revoked());
  });
});

describe('opening a stored event', () => {
  it('given fields sealed under a live key, when opened, then readers see the event as it was', () => {
    const sealed = sealEvent(revoked(), () => 'k1', seal);
    expect(openEvent(sealed, open())).toEqual(revoked());
  });

  it('given the key was destroyed, when opened, then the user reads as its pseudonym, free text as null or absent, and the data says erased', () => {
    const opened = openEvent(sealEvent(revoked(), () => 'k1', seal), open(['k1']));
    expect(opened.data).toEqual({ consentId: 'cns_x_1', userId: erasedUserId('k1'), clientId: 'app', reason: null, revokedAt: 't', erased: true });
    expect(opened.metadata).toEqual({ actor: 'frontend', correlationId: 'c', initiator: 'user' });
  });

  it('given an event stored before sealing (plain fields), when opened, then it is the same object', () => {
    const plain = revoked();
    expect(openEvent(plain, () => fail('nothing to open'))).toBe(plain);
  });

  it('given only the metadata sealed, when opened, then the data is kept as it is', () => {
    const event = { id: 'e4', data: { userId: 'carol' }, metadata: { actor: 'a', correlationId: 'c', reason: { enc: 'k|e4\u0000metadata.reason|why', kid: 'k' } } };
    const opened = openEvent(event, open());
    expect(opened.data).toBe(event.data);
    expect(opened.metadata.reason).toBe('why');
  });
});

describe('the sealed shape and the pseudonym', () => {
  it('is exactly an enc and a kid, both strings', () => {
    expect(isSealed({ enc: 'x', kid: 'k' })).toBe(true);
    for (const v of [null, 'x', 3, [], ['x', 'k'], { enc: 'x' }, { kid: 'k' }, { enc: 1, kid: 'k' }, { enc: 'x', kid: 2 }, { enc: 'x', kid: 'k', more: 1 }]) expect(isSealed(v)).toBe(false);
  });

  it('a pseudonym names the key and cannot be a user id a request could name', () => {
    expect(erasedUserId('abc')).toBe('~erased:abc');
    expect(isErasedUserId('~erased:abc')).toBe(true);
    expect(isErasedUserId('alice')).toBe(false);
    expect(isErasedUserId('x~erased:abc')).toBe(false);
    expect(isErasedUserId(undefined)).toBe(false);
  });
});
