import { dependentRaceSuite } from './suites/dependent-race.suite';

dependentRaceSuite('embedded SQLite', async () => ({ env: () => ({}) }), 300);
