import { DomainError } from './domain-error';
import { notBeforeToSet } from './not-before';

const now = new Date('2025-03-01T12:00:00.000Z');
const error = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
  }
  throw new Error('expected a DomainError');
};

describe('notBeforeToSet: the time a not-before records, or nothing', () => {
  it('absent means now', () => {
    expect(notBeforeToSet(undefined, null, now)).toBe(now.toISOString());
  });

  it('takes a past instant, normalised to UTC milliseconds', () => {
    expect(notBeforeToSet('2025-03-01T13:30:00.123456+02:00', null, now)).toBe('2025-03-01T11:30:00.123Z');
  });

  it('takes now itself, and refuses one millisecond later with not_before_in_future (400)', () => {
    expect(notBeforeToSet(now.toISOString(), null, now)).toBe(now.toISOString());
    const e = error(() => notBeforeToSet('2025-03-01T12:00:00.001Z', null, now));
    expect({ code: e.code, category: e.category }).toEqual({ code: 'not_before_in_future', category: 'validation' });
    expect(e.message).toBe('notBefore 2025-03-01T12:00:00.001Z is in the future (now 2025-03-01T12:00:00.000Z); omit it to mean now');
  });

  it('refuses what is not a time with invalid_not_before', () => {
    expect(error(() => notBeforeToSet('yesterday', null, now)).code).toBe('invalid_not_before');
  });

  it('raises: a later time than the one in force is recorded', () => {
    expect(notBeforeToSet('2025-03-01T11:00:00.000Z', '2025-03-01T10:00:00.000Z', now)).toBe('2025-03-01T11:00:00.000Z');
  });

  it('never lowers: the same time (a retry) or an earlier one changes nothing', () => {
    expect(notBeforeToSet('2025-03-01T10:00:00.000Z', '2025-03-01T10:00:00.000Z', now)).toBeUndefined();
    expect(notBeforeToSet('2025-03-01T09:00:00.000Z', '2025-03-01T10:00:00.000Z', now)).toBeUndefined();
  });

  it('checks the future before the one in force: a future time is refused, not ignored', () => {
    expect(error(() => notBeforeToSet('2025-03-02T00:00:00.000Z', '2025-03-01T10:00:00.000Z', now)).code).toBe('not_before_in_future');
  });
});
