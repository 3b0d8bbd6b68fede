import { errors, Issuer } from 'openid-client';
import { freePort } from './support/ledger-process';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

const METADATA = '/.well-known/oauth-authorization-server';

/**
 * The refresh token grant as a standard OAuth client library drives it, unmodified: openid-client discovers the
 * token endpoint from the RFC 8414 metadata alone, refreshes with client_secret_basic and client_secret_post
 * (client.refresh), revokes a refresh token (RFC 7009, token_type_hint refresh_token), and parses the ledger's
 * RFC 6749 section 5.2 refusal of a reused refresh token as an OPError with error invalid_grant.
 */
describe('Refresh tokens with openid-client', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let issuer: string;
  let clientSecret: string;

  beforeAll(async () => {
    data = tempDataDir();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    ledger = await startLedger({ dataDir: data.dir, port, env: { LEDGER_ISSUER: issuer } });
    await ledgerSteps(ledger.http).registerClient('refresh-app', ['openid', 'email']);
    clientSecret = (await ledgerSteps(ledger.http).createSecret('refresh-app')).body.secret;
  });
  afterAll(async () => {
    await ledger?.close();
    data?.remove();
  });

  async function refreshToken(user: string): Promise<string> {
    const consent = await ledger.http.post('/v1/consents', { userId: user, clientId: 'refresh-app', scopes: ['openid', 'email'], allowsRefresh: true });
    return (await ledgerSteps(ledger.http).issue(consent.body.id)).body.refresh_token;
  }
  const active = async (token: string) => (await ledgerSteps(ledger.http).introspect(token)).body.active as boolean;

  it.each(['client_secret_basic', 'client_secret_post'] as const)('discovers the token endpoint and refreshes with %s, rotating each time', async (method) => {
    const discovered = await Issuer.discover(`${issuer}${METADATA}`);
    expect(discovered.metadata.token_endpoint).toBe(`${issuer}/v1/oauth2/token`);
    const client = new discovered.Client({ client_id: 'refresh-app', client_secret: clientSecret, token_endpoint_auth_method: method, revocation_endpoint_auth_method: method, response_types: [] });
    const first = await refreshToken(`oidc-${method}`);
    const set = await client.refresh(first);
    expect(set).toMatchObject({ token_type: 'Bearer', scope: 'email openid' });
    expect(set.access_token).toMatch(/^clt_/);
    expect(set.refresh_token).toMatch(/^clr_/);
    expect(set.expires_at).toBeGreaterThan(Date.now() / 1000);
    expect(await active(set.access_token!)).toBe(true);
    expect(await active(first)).toBe(false);

    // Fewer scopes on the next refresh, as the library sends them (the `scope` parameter).
    const narrower = await client.refresh(set.refresh_token!, { exchangeBody: { scope: 'openid' } });
    expect(narrower.scope).toBe('openid');

    await client.revoke(narrower.refresh_token!, 'refresh_token');
    expect(await active(narrower.refresh_token!)).toBe(false);
    expect(await active(narrower.access_token!)).toBe(false);
  });

  it('parses the refusal of a reused refresh token as invalid_grant, and the family is over', async () => {
    const discovered = await Issuer.discover(`${issuer}${METADATA}`);
    const client = new discovered.Client({ client_id: 'refresh-app', client_secret: clientSecret, response_types: [] });
    const first = await refreshToken('oidc-reuse');
    const set = await client.refresh(first);
    const reused = await client.refresh(first).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(errors.OPError);
    expect(reused).toMatchObject({ error: 'invalid_grant' });
    expect(await active(set.access_token!)).toBe(false);
    expect(await active(set.refresh_token!)).toBe(false);
  });
});
