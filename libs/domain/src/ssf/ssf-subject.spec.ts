import { DomainError } from '../shared/domain-error';
import { assertEntitled, entitles, parseSubject, restoreSubject, storeSubject, subjectCovers, subjectKey, subjectParts } from './ssf-subject';

const o = (id: string) => ({ format: 'opaque', id });

describe('SSF subjects', () => {
  it('parses a user (opaque), a user of a client and a client (complex)', () => {
    expect(parseSubject(o('alice'))).toEqual(o('alice'));
    expect(parseSubject({ format: 'complex', user: o('alice'), application: o('web') })).toEqual({ format: 'complex', user: o('alice'), application: o('web') });
    expect(parseSubject({ format: 'complex', user: o('alice') })).toEqual({ format: 'complex', user: o('alice') });
    expect(parseSubject({ format: 'complex', application: o('web') })).toEqual({ format: 'complex', application: o('web') });
  });

  it.each([
    [null, 'subject must be an object'],
    [[o('a')], 'subject must be an object'],
    ['alice', 'subject must be an object'],
    [{ format: 'email', email: 'a@example.org' }, 'subject.format must be "opaque" or "complex"'],
    [{ format: 'opaque' }, 'subject.id must be a ledger id'],
    [{ format: 'opaque', id: '' }, 'subject.id must be a ledger id'],
    [{ format: 'opaque', id: 'a b' }, 'subject.id must be a ledger id'],
    [{ format: 'opaque', id: 'a', extra: 1 }, 'subject has unknown members: extra'],
    [{ format: 'complex' }, 'a complex subject names a user, an application, or both'],
    [{ format: 'complex', user: o('a'), tenant: o('t'), group: o('g') }, 'subject has unknown members: tenant, group'],
    [{ format: 'complex', user: { format: 'opaque', id: 'a', x: 1, y: 2 } }, 'subject.user has unknown members: x, y'],
    [{ format: 'complex', user: { format: 'email', email: 'a@example.org' } }, 'subject.user.format must be "opaque"'],
    [{ format: 'complex', user: 'alice' }, 'subject.user must be an object'],
    [{ format: 'complex', user: null }, 'subject.user must be an object'],
    [{ format: 'complex', user: [o('a')] }, 'subject.user must be an object'],
    [{ format: 'complex', application: o('not a client') }, 'subject.application.id must be a ledger id'],
    [{ format: 'complex', application: o('@web') }, 'subject.application.id must be a ledger id'],
  ])('refuses %j: %s', (value, detail) => {
    let error: unknown;
    try {
      parseSubject(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'invalid_subject', category: 'validation' });
    expect((error as Error).message).toContain(detail);
  });

  it('keys a subject by what it names, whatever its format', () => {
    expect(subjectKey({ format: 'opaque', id: 'alice' })).toBe(subjectKey({ format: 'complex', user: { format: 'opaque', id: 'alice' } }));
    expect(subjectKey({ format: 'complex', application: { format: 'opaque', id: 'web' } })).toBe('\u0000c:web');
    expect(subjectParts({ format: 'complex', application: { format: 'opaque', id: 'web' } })).toEqual({ userId: null, clientId: 'web' });
  });

  it('stores a subject without its user id, which goes apart (to be sealed), and rebuilds it from the id as read', () => {
    const user = { format: 'opaque' as const, id: 'alice' };
    const web = { format: 'opaque' as const, id: 'web' };
    const cases = [
      [user, { userId: 'alice', subject: { format: 'opaque' } }],
      [{ format: 'complex' as const, user }, { userId: 'alice', subject: { format: 'complex', user: { format: 'opaque' } } }],
      [{ format: 'complex' as const, user, application: web }, { userId: 'alice', subject: { format: 'complex', user: { format: 'opaque' }, application: web } }],
      [{ format: 'complex' as const, application: web }, { subject: { format: 'complex', application: web } }],
    ] as const;
    for (const [subject, stored] of cases) {
      expect(storeSubject(subject)).toStrictEqual(stored);
      expect(JSON.stringify(storeSubject(subject).subject)).not.toContain('alice');
      expect(restoreSubject(storeSubject(subject).subject, storeSubject(subject).userId)).toStrictEqual(subject);
    }
    expect(restoreSubject({ format: 'opaque' }, '~erased:k1')).toStrictEqual({ format: 'opaque', id: '~erased:k1' });
    // A user's subject stored without its id (no such event is written) names no one rather than failing the fold.
    expect(restoreSubject({ format: 'complex', user: { format: 'opaque' } }, undefined)).toStrictEqual({ format: 'complex', user: { format: 'opaque', id: '' } });
  });

  it('entitlement: a list or every client; a subject without a client is always entitled', () => {
    expect([entitles('*', 'x'), entitles(['web'], 'web'), entitles(['web'], 'files')]).toEqual([true, true, false]);
    expect(() => assertEntitled({ format: 'opaque', id: 'alice' }, [])).not.toThrow();
    expect(() => assertEntitled({ format: 'complex', application: { format: 'opaque', id: 'files' } }, ['web'])).toThrow(
      new DomainError('subject_not_entitled', 'forbidden', 'This receiver is not entitled to the client the subject names'),
    );
  });

  it('which revocations a subject hears of', () => {
    const user = { format: 'opaque' as const, id: 'alice' };
    const pair = { format: 'complex' as const, user, application: { format: 'opaque' as const, id: 'web' } };
    const client = { format: 'complex' as const, application: { format: 'opaque' as const, id: 'web' } };
    const cases: Array<[string | null, string | null]> = [
      ['alice', 'web'], // a consent or token of alice at web
      ['alice', 'files'], // ... at another client
      ['bob', 'web'], // another user's, at web
      ['alice', null], // alice's user-wide revocation
      [null, 'web'], // web's client-wide one
      [null, 'files'],
      [null, null], // the ledger-wide not-before
    ];
    const hears = (subject: typeof user | typeof pair | typeof client) => cases.map(([u, c]) => subjectCovers(subject, u, c));
    expect(hears(user)).toEqual([true, true, false, true, true, true, true]);
    expect(hears(pair)).toEqual([true, false, false, true, true, false, true]);
    expect(hears(client)).toEqual([true, false, true, false, true, false, true]);
    const erased = { format: 'opaque' as const, id: '~erased:k1' };
    expect(hears(erased)).toEqual(cases.map(() => false));
    expect(hears({ format: 'complex', user: erased, application: pair.application } as typeof pair)).toEqual(cases.map(() => false));
    expect(subjectCovers(erased, '~erased:k1', 'web')).toBe(false);
  });
});
