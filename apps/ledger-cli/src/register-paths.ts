import { join } from 'node:path';

/**
 * Makes the @ledger/* path aliases resolvable when the built CLI is run directly (`node dist/.../main.js` or the
 * `ledger` bin), doing what `TS_NODE_BASEURL=./dist node -r tsconfig-paths/register` does for start:prod. A no-op
 * when they already resolve (jest, ts-node, or -r tsconfig-paths/register).
 */
export function registerPaths(): void {
  try {
    require.resolve('@ledger/audit');
    return;
  } catch {
    /* not registered yet */
  }
  // dist/apps/ledger-cli/src/ -> repository root
  const root = join(__dirname, '..', '..', '..', '..');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsconfig = require(join(root, 'tsconfig.json')) as { compilerOptions: { paths: Record<string, string[]> } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('tsconfig-paths') as typeof import('tsconfig-paths')).register({ baseUrl: join(root, 'dist'), paths: tsconfig.compilerOptions.paths });
}
