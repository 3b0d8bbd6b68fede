import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The data directory holds user ids (often e-mail addresses), their consents and reasons: personal data, for the
 * service's own user only. Modes are set explicitly rather than left to the umask, which a container or a shell
 * profile may have set to anything.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates the directory (and missing parents) 0700. An existing directory is left as it is here: what to do about a
 * wider one is the owner's policy (the service tightens it, see ensurePrivateDataDir in the app).
 */
export function ensureDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Makes a SQLite database file 0600 BEFORE SQLite opens it: SQLite creates the -wal, -shm and -journal files with
 * the main file's mode (and fchmods them against the umask), so they are private from their first byte too. Files
 * left wider by an earlier version are tightened here.
 */
export function preparePrivateDatabaseFile(file: string): void {
  ensureDirectory(dirname(file));
  const fd = openSync(file, 'a', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
  for (const suffix of ['-wal', '-shm', '-journal']) {
    try {
      if ((statSync(file + suffix).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(file + suffix, PRIVATE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
