import { dependentConsentsSuite } from './suites/dependent-consents.suite';

dependentConsentsSuite('embedded SQLite', async () => ({ env: () => ({}) }));
