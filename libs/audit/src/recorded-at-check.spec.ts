import type { StoredEvent } from '@ledger/event-store';
import { DEFAULT_RECORDED_AT_TOLERANCE_MS, RecordedAtCheck } from './recorded-at-check';

/**
 * RecordedAtCheck on its own, one event at a time: which finding each recordedAt gets against the chained command
 * time and the event before it, and the exact sentence an auditor reads. recorded-at.spec.ts runs it inside verify.
 */
const D = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
/** recordedAt moved back to 2020-03-01T12:00:00Z: 2191 days before D. */
const SIX_YEARS_EARLY = Date.parse('2020-03-01T12:00:00.000Z') - D;

/** A grant decided at `decided` and recorded `late` ms after it (negative: before). */
const granted = (position: number, decided: number, late: number): StoredEvent => ({
  id: `e${position}`,
  type: 'ConsentGranted',
  stream: 'consent-x',
  revision: position,
  position,
  recordedAt: iso(decided + late),
  data: { consentId: 'cns_x_1', userId: 'ann', clientId: 'app', scopes: ['openid'], grantedAt: iso(decided) },
  metadata: { actor: 't', correlationId: `c${position}` },
});

/** An event that carries no chained time (the publisher lease's): only the order can be checked. */
const lease = (position: number, recordedAt: string): StoredEvent => ({
  id: `e${position}`,
  type: 'LeaseAcquired',
  stream: '$lease',
  revision: position,
  position,
  recordedAt,
  data: { holder: 'a', term: 1 },
  metadata: { actor: 't', correlationId: `c${position}` },
});

/** The message of the one finding a fresh check gives `late` ms away from the chained time, at `toleranceMs`. */
const mismatch = (late: number, toleranceMs: number) => new RecordedAtCheck(toleranceMs, true).check(granted(0, D, late))?.message;
const says = (late: number, by: string, side: 'before' | 'after', tolerance: string) =>
  `recordedAt ${iso(D + late)} is ${by} ${side} the command's chained time ${iso(D)} (tolerance ${tolerance}): recordedAt was changed`;

describe('RecordedAtCheck', () => {
  it('the default tolerance is a minute', () => {
    expect(DEFAULT_RECORDED_AT_TOLERANCE_MS).toBe(60_000);
  });

  describe('recordedAt against the chained command time', () => {
    it('accepts a recordedAt at exactly the tolerance from its command, either side, and names one a millisecond further', () => {
      expect(new RecordedAtCheck(60_000, true).check(granted(0, D, 60_000))).toBeUndefined();
      expect(new RecordedAtCheck(60_000, true).check(granted(0, D, -60_000))).toBeUndefined();
      expect(new RecordedAtCheck(60_000, true).check(granted(0, D, 60_001))).toEqual({ kind: 'recorded_at_mismatch', message: says(60_001, '60 s', 'after', '60 s') });
    });

    it('says whether recordedAt lies before or after the chained time, and by how much', () => {
      expect(mismatch(-90_000, 60_000)).toBe(says(-90_000, '90 s', 'before', '60 s'));
      expect(mismatch(90_000, 60_000)).toBe(says(90_000, '90 s', 'after', '60 s'));
    });

    it('writes a distance, and the tolerance, in the unit that reads best', () => {
      expect(mismatch(999, 0)).toBe(says(999, '999 ms', 'after', '0 ms'));
      expect(mismatch(1_000, 999)).toBe(says(1_000, '1 s', 'after', '999 ms'));
      expect(mismatch(1_250, 1_000)).toBe(says(1_250, '1.3 s', 'after', '1 s'));
      expect(mismatch(119_940, 60_000)).toBe(says(119_940, '119.9 s', 'after', '60 s'));
      expect(mismatch(172_799_000, 7_200_000)).toBe(says(172_799_000, '48 h', 'after', '2 h'));
      expect(mismatch(9_000_000, 7_200_000)).toBe(says(9_000_000, '2.5 h', 'after', '2 h'));
      expect(mismatch(172_800_000, 7_200_000)).toBe(says(172_800_000, '2 days', 'after', '2 h'));
      expect(mismatch(SIX_YEARS_EARLY, 60_000)).toBe(says(SIX_YEARS_EARLY, '2191 days', 'before', '60 s'));
    });

    it('writes minutes from two minutes to two hours, never "0 h" (a tolerance of 150 s is the CLI\'s --recorded-at-tolerance 150)', () => {
      expect(mismatch(120_000, 60_000)).toBe(says(120_000, '2 min', 'after', '60 s'));
      expect(mismatch(200_000, 150_000)).toBe(says(200_000, '3.3 min', 'after', '2.5 min'));
      expect(mismatch(7_194_000, 60_000)).toBe(says(7_194_000, '119.9 min', 'after', '60 s'));
      expect(mismatch(7_200_000, 60_000)).toBe(says(7_200_000, '2 h', 'after', '60 s'));
    });

    it('with an unlimited tolerance names no distance at all', () => {
      expect(mismatch(SIX_YEARS_EARLY, Infinity)).toBeUndefined();
    });

    it('names a recordedAt that is not a time at all', () => {
      const check = new RecordedAtCheck(60_000, true);
      expect(check.check({ ...granted(0, D, 0), recordedAt: 'yesterday' })).toEqual({ kind: 'recorded_at_mismatch', message: 'recordedAt "yesterday" is not a time: it was edited' });
      expect(check.check(lease(1, 'soon'))).toEqual({ kind: 'recorded_at_mismatch', message: 'recordedAt "soon" is not a time: it was edited' });
    });

    it('takes an event without a chained time as it is, since there is nothing to compare', () => {
      expect(new RecordedAtCheck(0, true).check(lease(0, '2020-01-01T00:00:00.000Z'))).toBeUndefined();
    });
  });

  describe('recordedAt along the log', () => {
    it('names a recordedAt earlier than the one before it, with both times and the position before', () => {
      const check = new RecordedAtCheck(60_000, true);
      expect(check.check(granted(4, D, 10))).toBeUndefined();
      expect(check.check(lease(5, iso(D + 9)))).toEqual({
        kind: 'recorded_at_out_of_order',
        message: `recordedAt ${iso(D + 9)} is earlier than ${iso(D + 10)} of position 4 before it: recordedAt was changed (here or there)`,
      });
    });

    it('accepts an equal recordedAt, and an earlier one where the store does not promise the order', () => {
      const ordered = new RecordedAtCheck(60_000, true);
      expect(ordered.check(granted(0, D, 10))).toBeUndefined();
      expect(ordered.check(lease(1, iso(D + 10)))).toBeUndefined();
      const unordered = new RecordedAtCheck(60_000, false);
      expect(unordered.check(granted(0, D, 10))).toBeUndefined();
      expect(unordered.check(lease(1, iso(D - 50_000)))).toBeUndefined();
    });

    it('measures the order against the last event that agreed with its chained time, not against a moved one', () => {
      const check = new RecordedAtCheck(60_000, true);
      expect(check.check(granted(0, D, 0))).toBeUndefined();
      // Moved an hour forward: named as a mismatch, and no baseline for the events after it.
      expect(check.check(granted(1, D + 1, 3_600_000))?.kind).toBe('recorded_at_mismatch');
      expect(check.check(lease(2, iso(D + 5)))).toBeUndefined();
      // An out-of-order event is no baseline either: the next one is measured against position 2.
      expect(check.check(lease(3, iso(D + 1)))?.kind).toBe('recorded_at_out_of_order');
      expect(check.check(lease(4, iso(D + 3)))?.message).toBe(`recordedAt ${iso(D + 3)} is earlier than ${iso(D + 5)} of position 2 before it: recordedAt was changed (here or there)`);
      expect(check.check(lease(5, iso(D + 5)))).toBeUndefined();
    });
  });
});
