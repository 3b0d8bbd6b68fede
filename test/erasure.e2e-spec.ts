import { erasureSuite } from './suites/erasure.suite';

erasureSuite('embedded SQLite store', async () => ({ env: () => ({}) }), { embedded: true });
