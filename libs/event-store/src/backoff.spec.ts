import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('doubles from the base with every attempt, up to the cap', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, { maxMs: 3000 }));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3000, 3000]);
    expect(backoffDelay(1, { baseMs: 50, maxMs: 5000 })).toBe(100);
  });

  it('stays at the cap for any attempt, however large, even with a zero base', () => {
    expect(backoffDelay(10_000, { maxMs: 5000 })).toBe(5000);
    expect(backoffDelay(10_000, { baseMs: 0, maxMs: 5000 })).toBe(0);
  });

  it('with jitter, waits between half the delay and the delay', () => {
    expect(backoffDelay(3, { maxMs: 3000, jitter: true }, () => 0)).toBe(400);
    expect(backoffDelay(3, { maxMs: 3000, jitter: true }, () => 0.5)).toBe(600);
    expect(backoffDelay(3, { maxMs: 3000, jitter: true }, () => 0.999999)).toBe(800);
    expect(backoffDelay(20, { maxMs: 3000, jitter: true }, () => 0)).toBe(1500);
  });
});
