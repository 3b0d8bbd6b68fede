// Mutation testing of the pure core, one stryker run per lib, each with its own floor: `npm run test:mutation`
// runs this file (libs/domain, 90 %) and stryker.audit.config.mjs (libs/audit, 85 %). A mutant that no test
// notices is a test that could not fail (shared STYLE). docs/testing.md says how to read a survivor, lists the
// survivors that are equivalent, and why the incremental files stay out of git.
/**
 * One lib's run. Only that lib's own specs run against its mutants: a mutant costs a second, and the ones stryker
 * must run against every test (module-level constants and patterns, "static" mutants) reload one lib's specs, not
 * both. test/audit-replay.int-spec.ts stays in the full suite only: it drives the whole write path in a beforeAll,
 * which stryker cannot attribute to a test, so hundreds of mutants would each run every test (40 minutes, not 5).
 */
export function mutationRun(lib, floor) {
  return {
    mutate: [`libs/${lib}/src/**/*.ts`, '!**/*.spec.ts', '!**/*.int-spec.ts', '!**/testing/**'],
    testRunner: 'jest',
    // The repository's jest.config.js, with its test pattern (every suite) narrowed to this lib's specs.
    jest: { projectType: 'custom', configFile: 'jest.config.js', config: { testRegex: `/libs/${lib}/src/.*\\.(spec|int-spec)\\.ts$` } },
    // Each mutant runs only the tests that cover it.
    coverageAnalysis: 'perTest',
    // Two cores, shared: more would only queue.
    concurrency: 2,
    // A mutant that loops for ever (a few do) costs this much on top of its tests' normal time, times 1.5: 20 s cost
    // minutes of CI a run, and no real spec comes near 10 s under stryker.
    timeoutMS: 10000,
    // Reuses the results of mutants and tests unchanged since the recorded run. libs/domain's record is committed
    // (test/mutation/), and scripts/ci/mutation.sh forces a full run when an input the reuse check cannot see changed;
    // libs/audit's stays out of git and scripts/ci/mutation.sh never reuses it (docs/testing.md says why).
    incremental: lib === 'domain' || !process.env.CI,
    incrementalFile: lib === 'domain' ? 'test/mutation/domain.incremental.json' : `reports/mutation/${lib}.incremental.json`,
    reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
    jsonReporter: { fileName: `reports/mutation/${lib}.json` },
    htmlReporter: { fileName: `reports/mutation/${lib}.html` },
    thresholds: { high: floor, low: floor, break: floor },
    tempDirName: `.stryker-tmp/${lib}`,
    cleanTempDir: 'always',
  };
}

export default mutationRun('domain', 90);
