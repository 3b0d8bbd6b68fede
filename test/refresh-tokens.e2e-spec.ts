import { refreshTokensSuite } from './suites/refresh-tokens.suite';

refreshTokensSuite('embedded SQLite', async () => ({ env: () => ({}) }));
