export interface WaitOptions {
  /** What is awaited, named in the timeout message so that a failure says what never happened. */
  what?: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/**
 * Polls `condition` (sync or async) until it returns a truthy value, and resolves to that value. A condition that
 * throws counts as not met yet: a probe across a process or a network may fail while what it waits for comes up.
 * When the time runs out, the last such error is part of the message.
 */
export async function waitUntil<T>(condition: () => T | Promise<T>, options: WaitOptions = {}): Promise<Truthy<T>> {
  const { what = 'condition', timeoutMs = 10_000 } = options;
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Truthy<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${what} not met within ${timeoutMs} ms${lastError === undefined ? '' : ` (last error: ${String(lastError)})`}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
