/**
 * The client lifecycle across two ledger instances on one EventStoreDB. A client's state is read fresh by every
 * grant and issue, so an instance that has cached it (it wrote the client's stream itself) still hears at once of a
 * disable or a narrowing decided on another instance; and that instance's introspection, given the disable's
 * consistency token, answers from views that include it. The store is the wire-level test server, or the real
 * EventStoreDB in EVENTSTORE_CONNECTION_STRING (`npm run test:esdb`).
 */
import { EsdbTestServer, startEsdbTestServer } from './support/esdb-test-server';
import { uid } from './support/consent-fixtures';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

describe('client lifecycle across two instances on one EventStoreDB', () => {
  let server: EsdbTestServer | undefined;
  const dirs: Array<ReturnType<typeof tempDataDir>> = [];
  let a: RunningLedger;
  let b: RunningLedger;

  beforeAll(async () => {
    const connectionString = process.env.EVENTSTORE_CONNECTION_STRING ?? (server = await startEsdbTestServer()).connectionString;
    dirs.push(tempDataDir(), tempDataDir());
    const env = { EVENTSTORE_CONNECTION_STRING: connectionString, LEDGER_CONSISTENCY_WAIT_MS: '30000' };
    a = await startLedger({ dataDir: dirs[0].dir, env });
    b = await startLedger({ dataDir: dirs[1].dir, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    dirs.forEach((d) => d.remove());
    await server?.stop();
  });

  it('a disable on A: B refuses grants and tokens at once, and B introspects inactive given the consistency token', async () => {
    const onB = ledgerSteps(b.http);
    const clientId = `app-${uid()}`;
    // B writes the client's stream and the consent's, so both are in B's executor cache.
    expect((await onB.registerClient(clientId)).status).toBe(201);
    const consent = await onB.grant(`user-${uid()}`, clientId, ['openid']);
    const token = await onB.issue(consent.body.id);
    expect(token.status).toBe(201);

    const disabled = await a.http.post(`/v1/clients/${clientId}/disable`);
    expect(disabled.status).toBe(200);
    const consistency = disabled.headers.get('ledger-consistency')!;

    // The grant first: an issue reads the client fresh too, which would refresh B's cache for it.
    const grant = await onB.grant(`user-${uid()}`, clientId, ['openid']);
    expect({ status: grant.status, code: grant.body.code }).toEqual({ status: 409, code: 'client_disabled' });
    const issue = await onB.issue(consent.body.id);
    expect({ status: issue.status, code: issue.body.code }).toEqual({ status: 409, code: 'client_disabled' });
    const answer = await b.asRole('introspect').form('/v1/oauth2/introspect', { token: token.body.access_token }, { 'ledger-consistency': consistency });
    expect(answer.body).toEqual({ active: false });
  });

  it('a narrowing on A: B refuses the removed scope at once', async () => {
    const onB = ledgerSteps(b.http);
    const clientId = `app-${uid()}`;
    expect((await onB.registerClient(clientId, ['email', 'openid'])).status).toBe(201);
    const consent = await onB.grant(`user-${uid()}`, clientId, ['email', 'openid']);
    expect((await onB.issue(consent.body.id, ['email'])).status).toBe(201);

    expect((await a.http.request('PATCH', `/v1/clients/${clientId}`, { allowedScopes: ['openid'] })).status).toBe(200);
    expect((await onB.grant(`user-${uid()}`, clientId, ['email'])).body.code).toBe('scope_not_allowed');
    const refused = await onB.issue(consent.body.id, ['email']);
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 400, code: 'scope_not_allowed' });
  });
});
