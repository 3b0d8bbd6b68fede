/**
 * A rolling upgrade over EventStoreDB fails closed (issue #17): a newer build and an older one run side by side on
 * the wire-level test server. The older one does not know ConsentScopesRevoked (LEDGER_TEST_UNKNOWN_EVENT_TYPES, the
 * test-only seam that takes a type out of its known set). When the newer one revokes a scope, the older one must
 * not go on answering `active: true` for the token that revocation ended: it marks itself not ready, and refuses
 * introspection (503, temporarily_unavailable) and commands on the stream (503 event_unreadable).
 */
import { waitUntil } from '@ledger/testing';
import { EsdbTestServer, startEsdbTestServer } from './support/esdb-test-server';
import { consentWithToken } from './support/consent-fixtures';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

describe('two builds on one EventStoreDB, one of which does not know an event type', () => {
  let server: EsdbTestServer;
  const dirs = [tempDataDir(), tempDataDir()];
  let newer: RunningLedger;
  let older: RunningLedger;

  beforeAll(async () => {
    server = await startEsdbTestServer();
    const env = { EVENTSTORE_CONNECTION_STRING: server.connectionString, LOG_LEVEL: 'fatal' };
    newer = await startLedger({ dataDir: dirs[0].dir, env });
    older = await startLedger({ dataDir: dirs[1].dir, env: { ...env, LEDGER_TEST_UNKNOWN_EVENT_TYPES: 'ConsentScopesRevoked' } });
  });
  afterAll(async () => {
    await newer?.close();
    await older?.close();
    dirs.forEach((d) => d.remove());
    await server?.stop();
  });

  it('the older build stops answering for the log once it meets the event it cannot read, and the newer one goes on', async () => {
    const { consentId, token } = await consentWithToken(newer.http, ['openid', 'email']);
    const other = await consentWithToken(newer.http, ['openid']);
    const onOlder = ledgerSteps(older.http);
    await waitUntil(async () => (await onOlder.introspect(token.access_token)).body.active === true, { what: 'the token active on the older build', timeoutMs: 30_000 });
    expect((await older.http.get('/health/ready')).status).toBe(200);

    // The newer build ends the token with an event the older one does not know.
    expect((await ledgerSteps(newer.http).revoke(consentId, { scopes: ['email'] })).status).toBe(200);
    expect((await ledgerSteps(newer.http).introspect(token.access_token)).body).toEqual({ active: false });

    const health = await waitUntil(async () => {
      const res = await older.http.get('/health/ready');
      return res.status === 503 && res.body.error?.projection?.unreadableEvent ? res.body : undefined;
    }, { what: 'the older build not ready', timeoutMs: 30_000 });
    expect(health.error.projection.unreadableEvent).toContain('its type ConsentScopesRevoked is unknown to this build');

    // Never active:true for the revoked token, nor for any other: its views stop before the revocation.
    for (const raw of [token.access_token, other.token.access_token]) {
      const answer = await onOlder.introspect(raw);
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: 'temporarily_unavailable' });
    }
    const issue = await onOlder.issue(consentId);
    expect(issue.status).toBe(503);
    expect(issue.body).toMatchObject({ code: 'event_unreadable' });

    // The newer build is unaffected: ready, and answering.
    expect((await newer.http.get('/health/ready')).status).toBe(200);
    expect((await ledgerSteps(newer.http).introspect(other.token.access_token)).body.active).toBe(true);
  });
});
