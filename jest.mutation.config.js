// The jest run that `npm run test:mutation` (stryker.config.mjs) repeats for the mutants: only the specs of
// libs/domain and libs/audit, so that a mutant costs a second, not the whole suite.
//
// test/audit-replay.int-spec.ts is left to the full suite on purpose: it drives the whole write path in a
// beforeAll, and coverage outside a test counts as "static" for stryker, which then runs EVERY test for each of
// the ~500 mutants that beforeAll touches (about 40 minutes instead of 5). What it proved for libs/audit is pinned
// by the audit specs instead (as-of.spec.ts, audit-queries.int-spec.ts, chained-event-store.int-spec.ts).
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testRegex: undefined,
  testMatch: ['<rootDir>/libs/{domain,audit}/src/**/*.{spec,int-spec}.ts'],
};
