export type CheckState = 'up' | 'down';

/**
 * The last state of each health check, so that a failing check is logged when it turns rather than on every probe:
 * an orchestrator probes every few seconds, and a line per probe buries the one that says when it started.
 */
export class CheckStates {
  private readonly last = new Map<string, CheckState>();

  /**
   * Records what a probe found and returns the change it makes, if any. A check is taken to start up: its first
   * observation is a change only when it is down (an instance that starts healthy has nothing to report).
   */
  observe(check: string, state: CheckState): CheckState | undefined {
    const before = this.last.get(check) ?? 'up';
    this.last.set(check, state);
    return state === before ? undefined : state;
  }
}
