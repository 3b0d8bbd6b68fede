import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A check that cannot fail is a defect. Each checker behind `npm run lint` runs here twice: over a fixture that
 * breaks every one of its rules once (test/walls/fixtures/<checker>), where it must fail with exactly those rules,
 * and over the real tree, where it must pass. The real-tree runs are the lint scripts themselves, so what passes
 * here is what CI runs.
 */

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(__dirname, 'fixtures');
const bin = (tool: string) => join(ROOT, 'node_modules', '.bin', tool);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0' } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

const lintScript = (script: string, ...args: string[]) => run('npm', ['run', '--silent', script, '--', ...args]);

/** A resolved package path, as `../../node_modules/@nestjs/common/index.js`, named as it is imported. */
const moduleName = (path: string) => path.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, '$1');

// Two tools run per test, each up to a minute on a busy two-core machine.
const SLOW = 240_000;

describe('dependency-cruiser', () => {
  const config = require(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: Array<{ name: string }> };

  interface Violation {
    rule: { name: string };
    from: string;
    to: string;
  }
  const violations = (r: Run) =>
    (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${moduleName(v.to)}`).sort();

  it(
    'fails on its fixture with every rule, each on the import planted for it, and nothing else',
    async () => {
      const cruise = (...args: string[]) => run(bin('depcruise'), ['--config', join(ROOT, '.dependency-cruiser.cjs'), ...args, 'apps', 'libs'], join(FIXTURES, 'depcruise'));
      // Only the text reporters set the exit code (to the number of errors); the JSON one names the violations.
      expect((await cruise()).code).toBe(7);
      const r = await cruise('--output-type', 'json');
      expect(violations(r)).toEqual([
        'commands-skip-http: apps/ledger/src/grant-consent/grant-consent.command.ts → @nestjs/swagger',
        'commands-skip-http: apps/ledger/src/grant-consent/grant-consent.handler.ts → apps/ledger/src/http/problem.ts',
        'domain-is-pure: libs/domain/src/imports-a-framework.ts → @nestjs/common',
        'domain-is-pure: libs/domain/src/imports-another-lib.ts → libs/projections/src/index.ts',
        'libs-not-to-apps: libs/projections/src/imports-an-app.ts → apps/ledger/src/http/problem.ts',
        'no-circular: libs/projections/src/cycle-a.ts → libs/projections/src/cycle-b.ts',
        'not-to-unresolvable: apps/ledger/src/unresolvable.ts → @ledger/nowhere',
      ]);
      // A rule added to the config without a fixture that breaks it fails here.
      expect([...new Set(violations(r).map((v) => v.split(':')[0]))]).toEqual([...new Set(config.forbidden.map((rule) => rule.name))].sort());
    },
    SLOW,
  );

  it(
    'passes on the real tree (npm run lint:deps)',
    async () => {
      const r = await lintScript('lint:deps');
      expect({ code: r.code, output: r.stdout + r.stderr }).toEqual({ code: 0, output: expect.stringContaining('no dependency violations found') });
    },
    SLOW,
  );
});

describe('eslint (file size)', () => {
  interface FileResult {
    filePath: string;
    messages: Array<{ ruleId: string | null; message: string }>;
  }
  const problems = (r: Run, cwd: string) =>
    (JSON.parse(r.stdout) as FileResult[]).flatMap((f) => f.messages.map((m) => `${m.ruleId}: ${f.filePath.slice(cwd.length + 1)}: ${m.message}`)).sort();

  it(
    'fails on its fixtures with max-lines on the files one line too long, in apps/ and in test/, not on the long spec files',
    async () => {
      // test/ holds support code as well as cases: a launcher or a harness is held to the same size as the app. The
      // fixture's two files stand in test/ as well, as support code and as a case, copied rather than kept twice.
      const cwd = mkdtempSync(join(tmpdir(), 'walls-eslint-'));
      try {
        const src = join(FIXTURES, 'eslint', 'apps', 'ledger', 'src');
        cpSync(join(FIXTURES, 'eslint', 'apps'), join(cwd, 'apps'), { recursive: true });
        cpSync(join(src, 'too-long.ts'), join(cwd, 'test', 'support', 'too-long.ts'));
        cpSync(join(src, 'long.spec.ts'), join(cwd, 'test', 'long.e2e-spec.ts'));
        const r = await run(bin('eslint'), ['--config', join(ROOT, 'eslint.config.mjs'), '--format', 'json', 'apps', 'test'], cwd);
        expect(r.code).not.toBe(0);
        expect(problems(r, cwd)).toEqual([
          'max-lines: apps/ledger/src/too-long.ts: File has too many lines (301). Maximum allowed is 300.',
          'max-lines: test/support/too-long.ts: File has too many lines (301). Maximum allowed is 300.',
        ]);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
    SLOW,
  );

  it(
    'passes on the real tree (npm run lint:size)',
    async () => {
      const r = await lintScript('lint:size', '--format', 'json');
      expect({ code: r.code, problems: r.stdout.startsWith('[') ? problems(r, ROOT) : r.stderr }).toEqual({ code: 0, problems: [] });
    },
    SLOW,
  );
});

describe('knip (dead code)', () => {
  interface Report {
    files: string[];
    issues: Array<{
      file: string;
      dependencies: Array<{ name: string }>;
      exports: Array<{ name: string }>;
      types: Array<{ name: string }>;
      classMembers: Record<string, Array<{ name: string }>>;
      [type: string]: unknown;
    }>;
  }
  /** Every issue as `type: file: name`, whatever its type, so that an unexpected kind shows up too. */
  const issues = (r: Run) => {
    const report = JSON.parse(r.stdout) as Report;
    const found = report.files.map((f) => `files: ${f}`);
    for (const { file, ...byType } of report.issues) {
      for (const [type, value] of Object.entries(byType)) {
        const named = Array.isArray(value) ? (value as Array<{ name: string }>) : Object.entries(value as Record<string, Array<{ name: string }>>).flatMap(([owner, members]) => members.map((m) => ({ name: `${owner}.${m.name}` })));
        for (const { name } of named) found.push(`${type}: ${file}: ${name}`);
      }
    }
    return found.sort();
  };

  it(
    'fails on its fixture with an unused file, export, type, class member and dependency',
    async () => {
      const r = await run(bin('knip'), ['--directory', join(FIXTURES, 'knip'), '--config', join(ROOT, 'knip.jsonc'), '--reporter', 'json', '--no-progress']);
      expect(r.code).not.toBe(0);
      expect(issues(r)).toEqual([
        'classMembers: libs/domain/src/index.ts: Ledger.unusedMember',
        'dependencies: package.json: kafkajs',
        'exports: libs/domain/src/index.ts: unusedExport',
        'files: libs/domain/src/orphan.ts',
        'types: libs/domain/src/index.ts: UnusedType',
      ]);
    },
    SLOW,
  );

  it(
    'passes on the real tree (npm run lint:dead)',
    async () => {
      const r = await lintScript('lint:dead', '--reporter', 'json', '--no-progress');
      expect({ code: r.code, issues: r.stdout.startsWith('{') ? issues(r) : r.stderr }).toEqual({ code: 0, issues: [] });
    },
    SLOW,
  );
});
