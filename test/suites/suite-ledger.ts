import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from '../support/ledger-app';

export interface StoreFixture {
  /** Environment that selects the store (empty for the embedded default). */
  env(): Record<string, string>;
  /** Whether views live next to a store that survives the app (true for both adapters). */
  teardown?(): Promise<void>;
}

export interface SuiteLedger<F extends StoreFixture = StoreFixture> {
  ledger: RunningLedger;
  steps: ReturnType<typeof ledgerSteps>;
  /** The adapter's store, as the fixture made it (a suite may read its flags). */
  store: F;
  /**
   * Closes the service and starts it again on the same data directory and store; `whileDown` runs in between (to drop
   * the views, say). The members are the new service's once it resolves.
   */
  restart(whileDown?: (dataDir: string) => void | Promise<void>): Promise<SuiteLedger<F>>;
}

export interface SuiteLedgerOptions {
  /**
   * 'suite' (the default): one service for all the suite's tests. 'test': a service on a fresh data directory for each
   * test, on the same store, for suites whose tests end what others hold (a ledger-wide not-before) or restart it.
   */
  per?: 'suite' | 'test';
}

/**
 * One service per suite (or per test) on the adapter's store, started before the suite's tests (or each test) and
 * closed, with its data directory, after them; the store's teardown runs after the suite. Call it in the describe
 * block; its members are set once the suite's first beforeAll (or each test's first beforeEach) has run (hooks run in
 * the order they are declared).
 */
export function suiteLedger<F extends StoreFixture>(fixture: () => Promise<F>, env: Record<string, string> = {}, options: SuiteLedgerOptions = {}): SuiteLedger<F> {
  let data: ReturnType<typeof tempDataDir> | undefined;
  const start = async () => {
    running.ledger = await startLedger({ dataDir: data!.dir, env: { ...env, ...running.store.env() } });
    running.steps = ledgerSteps(running.ledger.http);
  };
  const running = {
    async restart(whileDown) {
      await running.ledger.close();
      await whileDown?.(data!.dir);
      await start();
      return running;
    },
  } as SuiteLedger<F>;
  const up = async () => {
    data = tempDataDir();
    await start();
  };
  const down = async () => {
    await running.ledger?.close();
    data?.remove();
  };
  beforeAll(async () => {
    running.store = await fixture();
    if (options.per !== 'test') await up();
  });
  if (options.per === 'test') {
    beforeEach(up);
    afterEach(down);
  }
  afterAll(async () => {
    if (options.per !== 'test') await down();
    await running.store?.teardown?.();
  });
  return running;
}
