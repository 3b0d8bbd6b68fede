/**
 * The one exponential backoff of the ledger: the relay's restarts, the EventStoreDB subscription's reconnects and
 * the command executor's retries after a conflict all wait this long. (libs/revocation-client, a package installed
 * on its own by resource services, imports nothing of the ledger's and has a line of its own.)
 *
 * It imports nothing, so code that must not load a store adapter can import this file alone:
 * `@ledger/event-store/backoff`.
 */
export interface Backoff {
  /** The delay of attempt 0; every further attempt doubles it. Default 100 ms. */
  baseMs?: number;
  /** The longest delay, whatever the attempt. */
  maxMs: number;
  /**
   * Wait a random time between half the delay and the delay ("equal jitter"): instances that failed together (a
   * broker restart) do not all come back in the same millisecond, and none waits less than half its turn.
   */
  jitter?: boolean;
}

/**
 * Delay before retry number `attempt` (the failures so far). The exponent stops at 30: past that every delay is
 * maxMs anyway, and 2 ** attempt would overflow to Infinity (and 0 * Infinity to NaN).
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const delay = Math.min(backoff.maxMs, (backoff.baseMs ?? 100) * 2 ** Math.min(Math.max(attempt, 0), 30));
  return backoff.jitter ? Math.round(delay / 2 + random() * (delay / 2)) : delay;
}
