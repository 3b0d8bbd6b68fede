/**
 * Consistency tokens between two ledger instances on one EventStoreDB (docs/scaling.md): every command answer
 * carries `Ledger-Consistency`, and introspection given that token answers only from views that include the
 * command, on whichever instance it lands. The store is the wire-level test server, or the real EventStoreDB in
 * EVENTSTORE_CONNECTION_STRING (`npm run test:esdb`).
 *
 * To make "B has not seen the revocation yet" certain rather than a race, B's projection is stopped: B then applies
 * nothing A appends until it is started again, and its answers from before are exactly those of a lagging instance.
 */
import { waitUntil } from '@ledger/testing';
import { parseConsistencyToken } from '../apps/ledger/src/http/consistency-token';
import { EsdbTestServer, startEsdbTestServer } from './support/esdb-test-server';
import { consentWithToken, uid } from './support/consent-fixtures';
import { HttpResponse, ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

const scopes = ['openid', 'email'];
const WAYS = ['form parameter', 'header'] as const;
const PATH = '/v1/oauth2/introspect';
const CASES = WAYS.map((way) => ({ path: PATH, way }));

function introspect(ledger: RunningLedger, token: string, consistency?: { token: string; path: string; way: (typeof WAYS)[number] }): Promise<HttpResponse> {
  const http = ledger.asRole('introspect');
  if (!consistency) return http.form(PATH, { token });
  if (consistency.way === 'header') return http.form(consistency.path, { token }, { 'ledger-consistency': consistency.token });
  return http.form(consistency.path, { token, consistency: consistency.token });
}

describe('consistency tokens across two instances on one EventStoreDB', () => {
  let server: EsdbTestServer | undefined;
  const dirs: Array<ReturnType<typeof tempDataDir>> = [];
  let a: RunningLedger;
  let b: RunningLedger;

  beforeAll(async () => {
    const connectionString = process.env.EVENTSTORE_CONNECTION_STRING ?? (server = await startEsdbTestServer()).connectionString;
    dirs.push(tempDataDir(), tempDataDir());
    // B gives up soon, so that its 503 comes quickly; A waits long, so that a wait released in time always ends in an answer.
    a = await startLedger({ dataDir: dirs[0].dir, env: { EVENTSTORE_CONNECTION_STRING: connectionString, LEDGER_CONSISTENCY_WAIT_MS: '30000' } });
    b = await startLedger({ dataDir: dirs[1].dir, env: { EVENTSTORE_CONNECTION_STRING: connectionString, LEDGER_CONSISTENCY_WAIT_MS: '300' } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    dirs.forEach((d) => d.remove());
    await server?.stop();
  });

  const activeOn = (ledger: RunningLedger, token: string) =>
    waitUntil(async () => ((await introspect(ledger, token)).body.active === true ? true : undefined), { what: 'token active', timeoutMs: 30_000 });

  it('a revocation acknowledged by A is never answered active by B when the caller passes its token: 503 while B lags, inactive after', async () => {
    const { consentId, token: { access_token: token } } = await consentWithToken(a.http, scopes);
    await activeOn(b, token);
    await b.projection.stop();
    let consistency: string;
    try {
      const revoked = await ledgerSteps(a.http).revoke(consentId);
      expect(revoked.status).toBe(200);
      consistency = revoked.headers.get('ledger-consistency')!;
      // The window: without the token, B still answers from views that predate the revocation.
      expect((await introspect(b, token)).body).toMatchObject({ active: true });
      for (const { path, way } of CASES) {
        const res = await introspect(b, token, { token: consistency, path, way });
        expect({ path, way, status: res.status }).toEqual({ path, way, status: 503 });
        // An OAuth endpoint: RFC 6749's temporarily_unavailable (the problem code consistency_timeout, docs/errors.md).
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(res.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.stringContaining('consistency token') });
        expect(res.body.active).toBeUndefined();
      }
    } finally {
      b.projection.start();
    }
    // Released: a caller retrying after Retry-After gets 503 until B has caught up, then inactive; never active.
    for (const { path, way } of CASES) {
      const answers: HttpResponse[] = [];
      await waitUntil(async () => {
        const res = await introspect(b, token, { token: consistency, path, way });
        answers.push(res);
        return res.status === 200;
      }, { what: `B answers ${way} on the ${path} with the token`, timeoutMs: 30_000 });
      expect(answers.filter((r) => r.status !== 503 && r.status !== 200)).toEqual([]);
      expect(answers.filter((r) => r.status === 200).map((r) => r.body)).toEqual([{ active: false }]);
    }
  });

  it('a wait that the views satisfy in time ends in the answer, not an error: revoke on B, introspect on a stopped A, start A', async () => {
    const { consentId, token: { access_token: token } } = await consentWithToken(b.http, scopes);
    await activeOn(a, token);
    await a.projection.stop();
    let pending: Promise<HttpResponse>[] = [];
    try {
      const revoked = await ledgerSteps(b.http).revoke(consentId);
      const consistency = revoked.headers.get('ledger-consistency')!;
      pending = CASES.map(({ path, way }) => introspect(a, token, { token: consistency, path, way }));
    } finally {
      a.projection.start();
    }
    for (const res of await Promise.all(pending)) expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { active: false } });
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['an unknown version', 'v2.AAAAAAAAACs'],
    ['a truncated token', 'v1.AAAAAAAAAC'],
    ['standard base64 padding', 'v1.AAAAAAAAACs='],
    ['an empty value', ''],
  ])('a malformed consistency token (%s) is refused with 400, whatever the token', async (_, malformed) => {
    const { token: { access_token: token } } = await consentWithToken(a.http, scopes);
    for (const { path, way } of CASES) {
      const res = await introspect(a, token, { token: malformed, path, way });
      expect({ path, way, status: res.status }).toEqual({ path, way, status: 400 });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: 'The consistency token is not one this service issued' });
    }
  });

  it('every command answer carries a token, later commands later tokens, and a no-op the token of the event it rests on', async () => {
    const steps = ledgerSteps(a.http);
    const clientId = `app-${uid()}`;
    const answers: Array<[string, HttpResponse]> = [];
    const step = async (name: string, status: number, call: Promise<HttpResponse>) => {
      const res = await call;
      expect({ name, status: res.status }).toEqual({ name, status });
      answers.push([name, res]);
      return res;
    };
    await step('register client', 201, steps.registerClient(clientId));
    await step('register client again (no-op)', 200, steps.registerClient(clientId));
    const { secret } = (await step('create a client secret', 201, steps.createSecret(clientId))).body;
    const grant = { userId: `user-${uid()}`, clientId, scopes };
    const idempotencyKey = { 'idempotency-key': `key-${uid()}` };
    const consent = await step('grant consent', 201, a.http.post('/v1/consents', grant, idempotencyKey));
    const issued = await step('issue token', 201, steps.issue(consent.body.id));
    const second = await step('issue another token', 201, steps.issue(consent.body.id));
    await step('revoke token by id', 200, a.http.post(`/v1/tokens/${issued.body.token_id}/revoke`, {}));
    await step('revoke token (RFC 7009)', 200, steps.revokeAsClient(clientId, secret, second.body.access_token));
    await step('revoke token (RFC 7009), unknown token', 200, steps.revokeAsClient(clientId, secret, 'clt_unknown'));
    const revoked = await step('revoke consent', 200, steps.revoke(consent.body.id));
    const again = await step('revoke consent again (no-op)', 200, steps.revoke(consent.body.id));

    const positions = answers.map(([name, res]) => {
      const header = res.headers.get('ledger-consistency');
      expect({ name, header }).toEqual({ name, header: expect.stringMatching(/^v1\.[A-Za-z0-9_-]{11}$/) });
      return parseConsistencyToken(header!);
    });
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(again.headers.get('ledger-consistency')).toBe(revoked.headers.get('ledger-consistency'));

    // An idempotent replay answers from its record without running the command, and still carries a token.
    const replay = await a.http.post('/v1/consents', grant, idempotencyKey);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(parseConsistencyToken(replay.headers.get('ledger-consistency')!)).toBeGreaterThanOrEqual(parseConsistencyToken(consent.headers.get('ledger-consistency')!));
  });
});
