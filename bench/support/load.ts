// autocannon ships no types; the options used here are few and checked at run time.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: object) => Promise<any>;

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** One autocannon run; `body()` is called for every request so that each one can differ. */
export async function load(options: {
  url: string;
  path: string;
  durationS: number;
  connections?: number;
  /** Open-loop mode: this many requests per second in total, whatever the answers' latency (autocannon overallRate). */
  overallRate?: number;
  headers: Record<string, string>;
  body: () => string;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 32,
    duration: options.durationS,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [{ method: 'POST', path: options.path, headers: options.headers, setupRequest: (req: any) => ({ ...req, body: options.body() }) }],
  } as any);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}
