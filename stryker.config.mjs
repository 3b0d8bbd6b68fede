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
    // Reuses the results of mutants and tests unchanged since the last local run; the file is ignored by git, so CI
    // (a clean clone) always makes a full run. `npx stryker run <config> --force` makes one locally.
    incremental: true,
    incrementalFile: `reports/mutation/${lib}.incremental.json`,
    reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
    jsonReporter: { fileName: `reports/mutation/${lib}.json` },
    htmlReporter: { fileName: `reports/mutation/${lib}.html` },
    thresholds: { high: floor, low: floor, break: floor },
    tempDirName: `.stryker-tmp/${lib}`,
    cleanTempDir: 'always',
  };
}

export default mutationRun('domain', 90);
