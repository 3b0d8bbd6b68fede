/**
 * What keeps a test's Kafka broker from outliving it (see kafka-broker.ts): the temp data directories it owns, the
 * brokers it has spawned, `setpriv --pdeathsig`, the exit hook and the watchdog; and the loopback ports it takes.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const live = new Set<ChildProcess>();
const TEMP_PREFIX = 'kafka-broker-';
const ownedTempDirs = new Set<string>();
let exitHookInstalled = false;

/** Temp data dirs are named kafka-broker-<pid>-*; remove those whose creator is gone. */
function sweepStaleTempDirs(): void {
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = new RegExp(`^${TEMP_PREFIX}(\\d+)-`).exec(name);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Fires in plain node scripts; inside jest `process` is a sandbox copy, hence also pdeathsig.
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const dir of ownedTempDirs) fs.rmSync(dir, { recursive: true, force: true });
  });
}

let setprivPath: string | null | undefined;
export function findSetpriv(): string | null {
  if (setprivPath === undefined) {
    setprivPath = null;
    if (process.platform === 'linux') {
      for (const dir of (process.env.PATH || '/usr/bin:/bin').split(path.delimiter).concat('/usr/bin', '/bin')) {
        const candidate = path.join(dir, 'setpriv');
        if (fs.existsSync(candidate)) {
          setprivPath = candidate;
          break;
        }
      }
    }
  }
  return setprivPath;
}

/** A fresh temp data dir, removed by removeIfOwned or when this process exits. Sweeps dead processes' dirs first. */
export function ownedTempDir(): string {
  sweepStaleTempDirs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
  ownedTempDirs.add(dir);
  return dir;
}

/** Deletes `dir` if ownedTempDir made it (and it has not been deleted yet); a caller's own dir is left alone. */
export function removeIfOwned(dir: string): void {
  if (ownedTempDirs.delete(dir)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * A broker that must die with this process: killed by the exit hook, and by the watchdog where setpriv is missing
 * (`setpriv` says whether the broker was spawned through it). Forgotten once it has exited.
 */
export function dieWithThisProcess(child: ChildProcess, exited: Promise<void>, setpriv: string | null): void {
  void exited.then(() => live.delete(child));
  live.add(child);
  installExitHook();
  if (!setpriv && child.pid) startWatchdog(child.pid);
}

/** Polls the parent; SIGKILLs the broker when the parent is gone (fallback where setpriv is missing). */
function startWatchdog(brokerPid: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do kill -0 ${brokerPid} 2>/dev/null || exit 0; sleep 1; done; kill -9 ${brokerPid} 2>/dev/null`;
  const w = spawn('sh', ['-c', script], { stdio: 'ignore', detached: true });
  w.on('error', () => undefined);
  w.unref();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}
