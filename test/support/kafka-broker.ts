/**
 * A real Apache Kafka broker for tests: single KRaft node (broker + controller), loopback only.
 *
 * The broker jars come from Maven Central through scripts/kafka/pom.xml (see ensureKafkaClasspath);
 * the classpath is cached in .kafka/classpath-<version>.txt at the repo root.
 *
 *   const broker = await KafkaBroker.start();          // temp data dir, free ports
 *   new Kafka({ brokers: broker.brokers, ... });
 *   await broker.kill(); await broker.restart();        // crash + restart on the same ports / data
 *   await broker.stop();                                // or destroy(): stop + delete its temp data dir
 *
 * Brokers started from a test never outlive it: on Linux they are spawned through
 * `setpriv --pdeathsig KILL` (the kernel kills them when the spawning process dies, even on SIGKILL,
 * which also covers jest, whose sandboxed `process` never sees 'exit'); otherwise a tiny `sh`
 * watchdog does the same, and a process 'exit' hook kills them in plain node scripts.
 * Only `daemon: true` (used by scripts/kafka/kafka.sh) starts a broker meant to outlive its starter.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Kafka, logLevel } from 'kafkajs';

/** Kafka release used unless KAFKA_VERSION says otherwise. Must match the pom's default. */
export const DEFAULT_KAFKA_VERSION = '3.9.1';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const STATE_DIR = path.join(REPO_ROOT, '.kafka');
const POM = path.join(REPO_ROOT, 'scripts', 'kafka', 'pom.xml');
const NODE_ID = 1;

export interface KafkaBrokerOptions {
  /** Where KRaft metadata, logs and the broker's own log files live. Default: a fresh temp dir. */
  dataDir?: string;
  /** Client (PLAINTEXT) port on 127.0.0.1. Default / 0: a free port. */
  port?: number;
  /** KRaft controller port on 127.0.0.1. Default / 0: a free port. */
  controllerPort?: number;
  /** How long to wait for the broker to answer metadata requests. Default 90 s. */
  readyTimeoutMs?: number;
  /** Extra / overriding server.properties entries. */
  serverProperties?: Record<string, string | number | boolean>;
  /** Start in its own session and let it outlive this process (scripts/kafka/kafka.sh). */
  daemon?: boolean;
  /** Called with the broker pid right after each spawn, before readiness (pid files). */
  onSpawn?: (pid: number) => void;
}

// ---------------------------------------------------------------------------------------------
// Classpath (Maven)
// ---------------------------------------------------------------------------------------------

const classpathPromises = new Map<string, Promise<string>>();

/**
 * Resolves kafka_2.13:<version> and its runtime dependencies with Maven (once; cached in
 * .kafka/classpath-<version>.txt, re-resolved only if that file is missing or a jar vanished).
 * Returns the classpath string.
 */
export function ensureKafkaClasspath(version: string = kafkaVersion()): Promise<string> {
  let p = classpathPromises.get(version);
  if (!p) {
    p = resolveClasspath(version);
    p.catch(() => classpathPromises.delete(version));
    classpathPromises.set(version, p);
  }
  return p;
}

export function kafkaVersion(): string {
  return process.env.KAFKA_VERSION || DEFAULT_KAFKA_VERSION;
}

export function classpathFile(version: string = kafkaVersion()): string {
  return path.join(STATE_DIR, `classpath-${version}.txt`);
}

function readCachedClasspath(file: string, version: string): string | undefined {
  let cp: string;
  try {
    cp = fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  const entries = cp.split(path.delimiter).filter(Boolean);
  const ok =
    entries.some((e) => path.basename(e) === `kafka_2.13-${version}.jar`) &&
    entries.every((e) => fs.existsSync(e));
  return ok ? cp : undefined;
}

async function resolveClasspath(version: string): Promise<string> {
  const file = classpathFile(version);
  const cached = readCachedClasspath(file, version);
  if (cached) return cached;

  fs.mkdirSync(STATE_DIR, { recursive: true });
  // Cross-process lock so parallel jest workers don't run Maven side by side.
  const lock = `${file}.lock`;
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const again = readCachedClasspath(file, version);
      if (again) return again;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 10 * 60_000) fs.rmSync(lock, { force: true }); // stale
      } catch {
        /* lock vanished meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for Maven lock ${lock}`);
      await sleep(500);
    }
  }
  try {
    const again = readCachedClasspath(file, version);
    if (again) return again;
    const tmp = `${file}.${process.pid}.tmp`;
    const args = [
      '-q', '-B', '-f', POM,
      `-Dkafka.version=${version}`,
      'dependency:build-classpath',
      '-Dmdep.includeScope=runtime',
      `-Dmdep.outputFile=${tmp}`,
    ];
    await new Promise<void>((resolve, reject) => {
      execFile(process.env.MVN || 'mvn', args, { cwd: REPO_ROOT, maxBuffer: 16 << 20, timeout: 15 * 60_000 }, (err, stdout, stderr) => {
        if (err) {
          const out = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
          reject(new Error(`Maven could not resolve org.apache.kafka:kafka_2.13:${version} (mvn ${args.join(' ')}):\n${out}`));
        } else resolve();
      });
    });
    fs.renameSync(tmp, file);
    const cp = readCachedClasspath(file, version);
    if (!cp) throw new Error(`Maven wrote ${file} but it does not contain kafka_2.13-${version}.jar`);
    return cp;
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Broker
// ---------------------------------------------------------------------------------------------

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
function findSetpriv(): string | null {
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

export class KafkaBroker {
  /** e.g. ['127.0.0.1:40123'] */
  readonly brokers: string[];
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private alive = false;

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    readonly controllerPort: number,
    private readonly classpath: string,
    private readonly opts: KafkaBrokerOptions,
  ) {
    this.brokers = [`127.0.0.1:${port}`];
  }

  static async start(opts: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
    const classpath = await ensureKafkaClasspath();
    let dataDir: string;
    if (opts.dataDir) {
      dataDir = path.resolve(opts.dataDir);
      fs.mkdirSync(dataDir, { recursive: true });
    } else {
      sweepStaleTempDirs();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
      ownedTempDirs.add(dataDir);
    }
    const port = opts.port || (await freePort());
    let controllerPort = opts.controllerPort || (await freePort());
    while (controllerPort === port) controllerPort = await freePort();
    const broker = new KafkaBroker(dataDir, port, controllerPort, classpath, opts);
    try {
      await broker.launch();
    } catch (e) {
      if (ownedTempDirs.delete(dataDir)) fs.rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
    return broker;
  }

  /** Broker process id (undefined when not running). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.alive;
  }

  get logFile(): string {
    return path.join(this.dataDir, 'server.log');
  }

  /** Graceful shutdown (SIGTERM), SIGKILL if it is still alive after timeoutMs. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    if (!(await this.waitForExit(timeoutMs))) {
      this.child!.kill('SIGKILL');
      await this.waitForExit(10_000);
    }
  }

  /** stop(), then delete the data dir if start() created it (a temp dir). */
  async destroy(): Promise<void> {
    await this.stop();
    if (ownedTempDirs.delete(this.dataDir)) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Crash the broker (SIGKILL) and wait until it is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.waitForExit(10_000);
  }

  /** Start again on the same ports and data dir (stopping it first if it still runs). */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Last lines of the broker's log files (for error messages). */
  logTail(lines = 60): string {
    const parts: string[] = [];
    for (const f of ['java.out', 'server.log']) {
      try {
        const text = fs.readFileSync(path.join(this.dataDir, f), 'utf8').trimEnd();
        if (!text) continue;
        const all = text.split('\n');
        const errors = all.filter((l) => /\b(ERROR|FATAL)\b/.test(l)).slice(-10);
        if (errors.length) parts.push(`--- ${f} (errors) ---\n${errors.join('\n')}`);
        parts.push(`--- ${f} (last ${lines} lines) ---\n${all.slice(-lines).join('\n')}`);
      } catch {
        /* not written yet */
      }
    }
    return parts.join('\n') || '(no broker output)';
  }

  private waitForExit(timeoutMs: number): Promise<boolean> {
    if (!this.running) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      void this.exited!.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private async launch(): Promise<void> {
    const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
    const propsFile = this.writeConfig();
    const jvm = this.jvmArgs();

    for (const port of [this.port, this.controllerPort]) {
      if (!(await portFree(port))) {
        throw new Error(`Cannot start Kafka broker (data ${this.dataDir}): 127.0.0.1:${port} is already in use`);
      }
    }
    const metaFile = path.join(this.dataDir, 'logs', 'meta.properties');
    if (!fs.existsSync(metaFile)) {
      await this.format(java, jvm, propsFile);
    }
    const clusterId = /^cluster\.id=(.+)$/m.exec(fs.readFileSync(metaFile, 'utf8'))?.[1].trim();

    const out = fs.openSync(path.join(this.dataDir, 'java.out'), 'a');
    const daemon = !!this.opts.daemon;
    const setpriv = daemon ? null : findSetpriv();
    const cmd = setpriv ?? java;
    const args = [...(setpriv ? ['--pdeathsig', 'KILL', java] : []), ...jvm, 'kafka.Kafka', propsFile];
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { cwd: this.dataDir, stdio: ['ignore', out, out], detached: daemon });
    } finally {
      fs.closeSync(out);
    }
    this.child = child;
    this.alive = true;
    let spawnError: Error | undefined;
    this.exited = new Promise<void>((resolve) => {
      const gone = () => {
        this.alive = false;
        resolve();
      };
      child.once('error', (e) => {
        spawnError = e;
        gone();
      });
      child.once('exit', gone);
    });
    void this.exited.then(() => live.delete(child));
    child.unref();
    if (child.pid) this.opts.onSpawn?.(child.pid);
    if (!daemon) {
      live.add(child);
      installExitHook();
      if (!setpriv && child.pid) startWatchdog(child.pid);
    }

    try {
      await this.waitUntilReady(clusterId, () => spawnError);
    } catch (e) {
      await this.kill();
      throw e;
    }
  }

  private jvmArgs(): string[] {
    const extra = (process.env.KAFKA_TEST_JAVA_OPTS || '').split(/\s+/).filter(Boolean);
    return [
      '-Xms64m',
      '-Xmx512m',
      '-XX:+UseSerialGC', // fewest GC threads on a small machine
      '-XX:TieredStopAtLevel=1', // C1 only: much faster start, plenty for test traffic
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=${pathToFileUrl(path.join(this.dataDir, 'log4j.properties'))}`,
      `-Dkafka.logs.dir=${this.dataDir}`,
      ...extra,
      '-cp',
      this.classpath,
    ];
  }

  private async format(java: string, jvm: string[], propsFile: string): Promise<void> {
    // Kafka's Uuid.randomUuid: 16 random bytes, base64url, never starting with '-' (CLI parsing).
    let clusterId: string;
    do clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-'));
    const args = [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile];
    await new Promise<void>((resolve, reject) => {
      execFile(java, args, { cwd: this.dataDir, timeout: 120_000 }, (err, stdout, stderr) => {
        if (!err) return resolve();
        const why =
          typeof err.code === 'string' ? `cannot run ${java}: ${err.code}` : err.code != null ? `exit code ${err.code}` : `signal ${err.signal}`;
        const out = `${stdout}\n${stderr}`.trim().split('\n').slice(-30).join('\n');
        reject(new Error(`Kafka StorageTool format failed in ${this.dataDir} (${why}):\n${out}\n${this.logTail(30)}`));
      });
    });
  }

  private writeConfig(): string {
    const props: Record<string, string | number | boolean> = {
      'process.roles': 'broker,controller',
      'node.id': NODE_ID,
      'controller.quorum.voters': `${NODE_ID}@127.0.0.1:${this.controllerPort}`,
      listeners: `PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${this.port}`,
      'inter.broker.listener.name': 'PLAINTEXT',
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'log.dirs': path.join(this.dataDir, 'logs'),
      // single node, test-friendly
      'num.partitions': 3,
      'default.replication.factor': 1,
      'min.insync.replicas': 1,
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 10,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'transaction.state.log.num.partitions': 5,
      'group.initial.rebalance.delay.ms': 0,
      'auto.create.topics.enable': false,
      'delete.topic.enable': true,
      // After a crash (kill) the restarted broker cannot re-register until the old registration's
      // session expires (DUPLICATE_BROKER_REGISTRATION); the 9 s default made restart() take ~15 s.
      'broker.session.timeout.ms': 4000,
      'broker.heartbeat.interval.ms': 1000,
      // 2-core machine: fewer threads, small cleaner buffer (default 128 MB against a 512 MB heap)
      'num.network.threads': 2,
      'num.io.threads': 2,
      'background.threads': 2,
      'num.recovery.threads.per.data.dir': 1,
      'num.replica.fetchers': 1,
      'log.cleaner.threads': 1,
      'log.cleaner.dedupe.buffer.size': 8 * 1024 * 1024,
      ...this.opts.serverProperties,
    };
    const file = path.join(this.dataDir, 'server.properties');
    fs.writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${escapeProp(String(v))}`).join('\n') + '\n');

    const logFile = path.join(this.dataDir, 'server.log').replace(/\\/g, '/');
    fs.writeFileSync(
      path.join(this.dataDir, 'log4j.properties'),
      [
        'log4j.rootLogger=INFO, file',
        'log4j.appender.file=org.apache.log4j.RollingFileAppender',
        `log4j.appender.file.File=${logFile}`,
        'log4j.appender.file.MaxFileSize=20MB',
        'log4j.appender.file.MaxBackupIndex=1',
        'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
        'log4j.logger.kafka.request.logger=WARN',
        'log4j.logger.state.change.logger=WARN',
        'log4j.logger.org.apache.kafka.controller=INFO',
        '',
      ].join('\n'),
    );
    return file;
  }

  private async waitUntilReady(clusterId: string | undefined, spawnError: () => Error | undefined): Promise<void> {
    const timeoutMs = this.opts.readyTimeoutMs ?? 90_000;
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (!this.running) {
        const why = spawnError()?.message ?? `exit code ${this.child?.exitCode}, signal ${this.child?.signalCode}`;
        throw new Error(`Kafka broker in ${this.dataDir} exited during startup (${why})\n${this.logTail()}`);
      }
      const admin = new Kafka({
        clientId: 'kafka-broker-ready-probe',
        brokers: this.brokers,
        logLevel: logLevel.NOTHING,
        connectionTimeout: 1000,
        requestTimeout: 5000,
        retry: { retries: 0 },
      }).admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        // The cluster id check makes sure we talk to *this* broker, not another one on the port.
        if (clusterId && cluster.clusterId !== clusterId) {
          lastError = new Error(`127.0.0.1:${this.port} answers with cluster id ${cluster.clusterId}, expected ${clusterId}`);
        } else if (cluster.brokers.some((b) => b.nodeId === NODE_ID)) {
          return;
        } else {
          lastError = new Error(`broker ${NODE_ID} not registered yet`);
        }
      } catch (e) {
        lastError = e;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      await sleep(300);
    }
    throw new Error(
      `Kafka broker ${this.brokers[0]} (data ${this.dataDir}) not ready after ${timeoutMs} ms ` +
        `(last error: ${(lastError as Error)?.message ?? lastError})\n${this.logTail()}`,
    );
  }
}

/** Polls the parent; SIGKILLs the broker when the parent is gone (fallback where setpriv is missing). */
function startWatchdog(brokerPid: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do kill -0 ${brokerPid} 2>/dev/null || exit 0; sleep 1; done; kill -9 ${brokerPid} 2>/dev/null`;
  const w = spawn('sh', ['-c', script], { stdio: 'ignore', detached: true });
  w.on('error', () => undefined);
  w.unref();
}

function freePort(): Promise<number> {
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

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function escapeProp(v: string): string {
  return v.replace(/\\/g, '\\\\');
}

function pathToFileUrl(p: string): string {
  return 'file:' + p.replace(/\\/g, '/');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
