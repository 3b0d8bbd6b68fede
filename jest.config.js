// One jest config for every suite; the suffix says what a test touches:
// *.spec.ts pure units, *.int-spec.ts real SQLite / Kafka / wire-level ESDB server, test/**/*.e2e-spec.ts the whole service over HTTP.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // content-disposition 2 (under @fastify/static, which serves /docs) ships ESM only; Node loads it with
    // require(esm), jest cannot, so jest alone compiles it to CommonJS.
    '/node_modules/content-disposition/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  // The walls fixtures break the repository's rules on purpose; test/walls/walls.spec.ts runs the checkers on them.
  // .stryker-tmp/ holds the sandbox copies of the repository while `npm run test:mutation` runs.
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/test/walls/fixtures/', '<rootDir>/.stryker-tmp/'],
  modulePathIgnorePatterns: ['<rootDir>/test/walls/fixtures/', '<rootDir>/.stryker-tmp/'],
  testTimeout: 60000,
};
