import {
  decideLease,
  defaultLeaseTiming,
  holdUntil,
  LeaseRecord,
  observe,
  parseLeaseRecord,
  validateLeaseTiming,
} from './lease-decision';

const record = (over: Partial<LeaseRecord> = {}): LeaseRecord => ({
  holder: 'a',
  term: 3,
  ttlMs: 10_000,
  renewIntervalMs: 2_000,
  released: false,
  ...over,
});

describe('lease decision', () => {
  describe('given no lease stream yet', () => {
    it('acquires it with no_stream at term 1', () => {
      expect(decideLease(undefined, 'b', 0)).toEqual({ action: 'acquire', expectedRevision: 'no_stream', term: 1, reason: 'vacant' });
    });
  });

  describe('given a lease held by this instance', () => {
    it('renews it at the observed revision, keeping the term', () => {
      const observed = { revision: 7, record: record({ holder: 'a' }), sinceMs: 0 };
      expect(decideLease(observed, 'a', 50_000)).toEqual({ action: 'renew', expectedRevision: 7, term: 3 });
    });
  });

  describe('given a lease held by another instance', () => {
    const observed = { revision: 7, record: record({ holder: 'a' }), sinceMs: 1_000 };

    it('waits while the same revision has stood for less than the ttl, and says how long is left', () => {
      expect(decideLease(observed, 'b', 1_000)).toEqual({ action: 'wait', holder: 'a', retryInMs: 10_000 });
      expect(decideLease(observed, 'b', 10_999)).toEqual({ action: 'wait', holder: 'a', retryInMs: 1 });
    });

    it('takes over once the same revision has stood for the whole ttl, at the next term', () => {
      expect(decideLease(observed, 'b', 11_000)).toEqual({ action: 'acquire', expectedRevision: 7, term: 4, reason: 'expired' });
    });

    it('takes over at once when the holder released it', () => {
      const released = { ...observed, record: record({ holder: 'a', released: true }) };
      expect(decideLease(released, 'b', 1_000)).toEqual({ action: 'acquire', expectedRevision: 7, term: 4, reason: 'released' });
    });

    it('re-acquires its own released record like anyone else (a new term)', () => {
      const released = { ...observed, record: record({ holder: 'b', released: true }) };
      expect(decideLease(released, 'b', 1_000)).toMatchObject({ action: 'acquire', term: 4, reason: 'released' });
    });
  });

  describe('observing the stream', () => {
    it('keeps the first sighting while the revision stays, so the ttl counts from there on the local clock', () => {
      const first = observe(undefined, { revision: 4, record: record() }, 100);
      expect(first).toEqual({ revision: 4, record: record(), sinceMs: 100 });
      expect(observe(first, { revision: 4, record: record() }, 9_000)).toBe(first);
    });

    it('restarts the clock when the revision changes (the holder renewed)', () => {
      const first = observe(undefined, { revision: 4, record: record() }, 100);
      expect(observe(first, { revision: 5, record: record() }, 9_000)).toEqual({ revision: 5, record: record(), sinceMs: 9_000 });
    });

    it('forgets everything when the stream is empty', () => {
      expect(observe({ revision: 1, record: record(), sinceMs: 0 }, undefined, 5)).toBeUndefined();
    });

    it('a contender that only just started waits a whole ttl, however old the record is', () => {
      const seen = observe(undefined, { revision: 9, record: record({ holder: 'a' }) }, 50_000);
      expect(decideLease(seen, 'b', 50_000)).toMatchObject({ action: 'wait', retryInMs: 10_000 });
    });
  });

  describe('fencing', () => {
    it('the holder stops acting the margin before a contender that saw the write at once could take over', () => {
      const timing = { ttlMs: 10_000, renewIntervalMs: 2_000, stepDownMarginMs: 3_000 };
      const sentAt = 1_000;
      const until = holdUntil(sentAt, timing);
      expect(until).toBe(8_000);
      // The earliest a contender can see the write is when it was sent; it takes over a ttl later.
      const seen = observe(undefined, { revision: 1, record: record({ holder: 'a', ttlMs: timing.ttlMs }) }, sentAt);
      expect(decideLease(seen, 'b', until)).toMatchObject({ action: 'wait' });
      expect(decideLease(seen, 'b', until + timing.stepDownMarginMs)).toMatchObject({ action: 'acquire' });
    });
  });

  describe('timing', () => {
    it('accepts the defaults', () => {
      expect(() => validateLeaseTiming(defaultLeaseTiming())).not.toThrow();
      expect(() => validateLeaseTiming(defaultLeaseTiming(1_500, 250))).not.toThrow();
    });

    it('refuses a renew interval that does not fit twice before the holder must step down', () => {
      expect(() => validateLeaseTiming({ ttlMs: 10_000, renewIntervalMs: 4_000, stepDownMarginMs: 3_000 })).toThrow(/renewIntervalMs/);
    });

    it('refuses a margin as long as the ttl', () => {
      expect(() => validateLeaseTiming({ ttlMs: 1_000, renewIntervalMs: 100, stepDownMarginMs: 1_000 })).toThrow(/stepDownMarginMs/);
    });
  });

  describe('reading records back', () => {
    it('parses what the runner writes and refuses what it does not', () => {
      expect(parseLeaseRecord({ holder: 'a', term: 2, ttlMs: 5, renewIntervalMs: 1, released: true })).toEqual({
        holder: 'a',
        term: 2,
        ttlMs: 5,
        renewIntervalMs: 1,
        released: true,
      });
      expect(parseLeaseRecord({ holder: 'a', term: '2', ttlMs: 5 })).toBeUndefined();
    });
  });
});
