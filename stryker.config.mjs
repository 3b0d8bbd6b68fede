// Mutation testing of the pure core: libs/domain (deciders, ids, scopes) and libs/audit (hash chain, verify, as-of,
// NDJSON). A mutant that no test notices is a test that could not fail (shared STYLE). docs/testing.md says how to
// read a survivor, which survivors are equivalent, and why the incremental file is kept out of git.
export default {
  mutate: [
    'libs/domain/src/**/*.ts',
    'libs/audit/src/**/*.ts',
    '!**/*.spec.ts',
    '!**/*.int-spec.ts',
    '!**/testing/**',
  ],
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js' },
  // Each mutant runs only the tests that cover it.
  coverageAnalysis: 'perTest',
  // Two cores, shared: more would only queue.
  concurrency: 2,
  timeoutMS: 20000,
  // Reuses the results of mutants and tests that did not change since the last local run (reports/, ignored by git).
  // CI starts from a clean clone, so there it is always a full run.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // The whole run fails below the lower of the two per-lib floors; scripts/mutation-score.ts then checks each lib
  // against its own (libs/domain 90 %, libs/audit 85 %).
  thresholds: { high: 90, low: 85, break: 85 },
  cleanTempDir: 'always',
};
