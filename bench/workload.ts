/**
 * One benchmark workload. bench/run.ts runs each workload in turn (or those named on the command line), prints a
 * table and writes every figure to bench/results.json. Speed is measured here, never asserted in tests.
 */
export interface BenchContext {
  /** A fresh scratch directory for this workload (data dirs, broker dirs). */
  scratchDir: string;
  /** Repository root (dist/ is built before any workload runs). */
  root: string;
  /** Scale down for a quick run: BENCH_QUICK=1. Workloads report the scale they actually used. */
  quick: boolean;
  log(message: string): void;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The target from the issue, for the table; `higher` says which direction is better. */
  target?: { value: number; higher: boolean };
}

export interface WorkloadResult {
  workload: string;
  figures: Figure[];
  /** Anything else worth keeping (scale, settings, baseline details). */
  notes?: Record<string, unknown>;
}

export interface Workload {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<WorkloadResult>;
}
