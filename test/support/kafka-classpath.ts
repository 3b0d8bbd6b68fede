/**
 * The Kafka broker's jars for tests, resolved by Maven through scripts/kafka/pom.xml: kafka_2.13:<version> and its
 * runtime dependencies, with the classpath cached in .kafka/classpath-<version>.txt at the repo root. KafkaBroker
 * (kafka-broker.ts) starts the broker on it; scripts/kafka/broker-cli.ts resolves it ahead of a run.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';

/** Kafka release used unless KAFKA_VERSION says otherwise. Must match the pom's default. */
export const DEFAULT_KAFKA_VERSION = '3.9.1';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const STATE_DIR = path.join(REPO_ROOT, '.kafka');
const POM = path.join(REPO_ROOT, 'scripts', 'kafka', 'pom.xml');

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
