/**
 * One benchmark workload. bench/run.ts runs each workload in turn (or those named on the command line), prints one
 * table and appends every figure to the history in bench/results.json. Speed is measured here, never asserted in
 * tests.
 *
 * Absolute figures move by a third from run to run on a shared 2-core machine, so a figure is a list of rounds, and
 * where it has one, each round stands next to its limit: the same work without the ledger's part, measured with the
 * same load generator right before or after it (limit, ledger, limit, ledger, ...). The ratio of each pair is what
 * the targets read; noise that hits both sides of a pair cancels.
 */
export interface BenchContext {
  /** A fresh scratch directory for this workload (data dirs, broker dirs). */
  scratchDir: string;
  /** Repository root (dist/ is built before any workload runs). */
  root: string;
  /** Scale down for a quick run: BENCH_QUICK=1. Workloads report the scale they actually used. */
  quick: boolean;
  /** BENCH_SCALE=10m adds the 10-million points of the cost curves (tokens, events). */
  scale10m: boolean;
  /** BENCH_SCALE=10m-only: only the 10-million points, for a long run of its own. */
  only10m: boolean;
  /** Interleaved rounds per figure: 3 (the fewest that give a median and a spread), or BENCH_ROUNDS. */
  rounds: number;
  log(message: string): void;
}

export interface Figure {
  name: string;
  unit: string;
  /** The ledger's value in each round. */
  ledger: number[];
  /** The same-run limit, one value per round, measured next to the ledger's value of the same index. */
  limit?: { name: string; values: number[] };
  /**
   * How the pair is compared, round by round: `%` is ledger / limit as a percentage (throughput), `x` is
   * ledger / limit as a factor (latency, CPU).
   */
  ratio?: '%' | 'x';
  /** What the target bounds (the ledger's value or the ratio's median), and which direction is better. */
  target?: { of: 'value' | 'ratio'; value: number; higher: boolean };
  /** The 1-minute load average before each round. */
  load: number[];
}

export interface WorkloadResult {
  workload: string;
  /** The workload's shape, printed above its rows: concurrency, rates, who counts toward CPU, how loss is checked. */
  shape: string;
  figures: Figure[];
  /** Anything else worth keeping (scale, settings, raw load-generator results). */
  notes?: Record<string, unknown>;
}

export interface Workload {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<WorkloadResult>;
}
