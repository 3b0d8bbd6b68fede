import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from '../support/ledger-app';
import type { StoreFixture } from './core-ledger.suite';

export interface SuiteLedger {
  ledger: RunningLedger;
  steps: ReturnType<typeof ledgerSteps>;
}

/**
 * One service per suite on the adapter's store, started before the suite's tests and closed, with its data
 * directory and the store's teardown, after them. Call it in the describe block; its members are set once the
 * suite's first beforeAll has run (hooks run in the order they are declared).
 */
export function suiteLedger(fixture: () => Promise<StoreFixture>, env: Record<string, string> = {}): SuiteLedger {
  const running = {} as SuiteLedger;
  let store: StoreFixture | undefined;
  let data: ReturnType<typeof tempDataDir> | undefined;
  beforeAll(async () => {
    store = await fixture();
    data = tempDataDir();
    running.ledger = await startLedger({ dataDir: data.dir, env: { ...env, ...store.env() } });
    running.steps = ledgerSteps(running.ledger.http);
  });
  afterAll(async () => {
    await running.ledger?.close();
    data?.remove();
    await store?.teardown?.();
  });
  return running;
}
