import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The problem `code` values a source file can answer, read from how this codebase raises them: problem(status,
 * 'code', ...), the domain's invalid/notFound/conflict/unprocessable/unavailable('code', ...), new DomainError('code',
 * ...), a code chosen by a ternary on a line that builds a problem (or continues one), and the HTTP_CODES map.
 */
export function problemCodesIn(source: string): Set<string> {
  const codes = new Set<string>();
  const add = (re: RegExp, text: string) => {
    for (const m of text.matchAll(re)) codes.add(m[1]);
  };
  add(/(?:\bproblem\(\s*\d{3}\s*,|\b(?:invalid|unprocessable|notFound|conflict|unavailable)\(|new DomainError\()\s*'([a-z][a-z0-9_]*)'/g, source);
  for (const line of source.split('\n')) {
    if (/\bproblem\(|^\s*[?:]\s*'[a-z]/.test(line)) add(/[?:]\s*'([a-z][a-z0-9]*(?:_[a-z0-9]+)+)'/g, line);
    if (/HTTP_CODES\b.*=\s*\{/.test(line)) add(/\d{3}:\s*'([a-z][a-z0-9_]*)'/g, line);
  }
  return codes;
}

/** Every code raised in apps/ and libs/ (tests and fixtures aside), with the files that raise it. */
export function problemCodesOfRepo(root: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ts$/.test(name) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(name) && !path.includes(`${join('src', 'testing')}`)) {
        for (const code of problemCodesIn(readFileSync(path, 'utf8'))) found.set(code, [...(found.get(code) ?? []), relative(root, path)]);
      }
    }
  };
  for (const top of ['apps', 'libs']) walk(join(root, top));
  return found;
}

/** The codes docs/problem-codes.md lists: the first cell of each table row, in backticks. */
export function documentedCodes(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^\|\s*`([a-z][a-z0-9_<>]*)`\s*\|/gm)].map((m) => m[1]));
}
