import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoredEvent } from '@ledger/event-store';
import { ledgerSteps, startLedger, tempDataDir } from './support/ledger-app';
import { runLedgerCli } from './support/ledger-cli';

/**
 * recordedAt is the one field the hash chain cannot cover (the store assigns it after the link is computed). An
 * attacker with the file edits it below the store; as-of must not follow the edit, and verify must name it. Real
 * SQLite copies, the real CLI as a process (run `npm run build` first).
 */
describe('A moved recordedAt (real SQLite copy, the CLI as a process)', () => {
  const data = tempDataDir();
  const copies: string[] = [];
  let sealed: string;
  let events: StoredEvent[];

  beforeAll(async () => {
    const ledger = await startLedger({ dataDir: data.dir });
    const steps = ledgerSteps(ledger.http);
    await steps.registerClient('time-app');
    const consent = await steps.grant('time-user', 'time-app', ['openid']);
    await steps.issue(consent.body.id);
    await steps.grant('time-other', 'time-app', ['openid']);
    events = await ledger.events();
    await ledger.close();
    sealed = mkdtempSync(join(tmpdir(), 'ledger-time-'));
    copyFileSync(join(data.dir, 'events.db'), join(sealed, 'events.db'));
  });
  afterAll(() => {
    for (const dir of [sealed, ...copies]) rmSync(dir, { recursive: true, force: true });
    data.remove();
  });

  function tampered(sql: string, ...args: unknown[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-time-tampered-'));
    copies.push(dir);
    copyFileSync(join(sealed, 'events.db'), join(dir, 'events.db'));
    const db = new Database(join(dir, 'events.db'));
    db.prepare(sql).run(...args);
    db.close();
    return dir;
  }

  it('the untouched ledger verifies: chains written without any new field keep verifying', async () => {
    const run = await runLedgerCli(['audit', 'verify', '--quiet', '--data-dir', sealed]);
    expect(run.stdout).toContain('OK');
    expect(run.code).toBe(0);
  });

  it('a grant backdated to 2020 does not appear as of 2021, and verify names it', async () => {
    const victim = events.find((e) => e.type === 'ConsentGranted' && e.data.userId === 'time-user')!;
    const dir = tampered('UPDATE events SET recorded_at = ? WHERE position = ?', '2020-06-01T00:00:00.000Z', victim.position);

    const replay = await runLedgerCli(['audit', 'replay', '--json', '--user', 'time-user', '--at', '2021-01-01T00:00:00Z', '--data-dir', dir]);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ consents: [], position: -1 });

    const run = await runLedgerCli(['audit', 'verify', '--quiet', '--data-dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAILED: recorded_at_mismatch: recordedAt 2020-06-01T00:00:00.000Z is ');
    expect(run.stdout).toContain(`before the command's chained time ${victim.data.grantedAt}`);
    expect(run.stdout).toContain(`position ${victim.position}, stream ${victim.stream}, revision ${victim.revision}, id ${victim.id}, type ConsentGranted`);
    // Only the moved event is blamed, not the ones after it.
    expect(run.stdout).not.toContain('also:');
  });

  it('a small move that puts an event before its predecessor is named, and the tolerance is configurable', async () => {
    const victim = events[events.length - 1];
    const before = events[events.length - 2];
    const moved = new Date(Date.parse(before.recordedAt) - 1).toISOString();
    const dir = tampered('UPDATE events SET recorded_at = ? WHERE position = ?', moved, victim.position);
    const run = await runLedgerCli(['audit', 'verify', '--quiet', '--json', '--data-dir', dir]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).problems).toEqual([
      expect.objectContaining({ kind: 'recorded_at_out_of_order', position: victim.position, id: victim.id, message: expect.stringContaining(`earlier than ${before.recordedAt} of position ${before.position}`) }),
    ]);

    // An hour later than its command: within a tolerance of two hours, not within the default.
    const late = tampered('UPDATE events SET recorded_at = ? WHERE position = ?', new Date(Date.parse(victim.recordedAt) + 3_600_000).toISOString(), victim.position);
    expect((await runLedgerCli(['audit', 'verify', '--quiet', '--data-dir', late])).code).toBe(1);
    expect((await runLedgerCli(['audit', 'verify', '--quiet', '--recorded-at-tolerance', '7200', '--data-dir', late])).code).toBe(0);
    expect((await runLedgerCli(['audit', 'verify', '--quiet', '--recorded-at-tolerance', 'soon', '--data-dir', late])).code).toBe(2);
  });
});
