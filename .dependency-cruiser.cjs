/**
 * The walls between the parts of this repository (docs/design.md, shared STYLE "Walls that a machine checks").
 * `npm run lint` runs this over the real tree; test/walls/walls.spec.ts runs it over a fixture that breaks every
 * rule once, so a rule that could no longer fail fails that test instead.
 *
 * Paths are matched by folder name and file suffix, never by a list of today's files, so they stay true while
 * code moves. They are relative to the directory depcruise runs in (the repository root, or a fixture's root).
 */

/** What an HTTP edge is made of: the http/ folder of any app, the per-route files, and the HTTP frameworks. */
const HTTP = [
  '^apps/[^/]+/src/http/',
  '\\.(controller|request|response|param)\\.ts$',
  '(^|/)node_modules/(@nestjs/swagger|@nestjs/platform-fastify|fastify|@fastify/[^/]+)/',
];

/** A command's path below the controller: the command, its handler, and query handlers. */
const COMMAND_PATH = '\\.(command|handler|query)\\.ts$';

const commandsSkipHttp = {
  name: 'commands-skip-http',
  comment:
    'A command, its handler or a query handler imports nothing from HTTP: no controller, request or response DTO, ' +
    'route param, http/ helper or HTTP framework. The edge translates; the path below it reads straight through.',
  severity: 'error',
  from: { path: COMMAND_PATH },
  to: { path: HTTP },
};

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'libs/domain holds pure deciders, events and errors: it imports only itself and the Node standard library ' +
        '(no framework, no broker or store client, no validation library, no other lib).',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: '^libs/domain/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'libs-not-to-apps',
      comment: 'Apps depend on libs, never the other way round.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    commandsSkipHttp,
    {
      name: 'no-circular',
      comment: 'No module reaches itself through its imports (type-only imports count: they are design cycles too).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves: a path alias that tsconfig.json does not map, or a package not installed, fails here.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    // The fixtures break the rules on purpose; the walls spec cruises them on their own.
    exclude: { path: ['^dist/', '^test/walls/fixtures/'] },
    // Type-only imports are dependencies too: `import type` from @nestjs in the domain is still a wall breached.
    tsPreCompilationDeps: true,
    // Resolves the @ledger/* path aliases; relative to where depcruise runs, so a fixture brings its own.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json', '.d.ts'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
