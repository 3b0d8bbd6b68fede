import { coreLedgerSuite } from './suites/core-ledger.suite';

coreLedgerSuite('embedded SQLite', async () => ({ env: () => ({}) }));
