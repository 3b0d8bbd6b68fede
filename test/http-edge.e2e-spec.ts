import { ledgerSteps, LogLines, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

/** What the edge accepts and how it answers: strict input, one error shape, 405, and introspection inside the hooks. */
describe('HTTP edge', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  const log = new LogLines();

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir, log, env: { LOG_LEVEL: 'info' } });
    await ledgerSteps(ledger.http).registerClient('edge-app', ['openid', 'email']);
  });
  afterAll(async () => {
    await ledger?.close();
    data?.remove();
  });

  it('refuses deeply nested JSON bodies with 400 on every JSON route, appending nothing', async () => {
    const before = (await ledger.events()).length;
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const deepField = `{"userId":"u","clientId":"edge-app","scopes":${'['.repeat(5000)}"openid"${']'.repeat(5000)}}`;
    for (const path of ['/v1/consents', '/v1/tokens', '/v1/clients']) {
      for (const body of [deep, deepField, '{"a":'.repeat(3000) + '1' + '}'.repeat(3000)]) {
        const r = await ledger.http.request('POST', path, body, { 'content-type': 'application/json' });
        expect({ path, status: r.status, code: r.body?.code }).toEqual({ path, status: 400, code: 'body_too_deep' });
      }
    }
    expect((await ledger.events()).length).toBe(before);
  });

  it.each([
    ['a day that does not exist', '/v1/audit/users/u/consents?asOf=2026-02-30T00:00:00Z'],
    ['hour 24', '/v1/audit/users/u/consents?asOf=2026-01-01T24:00:00Z'],
    ['a date without a time', '/v1/audit/users/u/consents?asOf=2026-01-01'],
    ['a hexadecimal position', '/v1/audit/events?fromPosition=0x10'],
    ['an exponent', '/v1/audit/events?toPosition=1e3'],
    ['a padded position', '/v1/audit/events?fromPosition=%2016'],
    ['a day that does not exist, in an export', '/v1/audit/events?from=2025-02-29T00:00:00Z'],
  ])('refuses %s with 400, never reading it as something else', async (_, url) => {
    const r = await ledger.http.get(url);
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 400, code: 'invalid_request' });
  });

  it('still takes real instants and decimal positions', async () => {
    expect((await ledger.http.get('/v1/audit/users/u/consents?asOf=2024-02-29T23:59:59.5%2B01:00')).status).toBe(200);
    expect((await ledger.http.get('/v1/audit/events?fromPosition=0&toPosition=16')).status).toBe(200);
  });

  it('reads back every id it lets you write: a 128-character user id, percent-encoded or not', async () => {
    for (const userId of ['u'.repeat(120), 'a' + '@'.repeat(127), 'b' + ':+'.repeat(63) + 'c']) {
      expect((await ledgerSteps(ledger.http).grant(userId, 'edge-app', ['openid'])).status).toBe(201);
      for (const path of [`/v1/users/${encodeURIComponent(userId)}/consents`, `/v1/audit/users/${encodeURIComponent(userId)}/consents`]) {
        const r = await ledger.http.get(path);
        expect({ path, status: r.status, consents: r.body.consents?.length }).toEqual({ path, status: 200, consents: 1 });
      }
    }
    expect((await ledger.http.get(`/v1/users/${'u'.repeat(129)}/consents`)).status).toBe(400);
    expect((await ledger.http.get(`/v1/users/${'u'.repeat(500)}/consents`)).status).toBe(414);
  });

  it('gives validation and domain errors one shape: a stable code, particulars in details', async () => {
    const validation = await ledger.http.post('/v1/consents', { userId: '', clientId: 'edge-app', scopes: ['openid', 'not a scope', 'also bad'] });
    expect(validation.status).toBe(400);
    expect(validation.body).not.toHaveProperty('errors');
    expect(validation.body).toMatchObject({ code: 'invalid_request', details: { fields: [{ field: 'userId' }, { field: 'scopes', messages: [expect.any(String)] }] } });
    // The scopes that failed are named, with their place in the list and the rule they break.
    expect(validation.body.detail).toContain('scopes[1] "not a scope" breaks RFC 6749 section 3.3: a scope-token has no space, so each scope is an item of its own (at character 4); scopes[2] "also bad" breaks');
    const domain = await ledger.http.post('/v1/consents', { userId: 'u', clientId: 'edge-app', scopes: ['profile'] });
    expect(domain.body).toMatchObject({ status: 400, code: 'scope_not_allowed', details: { scopes: ['profile'] } });
    expect(domain.body.detail).toContain('profile');
  });

  it('answers a known path with the wrong method 405 with Allow, an unknown one 404, a stranger 401', async () => {
    const consent = await ledger.http.get('/v1/users/u/consents');
    expect(consent.status).toBe(200);
    const cases: Array<[string, string, string]> = [
      ['DELETE', '/v1/consents', 'POST'],
      ['PUT', '/v1/clients', 'GET, HEAD, POST'],
      ['PUT', '/v1/clients/some-app', 'DELETE, GET, HEAD, PATCH'],
      ['GET', '/v1/clients/some-app/disable', 'POST'],
      ['PUT', '/v1/clients/some-app/secrets', 'GET, HEAD, POST'],
      ['GET', '/v1/clients/some-app/secrets/sec_00000000000000000000000000000000', 'DELETE'],
      ['GET', '/v1/clients/some-app/not-before', 'POST'],
      ['PUT', '/v1/users/u/revoke', 'POST'],
      ['GET', '/v1/users/u/not-before', 'POST'],
      ['DELETE', '/v1/not-before', 'POST'],
      ['PUT', '/v1/consents/cns_00000000000000000000000000000000_1', 'GET, HEAD'],
      ['GET', '/v1/oauth2/introspect', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const r = await ledger.http.request(method, path);
      expect({ method, path, status: r.status, allow: r.headers.get('allow') }).toEqual({ method, path, status: 405, allow });
      if (path.startsWith('/v1/oauth2/')) expect(r.body).toMatchObject({ error: 'invalid_request' });
      else expect(r.body).toMatchObject({ status: 405, code: 'method_not_allowed' });
    }
    expect((await ledger.http.request('DELETE', '/v1/nothing-here')).status).toBe(404);
    expect((await ledger.asRole(undefined).request('DELETE', '/v1/consents')).status).toBe(401);
  });

  it("answers what Node's parser refuses (oversized headers) in the error format of the path it names", async () => {
    const junk = { 'x-junk': 'j'.repeat(20_000) };
    const oauth = await ledger.asRole('introspect').request('POST', '/v1/oauth2/introspect?x=1', 'token=a', { ...junk, 'content-type': 'application/x-www-form-urlencoded' });
    expect({ status: oauth.status, type: oauth.headers.get('content-type'), body: oauth.body }).toEqual({
      status: 431,
      type: 'application/json',
      body: { error: 'invalid_request', error_description: expect.any(String) },
    });
    const other = await ledger.http.get('/v1/users/u/consents', junk);
    expect({ status: other.status, type: other.headers.get('content-type'), code: other.body.code }).toEqual({ status: 431, type: 'application/problem+json', code: 'headers_too_large' });
  });

  it('shows no log position on the public readiness probe', async () => {
    const r = await ledger.asRole(undefined).get('/health/ready');
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).not.toMatch(/head|position/);
  });

  it('passes introspection through the common hooks: request id, one log line, metrics, for answers and refusals', async () => {
    const intro = ledger.asRole('introspect');
    const answers = [
      await intro.form('/v1/oauth2/introspect', { token: 'clt_unknown' }, { 'x-request-id': 'edge-intro-200' }),
      await intro.request('POST', '/v1/oauth2/introspect', 'token=a&token=b', { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'edge-intro-400' }),
      await intro.request('POST', '/v1/oauth2/introspect', 'token=a', { 'content-type': 'application/x-www-form-urlencodedXYZ', 'x-request-id': 'edge-intro-415' }),
      await intro.form('/v1/oauth2/introspect', { token: 'x'.repeat(70_000) }, { 'x-request-id': 'edge-intro-413' }),
    ];
    // The server's own id on every answer, never the caller's (docs/audit.md: a caller could name another request).
    const ids = answers.map((a) => a.headers.get('x-request-id'));
    expect(answers.map((a) => a.status)).toEqual([200, 400, 415, 413]);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const lines = log.lines.filter((l) => ids.includes(String(l.requestId)) && l.msg === 'request completed');
    expect(lines.map((l) => [l.requestId, l.route, l.status])).toEqual(
      expect.arrayContaining(answers.map((a, i) => [ids[i], '/v1/oauth2/introspect', a.status])),
    );
    expect(lines).toHaveLength(4);
    const metrics = String((await ledger.asRole('audit').get('/metrics')).body);
    for (const status of [200, 400, 413, 415]) {
      expect(metrics).toMatch(new RegExp(`ledger_http_request_duration_seconds_count\\{method="POST",route="/v1/oauth2/introspect",status="${status}"\\} [1-9]`));
    }
  });

  it('answers introspection while the token view is being rebuilt with 503 temporarily_unavailable, and keeps running', async () => {
    const server = ledger.app.getHttpServer();
    // Between the request's arrival and its answer, as a rebuild (or a shutdown) can start at any moment.
    server.once('request', () => ledger.views.tokens.markStaged(true));
    try {
      const r = await ledger.asRole('introspect').form('/v1/oauth2/introspect', { token: 'clt_unknown' });
      expect({ status: r.status, retry: r.headers.get('retry-after'), body: r.body }).toEqual({
        status: 503,
        retry: '1',
        body: { error: 'temporarily_unavailable', error_description: expect.any(String) },
      });
    } finally {
      ledger.views.tokens.markStaged(false);
    }
    expect((await ledger.asRole('introspect').form('/v1/oauth2/introspect', { token: 'clt_unknown' })).body).toEqual({ active: false });
  });
});
