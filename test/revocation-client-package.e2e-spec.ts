/**
 * libs/revocation-client as a resource service gets it: `npm pack` of the workspace, a separate project that installs
 * the tarball (no path aliases, nothing of this repository), its declarations type-checked there, and the packaged
 * client run there against the ledger and a real broker ($KAFKA_BROKERS from scripts/with-kafka.sh, or its own).
 * It also proves on the wire the two eviction rules of the contract: a scope revocation evicts only the tokens that
 * carry the scope, and a message the client cannot read evicts everything.
 */
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { waitUntil } from '@ledger/testing';
import { consentWithTokens, uid } from './support/consent-fixtures';
import { KafkaBroker } from './support/kafka-broker';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir, TEST_KEYS } from './support/ledger-app';
import { externalBrokers, waitForTopic } from './support/revocation-topic';

const ROOT = join(__dirname, '..');
const topic = `revocations-package-${randomUUID()}`;
let broker: KafkaBroker | undefined;
let brokers: string[];
let data: ReturnType<typeof tempDataDir>;
let ledger: RunningLedger;
let project: string;

beforeAll(async () => {
  brokers = externalBrokers() ?? (broker = await KafkaBroker.start()).brokers;
  data = tempDataDir();
  ledger = await startLedger({ dataDir: data.dir, env: { KAFKA_BROKERS: brokers.join(','), KAFKA_REVOCATIONS_TOPIC: topic } });
  await waitForTopic(brokers, topic);

  project = mkdtempSync(join(tmpdir(), 'resource-service-'));
  execFileSync('npm', ['pack', '--workspace', 'libs/revocation-client', '--pack-destination', project], { cwd: ROOT, stdio: 'pipe' });
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'resource-service', version: '1.0.0', private: true }));
  // kafkajs comes from npm's cache, which `npm ci` of this repository filled; the registry only if it is not there.
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`], { cwd: project, stdio: 'pipe' });
  copyFileSync(join(__dirname, 'revocation-client-package', 'consumer.js'), join(project, 'consumer.js'));
  copyFileSync(join(__dirname, 'revocation-client-package', 'consumer-types.ts'), join(project, 'consumer-types.ts'));
}, 300_000);

afterAll(async () => {
  await ledger?.close();
  data?.remove();
  await broker?.destroy();
  if (project) rmSync(project, { recursive: true, force: true });
}, 60_000);

describe('the revocation client, packed and installed by a separate project', () => {
  it('ships JavaScript and declarations only, and type-checks in a TypeScript project without path aliases', () => {
    const installed = join(project, 'node_modules', '@ledger', 'revocation-client');
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'dist', 'package.json']);
    expect(readdirSync(join(installed, 'dist')).filter((f) => !/\.(js|d\.ts)$/.test(f))).toEqual([]);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'ES2022', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), 'consumer-types.ts'];
    expect(() => execFileSync('node', [tsc, ...args], { cwd: project, stdio: 'pipe' })).not.toThrow();
  });

  it('evicts only the tokens carrying a revoked scope, evicts everything on a message it cannot read, and the ledger agrees', async () => {
    const { consentId, tokens } = await consentWithTokens(ledger.http, ['openid', 'photos:read', 'photos:write'], [['openid', 'photos:read'], ['openid', 'photos:write']]);
    const consumer = new ConsumerProcess(project, {
      LEDGER_URL: ledger.url,
      LEDGER_INTROSPECT_KEY: TEST_KEYS.introspect.secret,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_REVOCATIONS_TOPIC: topic,
      KAFKA_GROUP_ID: `resource-${uid()}`,
      TOKENS: JSON.stringify({ reader: tokens[0].access_token, writer: tokens[1].access_token }),
    });
    try {
      expect((await consumer.next((l) => l.kind === 'ready')).cached).toEqual({ reader: true, writer: true });

      expect((await ledgerSteps(ledger.http).revoke(consentId, { scopes: ['photos:write'] })).status).toBe(200);
      expect((await consumer.next((l) => l.kind === 'consent.scopes_revoked')).cached).toEqual({ reader: true, writer: null });

      await produce(brokers, topic, '{"not": "a revocation"');
      expect((await consumer.next((l) => l.kind === 'error')).cached).toEqual({ reader: null, writer: null });

      consumer.send('introspect');
      expect((await consumer.next((l) => l.kind === 'answers')).answers).toEqual({ reader: true, writer: false });
    } finally {
      await consumer.stop();
    }
  });
});

async function produce(brokers: string[], topic: string, value: string): Promise<void> {
  const producer = new Kafka({ clientId: 'package-test', brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key: 'garbage', value }] });
  } finally {
    await producer.disconnect();
  }
}

/** The installed consumer, as a child process speaking JSON lines. */
class ConsumerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: any[] = [];
  private stderr = '';
  private read = 0;

  constructor(cwd: string, env: Record<string, string>) {
    this.child = spawn('node', ['consumer.js'], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let buffered = '';
    this.child.stdout.on('data', (chunk) => {
      buffered += chunk;
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        this.lines.push(JSON.parse(buffered.slice(0, i)));
        buffered = buffered.slice(i + 1);
      }
    });
    this.child.stderr.on('data', (chunk) => (this.stderr += chunk));
  }

  /** The first line after the last one returned that matches; fails with what the process said if none comes. */
  async next(match: (line: any) => boolean): Promise<any> {
    let found: any;
    await waitUntil(
      () => {
        if (this.child.exitCode !== null) throw new Error(`consumer exited ${this.child.exitCode}: ${this.stderr}`);
        const index = this.lines.findIndex((l, i) => i >= this.read && match(l));
        if (index < 0) return false;
        found = this.lines[index];
        this.read = index + 1;
        return true;
      },
      { timeoutMs: 30_000 },
    ).catch((error) => {
      throw new Error(`${error.message}; lines so far: ${JSON.stringify(this.lines)}; stderr: ${this.stderr}`);
    });
    return found;
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send('stop');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    this.child.kill('SIGKILL');
  }
}
