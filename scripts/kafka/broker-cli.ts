/**
 * Thin CLI over test/support/kafka-broker.ts for scripts/kafka/kafka.sh (the only start logic).
 *
 *   node -r ts-node/register/transpile-only scripts/kafka/broker-cli.ts classpath
 *   node -r ts-node/register/transpile-only scripts/kafka/broker-cli.ts start \
 *        --data-dir .kafka/data --port 19092 [--controller-port 19093] --pid-file .kafka/broker.pid
 *
 * `start` leaves a detached broker running once it answers metadata requests, writes its pid
 * (as soon as it is spawned, so an interrupted start can still be stopped) and prints
 * `KAFKA_BROKERS=127.0.0.1:<port>` as the last stdout line. Port 0 = pick a free one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { KafkaBroker } from '../../test/support/kafka-broker';
import { ensureKafkaClasspath, kafkaVersion } from '../../test/support/kafka-classpath';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const cmd = process.argv[2];
  if (cmd === 'classpath') {
    const t = Date.now();
    const cp = await ensureKafkaClasspath();
    console.error(`kafka ${kafkaVersion()} classpath ready (${cp.split(path.delimiter).length} jars, ${Date.now() - t} ms)`);
    return;
  }
  if (cmd !== 'start') throw new Error(`usage: broker-cli.ts classpath | start --data-dir DIR --port N [--controller-port N] --pid-file FILE`);

  const dataDir = arg('data-dir');
  const pidFile = arg('pid-file');
  if (!dataDir || !pidFile) throw new Error('start needs --data-dir and --pid-file');
  fs.mkdirSync(path.dirname(path.resolve(pidFile)), { recursive: true });

  let spawned: number | undefined;
  const abort = (signal: NodeJS.Signals) => {
    if (spawned) {
      try {
        process.kill(spawned, 'SIGKILL');
      } catch {
        /* gone */
      }
      fs.rmSync(pidFile, { force: true });
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  process.once('SIGHUP', abort);

  const t = Date.now();
  let broker: KafkaBroker;
  try {
    broker = await KafkaBroker.start({
      dataDir,
      port: Number(arg('port') ?? 0),
      controllerPort: Number(arg('controller-port') ?? 0),
      daemon: true,
      onSpawn: (pid) => {
        spawned = pid;
        fs.writeFileSync(pidFile, `${pid}\n`);
      },
    });
  } catch (e) {
    fs.rmSync(pidFile, { force: true }); // start() already killed the broker
    throw e;
  }
  console.error(`kafka ${kafkaVersion()} broker pid ${broker.pid} ready on ${broker.brokers.join(',')} in ${Date.now() - t} ms (data: ${broker.dataDir}, log: ${broker.logFile})`);
  console.log(`KAFKA_BROKERS=${broker.brokers.join(',')}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
