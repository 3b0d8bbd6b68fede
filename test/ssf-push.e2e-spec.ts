import { ssfPushSuite } from './suites/ssf-push.suite';

ssfPushSuite('embedded SQLite', async () => ({ env: () => ({}) }));
