import { Logger } from '@nestjs/common';
import { chmodSync, statSync } from 'node:fs';
import { DataDirLock, ensureDirectory, PRIVATE_DIR_MODE } from '@ledger/event-store';

/**
 * The service's claim on its data directory, before any file in it is opened: the directory is private (0700), and
 * this process is its only writer (DataDirLock). A second process on the same directory stops here with
 * DataDirLockedError, which main.ts turns into exit code 4.
 *
 * An existing directory with a wider mode is tightened, with a warning, rather than merely warned about: it holds
 * personal data, the service owns it, and a warning nobody reads leaves it readable (docs/design.md).
 */
export function claimDataDirectory(dataDir: string): DataDirLock {
  ensureDirectory(dataDir);
  const mode = statSync(dataDir).mode & 0o777;
  if (mode !== PRIVATE_DIR_MODE) {
    chmodSync(dataDir, PRIVATE_DIR_MODE);
    new Logger('DataDir').warn(`${dataDir} was mode ${mode.toString(8).padStart(4, '0')}; tightened to 0700 (it holds personal data)`);
  }
  return DataDirLock.acquire(dataDir);
}
