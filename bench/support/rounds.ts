import { LedgerProcess } from '../../test/support/ledger-process';
import { ledgerCpuMs } from './ledger';
import { LimitProcess } from './limit-process';
import { assertAllOk, LoadResult } from './load';
import { loadAverage } from './stats';

/** Something a load generator can be pointed at, and whose CPU time can be read: the ledger or a limit. */
export interface Target {
  name: string;
  url: string;
  cpuMs(): Promise<number>;
}

export const ledgerTarget = (ledger: LedgerProcess): Target => ({ name: 'ledger', url: ledger.url, cpuMs: () => ledgerCpuMs(ledger) });
export const limitTarget = (name: string, limit: LimitProcess): Target => ({ name, url: String(limit.ready.url), cpuMs: () => limit.cpuMs() });

export interface Measured extends LoadResult {
  /** CPU time of the target's process per completed request, in ms. */
  cpuPerOp: number;
}

/** One load-generator run against a target, with the target's CPU time read before and after it. */
export async function measure(target: Target, run: (url: string) => Promise<LoadResult>, options: { refusals?: boolean } = {}): Promise<Measured> {
  const before = await target.cpuMs();
  const result = await run(target.url);
  const cpu = (await target.cpuMs()) - before;
  // A run of refusals (`refusals`) checks its answers' status itself; errors are never expected.
  assertAllOk(target.name, options.refusals ? { ...result, non2xx: 0 } : result);
  return { ...result, cpuPerOp: cpu / Math.max(1, result.total) };
}

/**
 * Rounds of limit, ledger, limit, ledger, ...: `steps` run in the given order in every round, so that a slow
 * stretch of the shared machine hits each side alike. The 1-minute load average is read before each round.
 */
export async function interleaved<K extends string, T>(
  rounds: number,
  steps: readonly K[],
  run: (step: K, round: number) => Promise<T>,
  log: (m: string) => void,
): Promise<{ load: number[]; by: Record<K, T[]> }> {
  const load: number[] = [];
  const by = Object.fromEntries(steps.map((s) => [s, [] as T[]])) as Record<K, T[]>;
  for (let r = 0; r < rounds; r++) {
    load.push(loadAverage());
    log(`round ${r + 1}/${rounds} (load ${load[r]})`);
    for (const step of steps) by[step].push(await run(step, r));
  }
  return { load, by };
}
