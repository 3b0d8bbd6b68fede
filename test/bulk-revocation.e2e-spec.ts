import { bulkRevocationSuite } from './suites/bulk-revocation.suite';

bulkRevocationSuite('embedded SQLite', async () => ({ env: () => ({}), privateStore: true }));
