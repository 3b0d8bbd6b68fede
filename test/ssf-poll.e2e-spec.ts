import { ssfPollSuite } from './suites/ssf-poll.suite';

ssfPollSuite('embedded SQLite', async () => ({ env: () => ({}) }));
