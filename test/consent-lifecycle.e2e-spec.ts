import { consentLifecycleSuite } from './suites/consent-lifecycle.suite';

consentLifecycleSuite('embedded SQLite', async () => ({ env: () => ({}) }));
