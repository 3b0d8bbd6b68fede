import { clientLifecycleSuite } from './suites/client-lifecycle.suite';

clientLifecycleSuite('embedded SQLite', async () => ({ env: () => ({}) }));
