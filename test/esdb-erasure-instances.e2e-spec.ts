/**
 * An erasure on one instance reaches another on the same EventStoreDB (the wire-level test server): both share the
 * subject key store and its KEK (docs/privacy.md, "Keys"; test/support/ledger-app.ts sharedSubjectKeys). The other
 * instance's views rename the subject's rows by its userKey, whether or not the key is still there when it applies
 * the erasure, and its reads show the subject erased once it has.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '@ledger/testing';
import { uid } from './support/consent-fixtures';
import { EsdbTestServer, startEsdbTestServer } from './support/esdb-test-server';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

describe('an erasure on one EventStoreDB instance, seen by another', () => {
  let server: EsdbTestServer;
  const dirs = [tempDataDir(), tempDataDir()];
  let a: RunningLedger;
  let b: RunningLedger;
  beforeAll(async () => {
    server = await startEsdbTestServer();
    const env = { EVENTSTORE_CONNECTION_STRING: server.connectionString, LOG_LEVEL: 'fatal' };
    a = await startLedger({ dataDir: dirs[0].dir, env });
    b = await startLedger({ dataDir: dirs[1].dir, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    dirs.forEach((d) => d.remove());
    await server?.stop();
  });

  it('renames the subject on both, ends its tokens on both, and leaves neither data directory naming it', async () => {
    const userId = `gina.${uid()}@example.org`;
    const reason = `please forget me ${uid()}`;
    const clientId = `app-${uid()}`;
    const steps = ledgerSteps(a.http);
    expect((await steps.registerClient(clientId)).status).toBe(201);
    const consent = await steps.grant(userId, clientId, ['openid']);
    const token = (await steps.issue(consent.body.id)).body.access_token;
    // B reads what A sealed: one key store.
    await waitUntil(async () => (await ledgerSteps(b.http).introspect(token)).body.active === true, { what: 'B to see the token' });
    expect((await ledgerSteps(b.http).introspect(token)).body.sub).toBe(userId);
    expect((await steps.revoke(consent.body.id, { reason })).status).toBe(200);
    const erased = await a.http.post(`/v1/users/${encodeURIComponent(userId)}/erase`);
    expect(erased.status).toBe(200);

    const history = async (ledger: RunningLedger) => (await ledger.asRole('audit').get(`/v1/audit/consents/${consent.body.id}/history`)).body.events;
    await waitUntil(async () => (await b.http.get(`/v1/consents/${consent.body.id}`)).body.userId === erased.body.pseudonym, { what: 'B to apply the erasure' });
    // Within the key store's memory (2 s), B's reads of the log see the key gone too.
    await waitUntil(async () => (await history(b)).every((e: { data: { userId: string } }) => e.data.userId === erased.body.pseudonym), { what: 'B to read the subject as erased', timeoutMs: 10_000 });
    for (const ledger of [a, b]) {
      expect((await ledgerSteps(ledger.http).introspect(token)).body).toEqual({ active: false });
      expect(JSON.stringify(ledger.views.snapshot())).not.toContain(userId);
      expect((await ledger.http.post(`/v1/users/${encodeURIComponent(userId)}/erase`)).body).toEqual(erased.body);
    }
    for (const dir of dirs) {
      for (const file of readdirSync(dir.dir)) {
        const bytes = readFileSync(join(dir.dir, file));
        expect({ file, holds: [userId, reason].filter((n) => bytes.includes(Buffer.from(n))) }).toEqual({ file, holds: [] });
      }
    }
  });
});
