import { Issuer } from 'openid-client';
import { freePort } from './support/ledger-process';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir, TEST_KEYS } from './support/ledger-app';

const METADATA = '/.well-known/oauth-authorization-server';

/**
 * RFC 8414 discovery and the issuer, as a standard OAuth client library (openid-client) uses them: it discovers the
 * endpoints from the metadata alone, then introspects (as a resource service, with an API key) and revokes (as the
 * OAuth client the token was issued to, with a secret the ledger generated) with client_secret_basic and
 * client_secret_post.
 */
describe('Discovery (RFC 8414) and the issuer', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let issuer: string;
  let clientSecret: string;

  beforeAll(async () => {
    data = tempDataDir();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    ledger = await startLedger({ dataDir: data.dir, port, env: { LEDGER_ISSUER: issuer, LEDGER_AUTHORIZATION_ENDPOINT: 'https://login.example.org/authorize' } });
    await ledgerSteps(ledger.http).registerClient('disco-app', ['openid', 'email']);
    clientSecret = (await ledgerSteps(ledger.http).createSecret('disco-app')).body.secret;
  });
  afterAll(async () => {
    await ledger?.close();
    data?.remove();
  });

  async function liveToken(user: string): Promise<string> {
    const steps = ledgerSteps(ledger.asRole('commands'));
    const consent = await steps.grant(user, 'disco-app', ['openid', 'email']);
    return (await steps.issue(consent.body.id)).body.access_token;
  }

  it('publishes the metadata to anyone, with the issuer, both endpoints and how clients authenticate at each', async () => {
    const r = await ledger.asRole(undefined).get(METADATA);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(r.body).toEqual({
      issuer,
      authorization_endpoint: 'https://login.example.org/authorize',
      response_types_supported: ['code'],
      introspection_endpoint: `${issuer}/v1/oauth2/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint: `${issuer}/v1/oauth2/revoke`,
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      token_endpoint: `${issuer}/v1/oauth2/token`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      grant_types_supported: ['refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      service_documentation: `${issuer}/docs`,
    });
  });

  it('answers 404 for well-known metadata it does not publish, without asking for credentials; elsewhere unknown paths still need them', async () => {
    const anonymous = ledger.asRole(undefined);
    for (const path of ['/.well-known/openid-configuration', `${METADATA}/other-issuer`, '/.well-known/']) {
      const r = await anonymous.get(path);
      expect({ path, status: r.status, code: r.body?.code }).toEqual({ path, status: 404, code: 'not_found' });
    }
    expect((await anonymous.get('/v1/nothing-here')).status).toBe(401);
  });

  it('names the issuer in every active introspection answer (iss, RFC 7662 section 2.2), and in no inactive one', async () => {
    const token = await liveToken('disco-iss');
    expect((await ledgerSteps(ledger.asRole('introspect')).introspect(token)).body).toMatchObject({ active: true, iss: issuer });
    expect((await ledgerSteps(ledger.asRole('introspect')).introspect('clt_unknown')).body).toEqual({ active: false });
  });

  it.each(['client_secret_basic', 'client_secret_post'] as const)('lets openid-client discover the endpoints, introspect and revoke with %s', async (method) => {
    const discovered = await Issuer.discover(`${issuer}${METADATA}`);
    expect(discovered.metadata.issuer).toBe(issuer);
    // A resource service introspects with its API key; the OAuth client revokes its own token with its own secret.
    const resourceService = new discovered.Client({
      client_id: TEST_KEYS.introspect.name,
      client_secret: TEST_KEYS.introspect.secret,
      introspection_endpoint_auth_method: method,
      response_types: [],
    });
    const oauthClient = new discovered.Client({ client_id: 'disco-app', client_secret: clientSecret, revocation_endpoint_auth_method: method, response_types: [] });
    const token = await liveToken(`disco-${method}`);
    expect(await resourceService.introspect(token)).toMatchObject({ active: true, iss: issuer, client_id: 'disco-app', sub: `disco-${method}` });
    await oauthClient.revoke(token, 'access_token');
    expect(await resourceService.introspect(token)).toEqual({ active: false });
  });

  it.each(['client_secret_basic', 'client_secret_post'] as const)("shows openid-client the refusals with %s: another client's token, an API key at revocation", async (method) => {
    const discovered = await Issuer.discover(`${issuer}${METADATA}`);
    await ledgerSteps(ledger.http).registerClient('disco-other', ['openid']);
    const otherSecret = (await ledgerSteps(ledger.http).createSecret('disco-other')).body.secret;
    const other = new discovered.Client({ client_id: 'disco-other', client_secret: otherSecret, revocation_endpoint_auth_method: method, response_types: [] });
    const key = new discovered.Client({ client_id: TEST_KEYS.introspect.name, client_secret: TEST_KEYS.introspect.secret, revocation_endpoint_auth_method: method, response_types: [] });
    const token = await liveToken(`disco-refused-${method}`);
    await expect(other.revoke(token)).rejects.toMatchObject({ error: 'invalid_request', error_description: 'The token was not issued to this client' });
    await expect(key.revoke(token)).rejects.toMatchObject({ error: 'invalid_client' });
    // An unknown token is no refusal (RFC 7009 section 2.2).
    await expect(other.revoke('clt_unknown')).resolves.toBeUndefined();
    expect((await ledgerSteps(ledger.asRole('introspect')).introspect(token)).body.active).toBe(true);
  });
});

describe('Discovery for an issuer with a path (RFC 8414 section 3.1)', () => {
  it('serves the metadata at the well-known path followed by the issuer path, and only there', async () => {
    const data = tempDataDir();
    const port = await freePort();
    const ledger = await startLedger({ dataDir: data.dir, port, env: { LEDGER_ISSUER: `http://127.0.0.1:${port}/ledger/` } });
    try {
      const anonymous = ledger.asRole(undefined);
      const r = await anonymous.get(`${METADATA}/ledger`);
      expect(r.status).toBe(200);
      // One spelling of the issuer, without the trailing slash, as receivers compare it as a string.
      expect(r.body).toMatchObject({ issuer: `http://127.0.0.1:${port}/ledger`, introspection_endpoint: `http://127.0.0.1:${port}/ledger/v1/oauth2/introspect` });
      expect((await anonymous.get(METADATA)).status).toBe(404);
    } finally {
      await ledger.close();
      data.remove();
    }
  });
});
