import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_DIR_LOCK_FILE, DataDirLock, DataDirLockedError } from './data-dir-lock';

// The cross-process case (and SIGKILL) is test/data-dir.e2e-spec.ts; SQLite keeps the same rule between two
// connections of one process, which is what this checks.
describe('DataDirLock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is held by one holder at a time, refuses at once with the directory named, and is free again after release', () => {
    const first = DataDirLock.acquire(dir);
    expect(statSync(join(dir, DATA_DIR_LOCK_FILE)).mode & 0o777).toBe(0o600);
    expect(() => DataDirLock.acquire(dir)).toThrow(DataDirLockedError);
    expect(() => DataDirLock.acquire(dir)).toThrow(`the data directory ${dir} is in use by another ledger process`);
    first.release();
    first.release(); // twice is harmless (shutdown paths may overlap)
    DataDirLock.acquire(dir).release();
  });
});
