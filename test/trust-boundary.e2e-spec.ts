import { bearer, clientBasic, ledgerSteps, RunningLedger, startLedger, tempDataDir, TEST_KEYS } from './support/ledger-app';

/** Who may call what, how a stranger is answered, and what a refused request leaves behind (nothing). */
describe('Trust boundary (over HTTP)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let consentId: string;
  let token: string;
  /** tb-app's own secret: RFC 7009 revocation serves the token's client only. */
  let clientSecret: string;

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir });
    const steps = ledgerSteps(ledger.http);
    await steps.registerClient('tb-app');
    clientSecret = (await steps.createSecret('tb-app')).body.secret;
    consentId = (await steps.grant('tb-user', 'tb-app', ['openid', 'email'])).body.id;
    token = (await steps.issue(consentId)).body.access_token;
  });
  afterAll(async () => {
    await ledger.close();
    data.remove();
  });

  const basic = (name: string, secret: string) => ({ authorization: 'Basic ' + Buffer.from(`${name}:${secret}`).toString('base64') });

  it('refuses every route of the OpenAPI document without credentials, except health, discovery and the docs', async () => {
    const doc = (await ledger.asRole(undefined).get('/docs-json')).body;
    const anonymous = ledger.asRole(undefined);
    const before = (await ledger.events()).length;
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const method of Object.keys(item)) {
        const url = path.replace(/\{\w+\}/g, consentId);
        for (const headers of [{}, { authorization: 'Bearer not-a-known-secret-at-all' }, { authorization: 'Bearer' }, basic(TEST_KEYS.admin.name, 'wrong')]) {
          const r = await anonymous.request(method.toUpperCase(), url, method === 'post' ? {} : undefined, headers);
          if (path.startsWith('/health/')) {
            expect([200, 503]).toContain(r.status);
            continue;
          }
          // Discovery is for anyone (RFC 8414); a credential, even a wrong one, changes nothing there.
          if (path.startsWith('/.well-known/')) {
            expect({ path, status: r.status }).toEqual({ path, status: 200 });
            continue;
          }
          expect({ route: `${method} ${path}`, status: r.status }).toEqual({ route: `${method} ${path}`, status: 401 });
          // The challenge names what the route takes: Bearer API keys, HTTP Basic on the OAuth endpoints, and Basic
          // alone (OAuth clients) on RFC 7009 revocation.
          const challenge = r.headers.get('www-authenticate');
          if (path === '/v1/oauth2/revoke' || path === '/v1/oauth2/token') expect(challenge).toBe('Basic realm="consent-ledger"');
          else expect(challenge).toContain('Bearer realm=');
          if (path.startsWith('/v1/oauth2/')) expect(challenge).toContain('Basic realm=');
          // The OAuth endpoints answer as RFC 6749 section 5.2 says; everything else with problem+json.
          if (path.startsWith('/v1/oauth2/')) {
            expect(r.headers.get('content-type')).toMatch(/^application\/json/);
            expect(r.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
          } else {
            expect(r.headers.get('content-type')).toContain('application/problem+json');
            expect(r.body).toMatchObject({ status: 401, code: 'unauthorized' });
          }
        }
      }
    }
    expect((await anonymous.get('/docs')).status).toBe(200);
    expect((await ledger.events()).length).toBe(before);
  });

  it('lets each role do its job and nothing else', async () => {
    const as = (role: keyof typeof TEST_KEYS) => ledger.asRole(role);
    const intro = (role: keyof typeof TEST_KEYS) => as(role).form('/v1/oauth2/introspect', { token });
    const grant = (role: keyof typeof TEST_KEYS) => as(role).post('/v1/consents', { userId: `tb-${role}`, clientId: 'tb-app', scopes: ['openid'] });
    expect((await intro('introspect')).status).toBe(200);
    expect((await intro('admin')).status).toBe(200);
    expect((await intro('commands')).status).toBe(403);
    expect((await intro('audit')).status).toBe(403);
    expect((await grant('commands')).status).toBe(201);
    expect((await grant('admin')).status).toBe(201);
    const before = (await ledger.events()).length;
    for (const role of ['introspect', 'audit'] as const) {
      const r = await grant(role);
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body).toEqual({ type: 'urn:consent-ledger:problem:forbidden', title: 'Forbidden', status: 403, detail: expect.any(String), code: 'forbidden', instance: '/v1/consents' });
    }
    // RFC 7009 revocation serves OAuth clients only: no API key revokes there, whatever its role (the introspect role
    // did until it was narrowed to introspection); staff revoke by token id.
    for (const role of ['introspect', 'commands', 'audit', 'admin'] as const) {
      expect({ role, status: (await as(role).form('/v1/oauth2/revoke', { token: 'clt_unknown' })).status }).toEqual({ role, status: 403 });
    }
    expect((await ledger.asRole(undefined).form('/v1/oauth2/revoke', { token: 'clt_unknown' }, clientBasic('tb-app', clientSecret))).status).toBe(200);
    expect((await as('introspect').post('/v1/tokens/tok_00000000000000000000000000000000/revoke')).status).toBe(403);
    expect((await as('commands').post('/v1/tokens/tok_00000000000000000000000000000000/revoke')).status).toBe(200);
    expect((await as('audit').get(`/v1/consents/${consentId}`)).status).toBe(200);
    expect((await as('introspect').get(`/v1/consents/${consentId}`)).status).toBe(403);
    expect((await as('audit').get('/metrics')).status).toBe(200);
    expect((await as('commands').get('/metrics')).status).toBe(403);
    expect((await ledger.events()).length).toBe(before);
  });

  it("refuses a caller without the route's role before it looks at an Idempotency-Key (the idempotency hook runs before Nest's guard)", async () => {
    const before = (await ledger.events()).length;
    for (const key of ['tb idempotency key with spaces', 'tb-valid-key']) {
      const r = await ledger.asRole('introspect').post('/v1/consents', { userId: 'tb-idem', clientId: 'tb-app', scopes: ['openid'] }, { 'idempotency-key': key });
      expect({ key, status: r.status, code: r.body.code }).toEqual({ key, status: 403, code: 'forbidden' });
      expect(r.headers.get('ledger-consistency')).toBeNull();
    }
    expect((await ledger.events()).length).toBe(before);
  });

  it('accepts HTTP Basic (client_secret_basic) on the OAuth endpoints only: API keys at introspection, clients at revocation', async () => {
    const k = TEST_KEYS.introspect;
    const ok = await ledger.asRole(undefined).form('/v1/oauth2/introspect', { token }, basic(k.name, k.secret));
    expect(ok.status).toBe(200);
    expect(ok.body.active).toBe(true);
    // RFC 6749 2.3.1: the id and the secret are form-encoded before base64.
    expect((await ledger.asRole(undefined).form('/v1/oauth2/introspect', { token }, basic(encodeURIComponent(k.name), encodeURIComponent(k.secret)))).status).toBe(200);
    const wrongName = await ledger.asRole(undefined).form('/v1/oauth2/introspect', { token }, basic('someone-else', k.secret));
    expect(wrongName.status).toBe(401);
    expect(wrongName.body.error).toBe('invalid_client');
    expect(wrongName.headers.get('www-authenticate')).toContain('Basic realm=');
    const a = TEST_KEYS.admin;
    expect((await ledger.asRole(undefined).get(`/v1/consents/${consentId}`, basic(a.name, a.secret))).status).toBe(401);
    expect((await ledger.asRole(undefined).get(`/v1/consents/${consentId}`, clientBasic('tb-app', clientSecret))).status).toBe(401);
    // At revocation the id names a client (client-authentication.e2e-spec.ts has the whole matrix).
    expect((await ledger.asRole(undefined).form('/v1/oauth2/revoke', { token: 'clt_unknown' }, basic(k.name, k.secret))).status).toBe(401);
    expect((await ledger.asRole(undefined).form('/v1/oauth2/revoke', { token: 'clt_unknown' }, clientBasic('tb-app', clientSecret))).status).toBe(200);
  });

  it('records the caller as the actor of every event', async () => {
    const r = await ledger.asRole('commands').post('/v1/consents', { userId: 'tb-actor', clientId: 'tb-app', scopes: ['openid'] }, { 'x-request-id': 'tb-actor-1' });
    expect(r.status).toBe(201);
    const mine = (await ledger.events()).filter((e) => e.metadata.clientRequestId === 'tb-actor-1');
    expect(mine.map((e) => e.metadata.actor)).toEqual([TEST_KEYS.commands.name]);
  });

  it('lets only an admin caller claim an admin, policy or system initiator: others get 403 initiator_not_allowed, appending nothing', async () => {
    const before = (await ledger.events()).length;
    for (const initiator of ['admin', 'policy', 'System']) {
      const grant = await ledger.asRole('commands').post('/v1/consents', { userId: 'tb-forger', clientId: 'tb-app', scopes: ['openid'] }, { 'x-initiator': initiator });
      expect(grant.status).toBe(403);
      expect(grant.headers.get('content-type')).toContain('application/problem+json');
      expect(grant.body).toMatchObject({ status: 403, code: 'initiator_not_allowed' });
      const revoke = await ledger.asRole(undefined).form('/v1/oauth2/revoke', { token }, { ...clientBasic('tb-app', clientSecret), 'x-initiator': initiator });
      // An OAuth endpoint: the same refusal in RFC 6749 form (docs/errors.md maps initiator_not_allowed to it).
      expect({ initiator, status: revoke.status, body: revoke.body }).toEqual({
        initiator,
        status: 403,
        body: { error: 'unauthorized_client', error_description: expect.stringContaining('needs the admin role') },
      });
    }
    expect((await ledger.events()).length).toBe(before);
    expect((await ledgerSteps(ledger.http).introspect(token)).body.active).toBe(true);
  });

  it('records the initiator as the caller asserted it, and the default as not asserted', async () => {
    const grant = (role: 'commands' | 'admin', userId: string, headers: Record<string, string>) =>
      ledger.asRole(role).post('/v1/consents', { userId, clientId: 'tb-app', scopes: ['openid'] }, headers);
    const said = await grant('commands', 'tb-says-user', { 'x-initiator': 'user' });
    const policy = await grant('admin', 'tb-policy', { 'x-initiator': 'policy' });
    const silent = await grant('commands', 'tb-silent', {});
    const meta = async (r: { headers: Headers }) => (await ledger.events()).find((e) => e.metadata.correlationId === r.headers.get('x-request-id'))!.metadata;
    expect(await meta(said)).toMatchObject({ initiator: 'user', initiatorAsserted: true });
    expect(await meta(policy)).toMatchObject({ initiator: 'policy', initiatorAsserted: true, actor: TEST_KEYS.admin.name });
    expect(await meta(silent)).toMatchObject({ initiator: 'user' });
    expect((await meta(silent)).initiatorAsserted).toBeUndefined();
  });

  it("never takes a caller's X-Request-Id as the correlation id: it is kept as clientRequestId beside the server's own", async () => {
    const first = await ledger.asRole('commands').post('/v1/consents', { userId: 'tb-rid-1', clientId: 'tb-app', scopes: ['openid'] }, { 'x-request-id': 'tb-shared-id' });
    // Another caller reuses the id: it cannot join the first request's events.
    const second = await ledger.asRole('admin').post('/v1/consents', { userId: 'tb-rid-2', clientId: 'tb-app', scopes: ['openid'] }, { 'x-request-id': 'tb-shared-id' });
    const ids = [first, second].map((r) => r.headers.get('x-request-id'));
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).not.toBe(ids[0]);
    const tagged = (await ledger.events()).filter((e) => e.metadata.clientRequestId === 'tb-shared-id');
    expect(tagged.map((e) => e.metadata.correlationId)).toEqual(ids);
    expect(tagged.map((e) => e.metadata.causationId)).toEqual(ids);
    // An insane id is dropped, not recorded.
    const odd = await ledger.asRole('commands').post('/v1/consents', { userId: 'tb-rid-3', clientId: 'tb-app', scopes: ['openid'] }, { 'x-request-id': 'has space' });
    const [event] = (await ledger.events()).filter((e) => e.metadata.correlationId === odd.headers.get('x-request-id'));
    expect(event.metadata.clientRequestId).toBeUndefined();
  });

  it('answers oversized bodies and out-of-bounds ids and scopes with problem+json, appending nothing', async () => {
    const before = (await ledger.events()).length;
    const cases: Array<[string, () => Promise<{ status: number; headers: Headers; body: any }>, number]> = [
      ['oversized JSON', () => ledger.http.post('/v1/clients', { clientId: 'big', name: 'x'.repeat(200_000) }), 413],
      ['oversized form', () => ledger.http.form('/v1/oauth2/introspect', { token: 'x'.repeat(200_000) }), 413],
      ['too many scopes', () => ledger.http.post('/v1/consents', { userId: 'u', clientId: 'tb-app', scopes: Array.from({ length: 500 }, (_, i) => `s${i}`) }), 400],
      ['long scope', () => ledger.http.post('/v1/consents', { userId: 'u', clientId: 'tb-app', scopes: ['urn:x:' + 'y'.repeat(2000)] }), 400],
      ['long user id', () => ledger.http.post('/v1/consents', { userId: 'u'.repeat(129), clientId: 'tb-app', scopes: ['openid'] }), 400],
      ['long client id', () => ledger.http.post('/v1/clients', { clientId: 'c'.repeat(129), name: 'C' }), 400],
      ['long path id', () => ledger.http.get(`/v1/consents/${'c'.repeat(500)}`), 414],
      ['long token', () => ledger.http.form('/v1/oauth2/introspect', { token: 't'.repeat(5000) }), 400],
      ['huge header', () => ledger.http.get('/v1/users/u/consents', { 'x-junk': 'j'.repeat(20_000) }), 431],
    ];
    for (const [label, call, status] of cases) {
      const r = await call();
      expect({ label, status: r.status }).toEqual({ label, status });
      if (label.endsWith('form') || label === 'long token') expect(r.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
      else expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await ledger.events()).length).toBe(before);
  });

  it('exposes Prometheus metrics: command latency per command, projection lag, HTTP and error counters', async () => {
    await ledger.http.form('/v1/oauth2/introspect', { token });
    const r = await ledger.asRole('audit').get('/metrics');
    expect(r.headers.get('content-type')).toContain('text/plain');
    expect(String(r.body)).toMatch(/ledger_introspections_total\{active="(true|false)"\} [1-9]\d*/);
    const text = String(r.body);
    for (const name of ['GrantConsent', 'IssueToken', 'RegisterClient']) expect(text).toMatch(new RegExp(`ledger_command_duration_seconds_count\\{command="${name}",outcome="ok"\\} \\d+`));
    expect(text).toMatch(/ledger_projection_lag_events \d+/);
    expect(text).toMatch(/ledger_projection_lag_seconds \d+/);
    expect(text).toMatch(/ledger_event_store_head_position \d+/);
    expect(text).toContain('ledger_event_store_errors_total');
    expect(text).toContain('ledger_kafka_errors_total');
    expect(text).toMatch(/ledger_http_request_duration_seconds_count\{method="POST",route="\/v1\/consents",status="201"\} \d+/);
    expect(text).not.toContain(token);
  });

  it('reports readiness through terminus: store and projection', async () => {
    const r = await ledger.asRole(undefined).get('/health/ready');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', info: { store: { status: 'up' }, projection: { status: 'up', lagEvents: 0 } } });
    // Log positions count events on SQLite: /metrics keeps them behind the audit role.
    expect(r.body.info).toEqual({ store: { status: 'up' }, projection: { status: 'up', caughtUp: true, lagEvents: 0, lagSeconds: 0, lagMs: 0 } });
  });
});
