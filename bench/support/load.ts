// autocannon ships no types; the options used here are few and checked at run time.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: object) => Promise<any> & { on(event: 'response', f: (...args: any[]) => void): void };
import { quantile } from './stats';

/** Closed-loop connections of every autocannon run, ledger and limits alike. */
export const CONNECTIONS = 32;

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/**
 * One autocannon run; `body()` is called for every request so that each one can differ, and `onResponse` (if
 * given) sees every answer with the body that request sent. Latencies are kept from autocannon's own response
 * timer (float ms): its histogram records whole milliseconds, too coarse for a ratio of two tails of a few ms.
 */
export async function load(options: {
  url: string;
  path: string | (() => string);
  durationS: number;
  connections?: number;
  /** Open-loop mode: this many requests per second in total, whatever the answers' latency (autocannon overallRate). */
  overallRate?: number;
  headers: Record<string, string>;
  body: () => string;
  onResponse?: (status: number, body: string, sent: { path: string; body: string }) => void;
}): Promise<LoadResult> {
  const { path, body, onResponse } = options;
  const latencies: number[] = [];
  const request = {
    method: 'POST',
    path: typeof path === 'string' ? path : '/',
    headers: options.headers,
    // Each connection has one request in flight (no pipelining), so the connection's context holds what it sent.
    setupRequest: (req: any, context: any) => {
      context.sent = { path: typeof path === 'function' ? path() : path, body: body() };
      return { ...req, ...context.sent };
    },
    ...(onResponse ? { onResponse: (status: number, text: string, context: any) => onResponse(status, text, context.sent) } : {}),
  };
  const tracker = autocannon({
    url: options.url,
    connections: options.connections ?? CONNECTIONS,
    duration: options.durationS,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [request],
  });
  tracker.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  const result = await tracker;
  return {
    // Completed requests over the run's own duration: autocannon's per-second average drops the last partial second.
    requestsPerSecond: result.requests.total / (result.duration || options.durationS),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

export function assertAllOk(name: string, r: LoadResult): void {
  if (r.errors > 0 || r.non2xx > 0) throw new Error(`${name}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
}
