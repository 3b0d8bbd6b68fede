import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ledgerSteps, tempDataDir } from './support/ledger-app';
import { runLedgerCli } from './support/ledger-cli';
import { LedgerProcess, spawnLedger } from './support/ledger-process';

/**
 * The data directory as the operating system sees it (run `npm run build` first): one ledger process per directory,
 * released even by SIGKILL, and files that only the service's user can read.
 */
describe('The data directory', () => {
  const running: LedgerProcess[] = [];
  const dirs: Array<ReturnType<typeof tempDataDir>> = [];
  const start = async (options: Parameters<typeof spawnLedger>[0]) => {
    const p = await spawnLedger(options);
    running.push(p);
    return p;
  };
  const dir = () => {
    const d = tempDataDir();
    dirs.push(d);
    return d.dir;
  };
  afterAll(async () => {
    for (const p of running) await p.kill();
    for (const d of dirs) d.remove();
  });

  const modes = (d: string) => Object.fromEntries(readdirSync(d).map((f) => [f, (statSync(join(d, f)).mode & 0o777).toString(8)]));

  it('refuses a second process with exit code 4 and a message naming the directory; SIGKILL of the holder frees it', async () => {
    const dataDir = dir();
    const first = await start({ dataDir });
    expect((await ledgerSteps(first.http).registerClient('lock-app')).status).toBe(201);

    const second = await spawnLedger({ dataDir }).then(
      (p) => {
        running.push(p);
        return 'started';
      },
      (e: Error) => e.message,
    );
    expect(second).toContain('ledger exited with 4');
    expect(second).toContain(`the data directory ${dataDir} is in use by another ledger process`);

    // A writing CLI command is refused the same way; a reading one works next to the service (WAL readers).
    const imported = await runLedgerCli(['audit', 'import', '--quiet', '--data-dir', dataDir], { stdin: '' });
    expect(imported.code).toBe(4);
    expect(imported.stderr).toContain('is in use by another ledger process');
    const verified = await runLedgerCli(['audit', 'verify', '--quiet', '--data-dir', dataDir]);
    expect(verified.stdout).toContain('OK');
    expect(verified.code).toBe(0);

    // No pid file to go stale: the kernel drops the lock with the process.
    await first.kill();
    const third = await start({ dataDir });
    expect((await ledgerSteps(third.http).registerClient('lock-app-2')).status).toBe(201);
    expect(await third.stop()).toBe(0);
  }, 60_000);

  it('creates the directory 0700 and every file in it 0600, whatever the umask', async () => {
    const dataDir = join(dir(), 'fresh', 'data');
    const umask = process.umask(0);
    let p: LedgerProcess;
    try {
      p = await start({ dataDir, env: { LEDGER_API_KEYS: '' } });
    } finally {
      process.umask(umask);
    }
    const steps = ledgerSteps(p.http);
    await steps.registerClient('mode-app');
    await steps.grant('mode-user@example.org', 'mode-app', ['openid']);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const files = modes(dataDir);
    // The -wal and -shm files exist while the service runs: they are private from their first byte.
    for (const f of ['events.db', 'events.db-wal', 'events.db-shm', 'views.db', 'views.db-wal', 'node.db', 'ledger.lock']) expect(Object.keys(files)).toContain(f);
    expect(Object.values(files).filter((m) => m !== '600')).toEqual([]);
    expect(await p.stop()).toBe(0);
  }, 60_000);

  it('tightens a directory and files left wider by an earlier version, and says so', async () => {
    const dataDir = dir();
    const first = await start({ dataDir });
    await ledgerSteps(first.http).registerClient('loose-app');
    expect(await first.stop()).toBe(0);
    chmodSync(dataDir, 0o755);
    for (const f of readdirSync(dataDir)) chmodSync(join(dataDir, f), 0o644);

    const again = await start({ dataDir, env: { LOG_LEVEL: 'warn' } });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(Object.values(modes(dataDir)).filter((m) => m !== '600')).toEqual([]);
    expect(again.output()).toContain('was mode 0755; tightened to 0700');
    expect(await again.stop()).toBe(0);
  }, 60_000);
});
