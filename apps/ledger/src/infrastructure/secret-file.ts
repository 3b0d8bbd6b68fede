import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * A generated secret's file in the secrets directory (outside the data directory), created at the first start:
 * directory 0700, file 0600, written under a temporary name and linked into place, so that two processes starting at
 * once on one secrets directory end up with the same secret (link fails for the second; it reads the first one's).
 * `looseMode`: the file or its directory can be read by others, which the caller warns about.
 */
export function secretFileOnce(secretsDir: string, name: string, generate: () => string): { file: string; created: boolean; looseMode: boolean } {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  const file = join(secretsDir, name);
  let created = false;
  try {
    statSync(file);
  } catch {
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, generate());
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, file);
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(tmp);
    }
  }
  if (created) chmodSync(secretsDir, 0o700);
  const looseMode = (statSync(file).mode & 0o077) !== 0 || (statSync(secretsDir).mode & 0o077) !== 0;
  return { file, created, looseMode };
}
