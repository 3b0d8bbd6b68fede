/**
 * A view schema change rebuilds the views from the log at start, and says so in the log (issue #17): why the
 * rebuild runs, a progress line per batch, and the end. A start on views of the current schema rebuilds nothing.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { isDomainStream } from '@ledger/domain';
import { consentWithTokens } from './support/consent-fixtures';
import { ledgerSteps, LogLines, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';
import { ready } from './golden/golden-answers';

const messages = (log: LogLines, prefix: string) => log.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith(prefix));

describe('views rebuilt at start', () => {
  const data = tempDataDir();
  let ledger: RunningLedger | undefined;
  afterAll(async () => {
    await ledger?.close();
    data.remove();
  });

  it('after a view schema change: the reason, the progress and the end, and then the same answers', async () => {
    ledger = await startLedger({ dataDir: data.dir });
    const { tokens } = await consentWithTokens(ledger.http, ['openid'], 3);
    const domainEvents = (await ledger.events()).filter((e) => isDomainStream(e.stream));
    await ledger.close();

    // What an older build leaves: a views file of another schema.
    const views = new Database(join(data.dir, 'views.db'));
    views.pragma('user_version = 8');
    views.close();

    const log = new LogLines();
    ledger = await startLedger({ dataDir: data.dir, env: { LOG_LEVEL: 'info' }, log });
    await ready(ledger);
    const [started] = messages(log, 'rebuilding the views from the log');
    expect(started).toMatchObject({ reason: expect.stringMatching(/^the views file has view schema 8, this build has \d+$/) });
    const progress = messages(log, 'rebuilding the views').filter((l) => l !== started);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ applied: domainEvents.length, position: domainEvents.at(-1)!.position, percent: expect.any(Number) });
    expect(messages(log, 'views rebuilt from the log')).toEqual([expect.objectContaining({ applied: domainEvents.length, ms: expect.any(Number) })]);
    // In that order, and the rebuilt views answer.
    expect(log.lines.indexOf(started)).toBeLessThan(log.lines.indexOf(progress[0]));
    for (const t of tokens) expect((await ledgerSteps(ledger.http).introspect(t.access_token)).body.active).toBe(true);
    await ledger.close();

    // Views of this build's schema are kept: no rebuild, no such line.
    const again = new LogLines();
    ledger = await startLedger({ dataDir: data.dir, env: { LOG_LEVEL: 'info' }, log: again });
    await ready(ledger);
    expect(messages(again, 'rebuilding the views')).toEqual([]);
  });
});
