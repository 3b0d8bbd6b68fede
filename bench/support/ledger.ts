import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LedgerProcess, spawnLedger } from '../../test/support/ledger-process';

export const BENCH_API_KEYS = [
  'bench-frontend:commands:bench-commands-secret-0123456789',
  'bench-rs:introspect:bench-introspect-secret-0123456789',
  'bench-audit:audit:bench-audit-secret-0123456789',
].join(',');
export const BENCH_HEADERS = {
  commands: { authorization: 'Bearer bench-commands-secret-0123456789' },
  introspect: { authorization: 'Bearer bench-introspect-secret-0123456789' },
  audit: { authorization: 'Bearer bench-audit-secret-0123456789' },
};

/**
 * The built service as it is deployed: production heap flags (spawnLedger reads them from start:prod) and the
 * default LOG_LEVEL=info, so one access line per request is written, as in production. The log goes to a file in
 * the scratch directory, not through a pipe into the load generator's process.
 */
const READY_WITHIN_MS = 30 * 60_000;

export async function startLedger(dataDir: string, env: Record<string, string> = {}, onListening?: () => void): Promise<LedgerProcess> {
  // Beside the data directory, which the service creates itself (0700) when it is new.
  mkdirSync(dirname(dataDir), { recursive: true });
  // On a fresh view database the service listens only some way into its rebuild: 6 s at 1M tokens, 14-39 s at 10M.
  const ledger = await spawnLedger({ dataDir, startTimeoutMs: READY_WITHIN_MS, logFile: join(dirname(dataDir), `ledger-${Date.now()}.log`), env: { LEDGER_API_KEYS: BENCH_API_KEYS, LOG_LEVEL: 'info', ...env } });
  onListening?.();
  const started = Date.now();
  for (;;) {
    const r = await fetch(`${ledger.url}/health/ready`).catch(() => undefined);
    if (r?.status === 200) return ledger;
    if (Date.now() - started > READY_WITHIN_MS) throw new Error(`ledger not ready within 30 min:\n${ledger.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * CPU time the ledger process has used so far, in ms: its own process.cpuUsage() (every thread, so libuv's fsyncs
 * too), as /metrics exports it in process_cpu_seconds_total. Read before and after a round and divided by the
 * operations, it is a cost per operation that the load generator's noise does not move. The scrape itself costs
 * the ledger a millisecond or two per round, which is counted and is far below the rounding here.
 */
export async function ledgerCpuMs(ledger: LedgerProcess): Promise<number> {
  const text = await (await fetch(`${ledger.url}/metrics`, { headers: BENCH_HEADERS.audit })).text();
  const seconds = /^process_cpu_seconds_total (\S+)$/m.exec(text)?.[1];
  if (seconds === undefined) throw new Error('/metrics has no process_cpu_seconds_total');
  return Number(seconds) * 1000;
}

/**
 * Waits until the ledger is idle: less than 10 % of a core over a second, or `maxS` pass. Ready (/health/ready)
 * means only that the views have caught up; the relays that start from the log's beginning (the SSE and
 * user-revocation fan-outs, SSF) read and open a seeded history for seconds after that, and a profile or a CPU
 * figure taken meanwhile counts that catch-up as the cost of the requests measured.
 */
export async function settled(ledger: LedgerProcess, maxS = 60): Promise<void> {
  const deadline = Date.now() + maxS * 1000;
  let last = await ledgerCpuMs(ledger);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await ledgerCpuMs(ledger);
    if (now - last < 100) return;
    last = now;
  }
}

export function memory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
