import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Collects the global positions of the commands executed inside a scope. The HTTP edge opens one scope per request
 * and turns the highest position into the answer's consistency token, so commands and handlers never carry a
 * position (or anything of HTTP) through their results. Recording outside any scope (tools, tests) does nothing.
 *
 * AsyncLocalStorage rather than a parameter: the scope follows the request through the command bus and the handler
 * without either of them knowing it exists.
 */
export class PositionScope {
  private readonly storage = new AsyncLocalStorage<{ highest?: number }>();

  /**
   * Runs `fn` in a new scope; `highest()` is the highest position recorded in it so far (undefined: none). `fn` is
   * given the same reader, for a caller that hands the scope on before `fn` returns (a hook that runs the rest of
   * the request inside it).
   */
  run<T>(fn: (highest: () => number | undefined) => T): { result: T; highest(): number | undefined } {
    const holder: { highest?: number } = {};
    const highest = () => holder.highest;
    const result = this.storage.run(holder, fn, highest);
    return { result, highest };
  }

  record(position: number): void {
    const holder = this.storage.getStore();
    if (holder && (holder.highest === undefined || position > holder.highest)) holder.highest = position;
  }
}
