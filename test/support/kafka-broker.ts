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
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { dieWithThisProcess, findSetpriv, freePort, ownedTempDir, portFree, removeIfOwned } from './kafka-broker-lifetime';
import { ensureKafkaClasspath } from './kafka-classpath';

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
      dataDir = ownedTempDir();
    }
    const port = opts.port || (await freePort());
    let controllerPort = opts.controllerPort || (await freePort());
    while (controllerPort === port) controllerPort = await freePort();
    const broker = new KafkaBroker(dataDir, port, controllerPort, classpath, opts);
    try {
      await broker.launch();
    } catch (e) {
      removeIfOwned(dataDir);
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
    removeIfOwned(this.dataDir);
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
    child.unref();
    if (child.pid) this.opts.onSpawn?.(child.pid);
    if (!daemon) dieWithThisProcess(child, this.exited, setpriv);

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

function escapeProp(v: string): string {
  return v.replace(/\\/g, '\\\\');
}

function pathToFileUrl(p: string): string {
  return 'file:' + p.replace(/\\/g, '/');
}
