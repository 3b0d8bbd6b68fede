import { refreshRaceSuite } from './suites/refresh-race.suite';

refreshRaceSuite('embedded SQLite', async () => ({ env: () => ({}) }), 300);
