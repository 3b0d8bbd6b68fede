import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NdjsonError } from '@ledger/audit';
import { DataDirLock, DataDirLockedError, ensureDirectory, EventStore, EventStoreError, openEventStore } from '@ledger/event-store';
import { CliCommand, CliIo, CliValues, EXIT, OPTIONS, UsageError } from './cli-command';
import { auditExport } from './commands/audit-export';
import { auditImport } from './commands/audit-import';
import { auditReplay } from './commands/audit-replay';
import { auditVerify } from './commands/audit-verify';
import { HELP } from './help';

// What this module exported before the commands moved out, so that callers of runCli keep their imports.
export type { CliIo };
export { EXIT, HELP, EventStoreError };

const AUDIT_COMMANDS = new Map<string, CliCommand>([
  ['replay', auditReplay],
  ['verify', auditVerify],
  ['export', auditExport],
  ['import', auditImport],
]);

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let values: CliValues;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (error) {
    io.stderr.write(`ledger: ${(error as Error).message}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  const [group, name, ...extra] = positionals;
  const command = group === 'audit' && name && extra.length === 0 ? AUDIT_COMMANDS.get(name) : undefined;
  if (!command) {
    io.stderr.write(`ledger: unknown command "${positionals.join(' ')}"\n\n${HELP}`);
    return EXIT.usage;
  }

  let store: EventStore | undefined;
  let lock: DataDirLock | undefined;
  try {
    const run = command.prepare(values); // usage is checked before the store is opened
    ({ store, lock } = await openStore(values, io.env, command.createsStore === true));
    return await run(store, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`ledger: ${error.message}\n(see ledger --help)\n`);
      return EXIT.usage;
    }
    if (error instanceof NdjsonError) {
      io.stderr.write(`ledger: import input is malformed: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof DataDirLockedError) {
      io.stderr.write(`ledger: ${error.message}\n`);
      return EXIT.inUse;
    }
    io.stderr.write(`ledger: store error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.store;
  } finally {
    await store?.close().catch(() => undefined);
    lock?.release();
  }
}

/**
 * --esdb wins; an explicit --data-dir overrides EVENTSTORE_CONNECTION_STRING, which would otherwise select EventStoreDB.
 *
 * A command that writes into the embedded store takes the data directory's single-writer lock first, as the service
 * does, so it is refused while a service (or another import) runs there. The read-only commands take no lock: the
 * store is in WAL mode, where readers work next to the writer and see a consistent snapshot.
 */
async function openStore(v: CliValues, env: NodeJS.ProcessEnv, writes: boolean): Promise<{ store: EventStore; lock?: DataDirLock }> {
  const esdb = v.esdb ?? (v['data-dir'] === undefined ? env.EVENTSTORE_CONNECTION_STRING?.trim() || undefined : undefined);
  const dataDir = resolve(v['data-dir'] ?? env.LEDGER_DATA_DIR ?? './data');
  const lock = writes && !esdb ? (ensureDirectory(dataDir), DataDirLock.acquire(dataDir)) : undefined;
  try {
    return { store: (await openEventStore({ eventStoreConnectionString: esdb, dataDir, create: writes })).store, lock };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
