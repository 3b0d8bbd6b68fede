/**
 * Read-your-writes: resolves once this instance's views include the given global position, so a caller that got
 * an answer to a command reads its effect on the next request (a revoked token already introspects inactive).
 * The projection runner is the adapter; the executor only knows this port.
 */
export interface ReadYourWrites {
  /** Rejects when the views have not got there within `timeoutMs` (the adapter's default when absent). */
  waitFor(position: number, timeoutMs?: number): Promise<void>;
  /**
   * Resolves once the views include every event the store held when called: for a decision that takes the views as
   * its context (RevokeUserConsents asks which consents of the user are active), so that another instance's
   * acknowledged commands are in it too.
   */
  caughtUp(timeoutMs?: number): Promise<void>;
  /**
   * Why these views will never include another write, if so: they stopped at an event this build cannot read
   * (libs/projections UnreadableEventError). The executor then refuses a command before deciding it, so that
   * nothing is appended for a request that could only be answered 503.
   */
  stoppedBy?(): Error | undefined;
}

export const READ_YOUR_WRITES = Symbol('READ_YOUR_WRITES');

/** For tools and tests that append without views to wait for. */
export const NO_VIEWS: ReadYourWrites = { waitFor: () => Promise.resolve(), caughtUp: () => Promise.resolve() };
