import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentedCodes, problemCodesIn, problemCodesOfRepo } from './docs/problem-codes';

const ROOT = join(__dirname, '..');

/** docs/problem-codes.md is the list a front end branches on: it names every code the service can answer. */
describe('docs/problem-codes.md', () => {
  const documented = documentedCodes(readFileSync(join(ROOT, 'docs/problem-codes.md'), 'utf8'));
  const raised = problemCodesOfRepo(ROOT);

  it('lists every problem code raised in apps/ and libs/', () => {
    const missing = [...raised.keys()].filter((code) => !documented.has(code)).map((code) => `${code} (${raised.get(code)!.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('lists no code that nothing raises', () => {
    const stale = [...documented].filter((code) => code !== 'http_<status>' && !raised.has(code));
    expect(stale).toEqual([]);
    // The fallback for framework errors is raised as a template.
    expect(readFileSync(join(ROOT, 'apps/ledger/src/http/problem-details.filter.ts'), 'utf8')).toContain('`http_${status}`');
  });

  it('finds codes in every form the codebase raises them', () => {
    const source = [
      "throw new ProblemError(problem(400, 'new_edge_code', 'Bad request'));",
      "throw invalid('new_domain_code', 'x');",
      "throw new DomainError('constructed_code', 'conflict', 'x');",
      "const body = problem(status, status === 431 ? 'chosen_code' : 'other_code', 'x');",
      '      fastifyError.code === X',
      "        ? 'continued_code'",
      "        : 'last_code';",
      "const HTTP_CODES: Record<number, string> = { 404: 'mapped_code' };",
      "const unrelated = 'not_a_code';",
    ].join('\n');
    expect([...problemCodesIn(source)].sort()).toEqual(
      ['chosen_code', 'constructed_code', 'continued_code', 'last_code', 'mapped_code', 'new_domain_code', 'new_edge_code', 'other_code'].sort(),
    );
  });
});
