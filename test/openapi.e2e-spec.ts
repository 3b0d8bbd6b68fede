import { MAX_SCOPE_LENGTH, MAX_SCOPE_STRING_LENGTH, SCOPE_STRING_PATTERN, SCOPE_TOKEN_PATTERN } from '@ledger/domain';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir, TestRole } from './support/ledger-app';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const PUBLIC = /^\/(?:health|\.well-known)\//;

/**
 * The OpenAPI document tells the truth: each operation says who may call it (and the service agrees), what it is,
 * which problems it answers, and the headers it reads. Schemathesis (scripts/schemathesis/run.sh) then fuzzes the
 * service against every schema in it.
 */
describe('OpenAPI document (over HTTP)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let doc: any;
  let consentId: string;
  const operations = () =>
    Object.entries<any>(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })));

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir });
    doc = (await ledger.asRole(undefined).get('/docs-json')).body;
    const steps = ledgerSteps(ledger.http);
    await steps.registerClient('oas-app');
    consentId = (await steps.grant('oas-user', 'oas-app', ['openid'])).body.id;
  });
  afterAll(async () => {
    await ledger.close();
    data.remove();
  });

  it('keeps introspection in the document, so that it is fuzzed too', () => {
    expect(doc.paths['/v1/oauth2/introspect']?.post).toBeDefined();
  });

  it('gives every operation a summary, and a problem+json answer for each 4xx it declares (RFC 6749 JSON on the OAuth endpoints)', () => {
    for (const { path, method, op } of operations()) {
      expect({ route: `${method} ${path}`, summary: typeof op.summary === 'string' && op.summary.length > 0 }).toEqual({ route: `${method} ${path}`, summary: true });
      for (const [status, response] of Object.entries<any>(op.responses)) {
        if (!/^4\d\d$/.test(status)) continue;
        // The OAuth endpoints answer RFC 6749 JSON, which OAuth libraries parse; everything else problem+json.
        const oauth = path.startsWith('/v1/oauth2/');
        const type = oauth ? 'application/json' : 'application/problem+json';
        expect({ route: `${method} ${path}`, status, types: Object.keys(response.content ?? {}), schema: response.content?.[type]?.schema }).toEqual({
          route: `${method} ${path}`,
          status,
          types: [type],
          schema: oauth ? expect.objectContaining({ required: ['error'] }) : { $ref: '#/components/schemas/Problem' },
        });
      }
    }
    expect(doc.components.schemas.Problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code']));
  });

  it('declares a security requirement on every operation that needs one, and none on the public ones, as the service enforces', async () => {
    const anonymous = ledger.asRole(undefined);
    for (const { path, method, op } of operations()) {
      const route = `${method} ${path}`;
      const url = path.replace(/\{\w+\}/g, consentId);
      const status = (await anonymous.request(method.toUpperCase(), url, method === 'post' ? {} : undefined)).status;
      if (PUBLIC.test(path)) {
        expect({ route, security: op.security }).toEqual({ route, security: [] });
        expect({ route, status: status === 401 }).toEqual({ route, status: false });
      } else {
        // API keys are bearer tokens; RFC 7009 revocation (x-oauth-client) takes OAuth client credentials only.
        const scheme = op['x-oauth-client'] ? { basic: [] } : { bearer: [] };
        expect({ route, security: op.security }).toEqual({ route, security: op['x-oauth-client'] ? [scheme] : expect.arrayContaining([scheme]) });
        expect({ route, status }).toEqual({ route, status: 401 });
        expect(op.responses['401']).toBeDefined();
        expect(op.responses['403']).toBeDefined();
      }
    }
    // Basic is offered exactly where the service takes it: the OAuth endpoints.
    for (const { path, op } of operations()) expect({ path, basic: op.security.some((s: object) => 'basic' in s) }).toEqual({ path, basic: path.startsWith('/v1/oauth2/') });
    expect(operations().filter(({ op }) => op['x-oauth-client']).map(({ method, path }) => `${method} ${path}`)).toEqual(['post /v1/oauth2/revoke', 'post /v1/oauth2/token']);
  });

  it('names the roles of each operation (x-roles), and a caller of another role is refused with 403', async () => {
    for (const { path, method, op } of operations()) {
      if (PUBLIC.test(path)) continue;
      const roles: string[] = op['x-roles'];
      // Every role-checked operation lets admin in; an OAuth client operation lets no API key in, admin's neither.
      expect({ path, roles: roles?.includes('admin') }).toEqual({ path, roles: !op['x-oauth-client'] });
      if (op['x-oauth-client']) expect({ path, roles }).toEqual({ path, roles: [] });
      const url = path.replace(/\{\w+\}/g, consentId);
      for (const role of ['commands', 'introspect', 'audit', ...(op['x-oauth-client'] ? ['admin'] : [])] as TestRole[]) {
        const http = ledger.asRole(role);
        // The OAuth endpoints take forms; the revocation feed is asked with HEAD, which ends instead of streaming.
        const r = path.startsWith('/v1/oauth2/')
          ? await http.form(url, { token: 'x' })
          : await http.request(path === '/v1/revocations/stream' ? 'HEAD' : method.toUpperCase(), url, method === 'post' ? {} : undefined);
        const refused = r.status === 403;
        expect({ route: `${method} ${path}`, role, refused }).toEqual({ route: `${method} ${path}`, role, refused: !roles.includes(role) });
      }
    }
  });

  it('describes API keys as opaque bearer tokens, not JWTs', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.bearer.bearerFormat).not.toMatch(/jwt/i);
  });

  it('types revokedAt and termsUrl as nullable strings with their formats', () => {
    const { ConsentResponse, ClientResponse, RegisterClientRequest } = doc.components.schemas;
    expect(ConsentResponse.properties.revokedAt).toMatchObject({ type: 'string', format: 'date-time', nullable: true });
    expect(ConsentResponse.required).toContain('revokedAt');
    expect(ClientResponse.properties.termsUrl).toMatchObject({ type: 'string', format: 'uri', nullable: true });
    expect(RegisterClientRequest.properties.termsUrl).toMatchObject({ type: 'string', format: 'uri' });
  });

  it('declares X-Request-Id everywhere, X-Initiator on every command and Idempotency-Key where a retry is safe', async () => {
    const headers = (op: any) => (op.parameters ?? []).filter((p: any) => p.in === 'header').map((p: any) => p.name);
    const clientCommands = ['post /v1/clients/{id}/served-scopes', 'patch /v1/clients/{id}', 'post /v1/clients/{id}/disable', 'post /v1/clients/{id}/enable', 'post /v1/clients/{id}/not-before', 'delete /v1/clients/{id}', 'delete /v1/clients/{id}/secrets/{secretId}'];
    const bulk = ['post /v1/users/{userId}/revoke', 'post /v1/users/{userId}/not-before', 'post /v1/not-before'];
    // A new secret's answer is the secret: never stored for a replay, so no Idempotency-Key.
    // An erasure is idempotent by itself, and its answer must not be stored: no Idempotency-Key either.
    const commands = new Set(['post /v1/clients', ...clientCommands, 'post /v1/clients/{id}/secrets', 'post /v1/users/{userId}/erase', ...bulk, 'post /v1/consents', 'post /v1/consents/{id}/revoke', 'post /v1/tokens', 'post /v1/tokens/{tokenId}/revoke', 'post /v1/oauth2/revoke', 'post /v1/oauth2/token']);
    const idempotent = new Set(['post /v1/clients', ...clientCommands, ...bulk, 'post /v1/consents', 'post /v1/consents/{id}/revoke', 'post /v1/tokens']);
    for (const { path, method, op } of operations()) {
      const route = `${method} ${path}`;
      expect({ route, header: headers(op).includes('X-Request-Id') }).toEqual({ route, header: true });
      expect({ route, header: headers(op).includes('X-Initiator') }).toEqual({ route, header: commands.has(route) });
      expect({ route, header: headers(op).includes('Idempotency-Key') }).toEqual({ route, header: idempotent.has(route) });
    }
    // The service reads them: a malformed X-Initiator is refused; the answer carries the server's own request id,
    // never the caller's, which is recorded beside it as clientRequestId (docs/audit.md).
    const r = await ledger.http.post('/v1/consents', { userId: 'oas-user', clientId: 'oas-app', scopes: ['openid'] }, { 'x-initiator': 'nobody', 'x-request-id': 'oas-req-1' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('invalid_initiator');
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('checks X-Initiator on a replayed Idempotency-Key as on the first call', async () => {
    const body = { userId: 'oas-replay', clientId: 'oas-app', scopes: ['openid'] };
    expect((await ledger.http.post('/v1/consents', body, { 'idempotency-key': 'oas-replay-1' })).status).toBe(201);
    const before = (await ledger.events()).length;
    const replay = await ledger.http.post('/v1/consents', body, { 'idempotency-key': 'oas-replay-1', 'x-initiator': '' });
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 400, code: 'invalid_initiator' });
    expect((await ledger.events()).length).toBe(before);
  });

  it("states the scope rules with the domain's own patterns and caps: scope-strings in a grant, scope-tokens elsewhere", () => {
    // scope-token.spec.ts and scope-string.spec.ts hold each pattern and the domain's check together.
    const items = (schema: string, field: string) => doc.components.schemas[schema].properties[field].items;
    expect(items('GrantConsentRequest', 'scopes')).toEqual({ type: 'string', minLength: 1, maxLength: MAX_SCOPE_STRING_LENGTH, pattern: SCOPE_STRING_PATTERN });
    for (const [schema, field] of [['RegisterClientRequest', 'allowedScopes'], ['RevokeConsentRequest', 'scopes'], ['IssueTokenRequest', 'scopes']]) {
      expect({ schema, items: items(schema, field) }).toEqual({ schema, items: { type: 'string', minLength: 1, maxLength: MAX_SCOPE_LENGTH, pattern: SCOPE_TOKEN_PATTERN } });
    }
  });
});
