import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredEvent } from '@ledger/event-store';
import { RunningLedger, startLedger, tempDataDir } from '../support/ledger-app';
import { DATA_DIR, deriveTokens, EXPECTED_FILE, GOLDEN_ROOT, GoldenExpected, goldenEnv, goldenKeysCopy, goldenSsfSecrets, ready } from './golden-answers';

/** Every golden directory under test/golden/ that holds its expected answers, by name. */
export const goldenDirs = readdirSync(GOLDEN_ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(GOLDEN_ROOT, d.name, EXPECTED_FILE)))
  .map((d) => d.name)
  .sort();

/** Where the log lives, when not in the copy's events.db: the EventStoreDB suite migrates it to its server first. */
export interface GoldenStore {
  /** Runs before the data directory is copied; gives the env that selects the store. */
  setUp(golden: { dir: string; expected: GoldenExpected }): Promise<Record<string, string>>;
  /** Runs on the copy of the data directory, before the service starts on it. */
  prepare(copyDir: string): void;
  /** Runs once the service is closed. */
  tearDown(): Promise<void>;
}

export interface GoldenLedger {
  readonly dir: string;
  readonly expected: GoldenExpected;
  /** Set once the suite's first beforeAll has run. */
  ledger: RunningLedger;
  /** The log as the started service reads it. */
  events: StoredEvent[];
  /** Each golden token's raw value, by name. */
  raw: Map<string, string>;
}

/**
 * The current code started on a copy of one golden directory (golden.e2e-spec.ts, esdb-golden.e2e-spec.ts): its data
 * directory, its SSF secrets, and its subject key store and KEK (outside the data directory, as a deployment keeps
 * them), at the clock the directory was made at. Call it in the describe block; the copies go in afterAll.
 */
export function goldenLedger(name: string, store?: GoldenStore): GoldenLedger {
  const dir = join(GOLDEN_ROOT, name);
  const expected = JSON.parse(readFileSync(join(dir, EXPECTED_FILE), 'utf8')) as GoldenExpected;
  const copy = tempDataDir();
  const keys = goldenKeysCopy(dir);
  const run = { dir, expected } as GoldenLedger;

  beforeAll(async () => {
    const storeEnv = (await store?.setUp({ dir, expected })) ?? {};
    cpSync(join(dir, DATA_DIR), copy.dir, { recursive: true });
    goldenSsfSecrets(dir, copy.dir);
    store?.prepare(copy.dir);
    run.ledger = await startLedger({ dataDir: copy.dir, env: { ...goldenEnv(dir, expected.issuer, keys.dir), ...storeEnv }, clock: { now: () => expected.clockMs } });
    await ready(run.ledger);
    run.events = await run.ledger.events();
    run.raw = deriveTokens(dir, expected.tokens, run.events);
  }, 60_000);
  afterAll(async () => {
    await run.ledger?.close();
    await store?.tearDown();
    copy.remove();
    keys.remove();
  });
  return run;
}
