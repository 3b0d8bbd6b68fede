import { closeSync, openSync, readFileSync } from 'node:fs';
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bearer, Http, httpClient, secretsDirFor, sharedSubjectKeys, TEST_API_KEYS } from './ledger-app';

const ROOT = join(__dirname, '..', '..');

/**
 * The Node flags `npm run start:prod` gives the service (the heap size, for one), read from package.json so that
 * tests and benchmarks run the service exactly as it is deployed.
 */
const SERVICE_NODE_FLAGS: string[] = (() => {
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['start:prod'];
  return script.match(/--max-old-space-size=\d+/g) ?? [];
})();

export interface LedgerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  http: Http;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** What it wrote to stdout alone (the JSON log). */
  stdout(): string;
  /** What it wrote to stderr alone (notices for the operator). */
  stderr(): string;
  /** SIGKILL: no shutdown hooks, no flushing. */
  kill(): Promise<void>;
  /** SIGTERM: graceful shutdown. Resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs the BUILT service (dist/, made by `npm run build`, which the README's test line runs first) as a separate
 * process, for tests that must kill it: crash recovery, publishing after SIGKILL, graceful shutdown.
 */
export async function spawnLedger(options: {
  dataDir: string;
  env?: Record<string, string>;
  port?: number;
  nodeArgs?: string[];
  /**
   * Where stdout (the JSON log) goes instead of a pipe into this process: a benchmark at LOG_LEVEL=info writes a line
   * per request, and reading those into a string here would load the load generator's process.
   */
  logFile?: string;
  /**
   * How long it may take to listen. On a fresh view database the service listens only some way into its rebuild:
   * up to 39 s on a benchmark's 10M-token log, beyond the default that tests keep.
   */
  startTimeoutMs?: number;
}): Promise<LedgerProcess> {
  const port = options.port ?? (await freePort());
  let out = '';
  let stdout = '';
  let stderr = '';
  // LEDGER_NODE_ARGS adds flags to every spawned service, e.g. `--cpu-prof --cpu-prof-dir=.tmp/prof` to profile a
  // benchmark workload (docs/performance.md).
  const extra = (process.env.LEDGER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...extra, ...(options.nodeArgs ?? []), '-r', 'tsconfig-paths/register', join(ROOT, 'dist/apps/ledger/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TS_NODE_BASEURL: join(ROOT, 'dist'),
      LOG_LEVEL: 'warn',
      LEDGER_API_KEYS: TEST_API_KEYS,
      LEDGER_SECRETS_DIR: secretsDirFor(options.dataDir),
      ...options.env,
      ...sharedSubjectKeys({ ...process.env, ...options.env }),
      LEDGER_DATA_DIR: options.dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', logFd ?? 'pipe', 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd);
  child.stdout?.on('data', (d) => ((out += d), (stdout += d)));
  child.stderr!.on('data', (d) => ((out += d), (stderr += d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ledger exited with ${child.exitCode} during start:\n${out}`);
    try {
      const r = await fetch(`${url}/health/live`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    const limitMs = options.startTimeoutMs ?? 30_000;
    if (Date.now() - started > limitMs) {
      child.kill('SIGKILL');
      throw new Error(`ledger did not start within ${limitMs / 1000} s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    child,
    http: httpClient(url, bearer('admin')),
    output: () => out,
    stdout: () => (options.logFile === undefined ? stdout : readFileSync(options.logFile, 'utf8')),
    stderr: () => stderr,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
