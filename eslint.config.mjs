// ESLint here checks one thing only: file size. Past about 300 lines of code a file is doing more than one job;
// look for the seam its own section banners already mark (shared STYLE, "Engine rooms do one thing each").
// No other rule is on, and nothing is formatted. `npm run lint` runs it over apps/ and libs/, and over the code that
// tests, benches and scripts run on (a broker launcher is an engine room too); test/walls/walls.spec.ts runs it over
// fixtures one line too long.
import tseslint from 'typescript-eslint';

/** Tests may be as long as their cases need. */
const TESTS = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'];
/** The walls' own fixtures break the rule on purpose. */
const FIXTURES = ['test/walls/fixtures/**'];


export default [
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    // Loaded, not enabled: the code names some of its rules in eslint-disable comments, which must resolve.
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: [...TESTS, ...FIXTURES],
    rules: {
      // Blank lines and comments don't count: a comment that says why is never the reason to split a file.
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
];
