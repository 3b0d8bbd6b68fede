/**
 * A golden directory that fails to load stops the service with a message naming the event and its position, and
 * never goes on with partial views (issue #17). A copy of a golden data directory is corrupted in events.db, as an
 * older build meeting newer data would see it: one event's type renamed, or another's version raised. Runs the BUILT
 * service (`npm run build`), since the start-up ends with process.exit.
 */
import Database from 'better-sqlite3';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR, EXPECTED_FILE, GOLDEN_ROOT, GoldenExpected, goldenEnv } from './golden/golden-answers';
import { tempDataDir } from './support/ledger-app';
import { spawnLedger } from './support/ledger-process';
import { readFileSync } from 'node:fs';

const GOLDEN = join(GOLDEN_ROOT, '2026-12-initial');
const EXIT_UNREADABLE_EVENT = 5;

/** Starts the built service and waits for it to end: it may end before it listens, or just after. */
async function runToExit(dataDir: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  try {
    const ledger = await spawnLedger({ dataDir, env });
    const code = ledger.child.exitCode ?? (await new Promise<number | null>((resolve) => ledger.child.once('exit', resolve)));
    return { code, output: ledger.output() };
  } catch (error) {
    const message = (error as Error).message;
    const m = /ledger exited with (\d+) during start/.exec(message);
    if (!m) throw error;
    return { code: Number(m[1]), output: message };
  }
}

describe.each([
  { what: 'an event type renamed', sql: "UPDATE events SET type = 'ConsentGrantedRenamed' WHERE position = ?", type: 'ConsentGranted', says: 'its type ConsentGrantedRenamed is unknown to this build' },
  {
    what: 'a version raised',
    sql: "UPDATE events SET metadata = json_set(metadata, '$.eventVersion', 7) WHERE position = ?",
    type: 'TokenRevoked',
    says: 'it is TokenRevoked v7, and this build reads up to v2',
  },
])('a golden data directory with $what', ({ sql, type, says }) => {
  const copy = tempDataDir();
  afterAll(() => copy.remove());

  it('stops the start-up with exit code 5, naming the event and its position, and leaves no views past it', async () => {
    const expected = JSON.parse(readFileSync(join(GOLDEN, EXPECTED_FILE), 'utf8')) as GoldenExpected;
    cpSync(join(GOLDEN, DATA_DIR), copy.dir, { recursive: true });
    const db = new Database(join(copy.dir, 'events.db'));
    const { position, stream } = db.prepare('SELECT position, stream FROM events WHERE type = ? ORDER BY position LIMIT 1').get(type) as { position: number; stream: string };
    expect(db.prepare(sql).run(position).changes).toBe(1);
    db.close();

    const { code, output } = await runToExit(copy.dir, { ...goldenEnv(GOLDEN, expected.issuer), LOG_LEVEL: 'fatal' });
    expect(code).toBe(EXIT_UNREADABLE_EVENT);
    expect(output).toContain(`consent ledger cannot start: cannot apply the event at position ${position} (stream ${stream}`);
    expect(output).toContain(says);

    // The views never went past it: the batch that held it was rolled back, so no checkpoint reaches it.
    const viewsFile = join(copy.dir, 'views.db');
    if (existsSync(viewsFile)) {
      const views = new Database(viewsFile, { readonly: true });
      const row = views.prepare('SELECT position FROM view_checkpoint WHERE id = 0').get() as { position: number } | undefined;
      views.close();
      expect(row === undefined || row.position < position).toBe(true);
    }
  });
});
