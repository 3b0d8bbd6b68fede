import { parseArgs } from 'node:util';
import { EventStore } from '@ledger/event-store';

/** Exit codes, as documented in --help. */
export const EXIT = { ok: 0, verificationFailed: 1, usage: 2, store: 3, inUse: 4 } as const;

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** A mistake in the command line: reported with a pointer to --help and exit code 2. */
export class UsageError extends Error {}

/** Every flag of every command; parseArgs is strict, so one flag set keeps unknown flags a usage error everywhere. */
export const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'data-dir': { type: 'string' },
  esdb: { type: 'string' },
  user: { type: 'string' },
  client: { type: 'string' },
  consent: { type: 'string' },
  at: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'from-position': { type: 'string' },
  'to-position': { type: 'string' },
  anchor: { type: 'string' },
  'recorded-at-tolerance': { type: 'string' },
} as const;

export type CliValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** A command's work once the store is open; resolves to its exit code. */
export type CliRun = (store: EventStore, io: CliIo) => Promise<number>;

export interface CliCommand {
  /** Checks the flags and returns the work. Called before the store is opened, so a usage error touches no store. */
  prepare(values: CliValues): CliRun;
  /** The command writes into a store that may not exist yet; the others read, and must find one. */
  createsStore?: boolean;
}
