#!/usr/bin/env node
/**
 * `ledger`: the auditors' command line. Entry point only: the path aliases must be registered before any module
 * that imports them is loaded, so the CLI itself is required afterwards.
 */
import { registerPaths } from './register-paths';

registerPaths();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runCli } = require('./cli') as typeof import('./cli');

runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ledger: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 3;
  },
);
