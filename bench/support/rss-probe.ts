import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_HEADERS, startLedger } from './ledger';
import { load } from './load';
import { benchToken, seedTokens } from './seed-tokens';

/**
 * Where the ledger's RSS goes with N live tokens, outside the bench (docs/performance.md, "RSS with 1M live tokens"):
 * seeds N tokens once into a scratch directory, starts the built service on it (it rebuilds its views), and prints
 * the process's memory from /proc (anonymous and file-backed resident pages) and from /metrics (the V8 heap and
 * external memory) after the start and after each of a few introspection runs like the bench's.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/support/rss-probe.ts /tmp/rss 1000000
 */
const [dir = '/tmp/rss-probe', sizeArg = '1000000', runsArg = '3', secondsArg = '10'] = process.argv.slice(2);
const size = Number(sizeArg);
const PER_CONSENT = 100;

function proc(pid: number): Record<string, number> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem'), peak: kb('VmHWM'), ...regions(pid) };
}

/** Resident MB of the malloc heap ([heap], the main arena's brk) and the largest other anonymous mappings. */
function regions(pid: number): Record<string, unknown> {
  const anon: Array<[number, number]> = [];
  let brk = 0;
  let current: [number, number] | undefined;
  let isBrk = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      isBrk = head[3] === '[heap]';
      current = head[3] === '' ? [(parseInt(head[2], 16) - parseInt(head[1], 16)) / 1048576, 0] : undefined;
      if (current) anon.push(current);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && isBrk) brk += Number(rss[1]) / 1024;
    if (rss && current) current[1] = Number(rss[1]) / 1024;
  }
  const top = anon.sort((a, b) => b[1] - a[1]).slice(0, 6).map(([size, rss]) => `${Math.round(rss)}/${Math.round(size)}`);
  return { brk: Math.round(brk), topAnon: top.join(' ') };
}

async function metrics(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`, { headers: BENCH_HEADERS.audit })).text();
  const mb = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1048576);
  return { heapUsed: mb('nodejs_heap_size_used_bytes'), heapTotal: mb('nodejs_heap_size_total_bytes'), external: mb('nodejs_external_memory_bytes') };
}

async function main(): Promise<void> {
  const dataDir = join(dir, String(size), 'data');
  const events = join(dataDir, 'events.db');
  if (!existsSync(events)) {
    const t0 = Date.now();
    await seedTokens(events, size / PER_CONSENT, PER_CONSENT);
    console.log(`seeded ${size} tokens in ${Date.now() - t0} ms`);
  }
  // As in the bench: the views are rebuilt by the service at its start (KEEP_VIEWS=1 starts on the last ones).
  if (!process.env.KEEP_VIEWS) for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, 'views.db' + suffix), { force: true });
  const t0 = Date.now();
  // startLedger returns once ready; onListening says when the process first answered /health/live.
  let liveMs = 0;
  const ledger = await startLedger(dataDir, {}, () => (liveMs = Date.now() - t0));
  const pid = ledger.child.pid!;
  const show = async (label: string) => console.log(JSON.stringify({ label, ...proc(pid), ...(await metrics(ledger.url)) }));
  try {
    await show(`live after ${liveMs} ms, ready after ${Date.now() - t0} ms`);
    if (process.env.GDB_MALLOC) {
      // What glibc's main arena holds in use against what it keeps from the system, then the same after malloc_trim.
      execFileSync('gdb', ['-p', String(pid), '-batch', '-ex', 'call (void)malloc_stats()', '-ex', 'call (int)malloc_trim(0)', '-ex', 'call (void)malloc_stats()'], { stdio: 'ignore' });
      console.log(ledger.stderr());
      await show('after malloc_trim(0)');
    }
    const headers = { 'content-type': 'application/x-www-form-urlencoded', ...BENCH_HEADERS.introspect };
    const body = () => {
      const i = Math.floor(Math.random() * size);
      return `token=${Math.random() < 0.5 ? benchToken(i) : 'clt_unknown' + i}`;
    };
    for (let run = 1; run <= Number(runsArg); run++) {
      const r = await load({ url: ledger.url, path: '/v1/oauth2/introspect', durationS: Number(secondsArg), headers, body });
      await show(`after run ${run}: ${Math.round(r.requestsPerSecond)} req/s, non2xx ${r.non2xx}`);
    }
  } finally {
    await ledger.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
