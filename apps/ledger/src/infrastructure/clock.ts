/**
 * The time for what is decided outside a decider and after a command: whether a client secret still authenticates,
 * a secret's status in a read, and whether a token has expired at introspection. Deciders take theirs from the
 * command metadata. Injected, so that a test can move past a rotation's overlap window instead of sleeping through
 * it, and so that the golden data directories (test/golden) answer as they did when they were made, years later.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => Date.now() };
