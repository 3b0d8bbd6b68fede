import { consentsAsOf, STORED_EVENT_STORE, verifyLedger } from '@ledger/audit';
import type { EventStore } from '@ledger/event-store';
import { consentWithToken } from './support/consent-fixtures';
import { startEsdbTestServer } from './support/esdb-test-server';
import { ledgerSteps, startLedger, tempDataDir } from './support/ledger-app';
import { runLedgerCli } from './support/ledger-cli';

/**
 * The chain is computed above the port, so it must hold on EventStoreDB too (positions there are not gap-free, and
 * metadata comes back through another serialiser). Runs against the wire-level test server, or a real EventStoreDB
 * when EVENTSTORE_CONNECTION_STRING is set.
 */
describe('Audit on the EventStoreDB adapter', () => {
  it('events written by the service verify, replay as of now equals the live view, and the CLI verifies with --esdb', async () => {
    const external = process.env.EVENTSTORE_CONNECTION_STRING;
    const server = external ? undefined : await startEsdbTestServer();
    const connectionString = external ?? server!.connectionString;
    const data = tempDataDir();
    const ledger = await startLedger({ dataDir: data.dir, env: { EVENTSTORE_CONNECTION_STRING: connectionString } });
    try {
      const { userId, consentId } = await consentWithToken(ledger.http, ['openid', 'email']);
      await ledgerSteps(ledger.http).revoke(consentId, { scopes: ['email'], reason: 'narrow' });

      // The chain covers the log as stored, sealed personal fields and all (docs/privacy.md).
      const result = await verifyLedger(ledger.app.get<EventStore>(STORED_EVENT_STORE).readAll(), { gapFreePositions: false });
      expect(result.problems).toEqual([]);
      const { consents } = await consentsAsOf(ledger.store, userId, new Date());
      expect(consents).toEqual(ledger.views.consents.consentsByUser(userId, 'all'));

      const run = await runLedgerCli(['audit', 'verify', '--esdb', connectionString]);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toContain('OK');
    } finally {
      await ledger.close();
      data.remove();
      await server?.stop();
    }
  });
});
