import { errors, Issuer } from 'openid-client';
import { freePort } from './support/ledger-process';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

const METADATA = '/.well-known/oauth-authorization-server';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * RFC 8693 token exchange as a standard OAuth client library drives it, unmodified: openid-client discovers the
 * token endpoint and the grant type from the RFC 8414 metadata, and the dependent service exchanges the user's token
 * with its generic grant call (client.grant), authenticated with client_secret_basic or client_secret_post; the
 * ledger's refusals parse as OPError with the RFC 8693 section 2.2.2 codes.
 */
describe('Token exchange with openid-client', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let issuer: string;
  let transferSecret: string;

  beforeAll(async () => {
    data = tempDataDir();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    ledger = await startLedger({ dataDir: data.dir, port, env: { LEDGER_ISSUER: issuer } });
    const steps = ledgerSteps(ledger.http);
    await steps.registerClient('transfer-web', ['transfer:all']);
    await steps.registerClient('transfer', ['collection-a:data_access']);
    transferSecret = (await steps.createSecret('transfer')).body.secret;
    await ledger.http.post('/v1/clients/transfer/served-scopes', { scope: 'transfer:all' });
  });
  afterAll(async () => {
    await ledger?.close();
    data?.remove();
  });

  async function userToken(user: string): Promise<string> {
    const consent = await ledger.http.post('/v1/consents', { userId: user, clientId: 'transfer-web', scopes: ['transfer:all[collection-a:data_access]'] });
    return (await ledgerSteps(ledger.http).issue(consent.body.id)).body.access_token;
  }
  const introspect = async (token: string) => (await ledgerSteps(ledger.http).introspect(token)).body;

  it.each(['client_secret_basic', 'client_secret_post'] as const)('discovers the grant type and exchanges with %s for one dependent token', async (method) => {
    const discovered = await Issuer.discover(`${issuer}${METADATA}`);
    expect(discovered.metadata.grant_types_supported).toContain(TOKEN_EXCHANGE);
    const client = new discovered.Client({ client_id: 'transfer', client_secret: transferSecret, token_endpoint_auth_method: method, response_types: [] });
    const subject = await userToken(`oidc-${method}`);
    const set = await client.grant({ grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE, scope: 'collection-a:data_access' });
    expect(set).toMatchObject({ token_type: 'Bearer', scope: 'collection-a:data_access', issued_token_type: ACCESS_TOKEN_TYPE });
    expect(set.access_token).toMatch(/^clt_/);
    expect(set.expires_at).toBeGreaterThan(Date.now() / 1000);
    expect(await introspect(set.access_token!)).toMatchObject({ active: true, client_id: 'transfer', sub: `oidc-${method}` });
  });

  it('parses the refusals as OPError: an unacceptable subject token is invalid_request, a target scope invalid_scope', async () => {
    const discovered = await Issuer.discover(`${issuer}${METADATA}`);
    const client = new discovered.Client({ client_id: 'transfer', client_secret: transferSecret, response_types: [] });
    const subject = await userToken('oidc-refusals');
    const refused = (body: Record<string, string>) => client.grant({ grant_type: TOKEN_EXCHANGE, subject_token_type: ACCESS_TOKEN_TYPE, ...body }).catch((e: unknown) => e);
    const unknown = await refused({ subject_token: 'clt_not-a-token', scope: 'collection-a:data_access' });
    expect(unknown).toBeInstanceOf(errors.OPError);
    expect(unknown).toMatchObject({ error: 'invalid_request' });
    expect(await refused({ subject_token: subject, scope: 'collection-z:data_access' })).toMatchObject({ error: 'invalid_scope' });
  });
});
