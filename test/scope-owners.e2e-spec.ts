import { scopeOwnersSuite } from './suites/scope-owners.suite';

scopeOwnersSuite('embedded SQLite', async () => ({ env: () => ({}) }));
