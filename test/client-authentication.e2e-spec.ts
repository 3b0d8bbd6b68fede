import { clientBasic, ledgerSteps, RunningLedger, startLedger, tempDataDir, TEST_KEYS } from './support/ledger-app';
import { uid } from './support/consent-fixtures';

/** A clock the test moves: the overlap window of a rotation ends when the test says, not after a sleep. */
class TestClock {
  private offsetMs = 0;
  now = () => Date.now() + this.offsetMs;
  /** Moves to `iso` (and on from there at the wall clock's pace). */
  set(iso: string): void {
    this.offsetMs = Date.parse(iso) - Date.now();
  }
  reset(): void {
    this.offsetMs = 0;
  }
}

/**
 * OAuth client authentication at the RFC 7009 endpoint over HTTP: client_secret_basic and client_secret_post with a
 * secret the ledger generated, rotation with an overlap window, revocation of a secret, disabled and deleted
 * clients; owner-only revocation; API keys refused there; and the two namespaces (client ids, key names) kept apart.
 */
describe('Client authentication and owner-only RFC 7009 revocation (over HTTP)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  const clock = new TestClock();

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir, clock });
  });
  afterAll(async () => {
    await ledger?.close();
    data?.remove();
  });
  afterEach(() => clock.reset());

  const steps = () => ledgerSteps(ledger.http);
  const anonymous = () => ledger.asRole(undefined);
  const revokeForm = (fields: Record<string, string>, headers?: Record<string, string>) => anonymous().form('/v1/oauth2/revoke', fields, headers);
  const active = async (token: string) => (await steps().introspect(token)).body.active;

  /** A client with a secret and a live token of one user. */
  async function client(prefix = 'ca'): Promise<{ clientId: string; secret: string; secretId: string; token: string; tokenId: string }> {
    const clientId = `${prefix}-${uid()}`;
    expect((await steps().registerClient(clientId)).status).toBe(201);
    const created = await steps().createSecret(clientId);
    expect(created.status).toBe(201);
    const consent = await steps().grant(`user-${uid()}`, clientId, ['openid']);
    const issued = (await steps().issue(consent.body.id)).body;
    return { clientId, secret: created.body.secret, secretId: created.body.secretId, token: issued.access_token, tokenId: issued.token_id };
  }

  async function appendsNothing(run: () => Promise<void>): Promise<void> {
    const before = (await ledger.events()).length;
    await run();
    expect((await ledger.events()).length).toBe(before);
  }

  const expectInvalidClient = (r: { status: number; body: any; headers: Headers }) => {
    expect({ status: r.status, body: r.body }).toEqual({ status: 401, body: { error: 'invalid_client', error_description: expect.any(String) } });
    // Revocation takes client credentials only: the challenge names Basic alone.
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="consent-ledger"');
  };

  it('revokes its own token with client_secret_basic, and records the client as the actor', async () => {
    const c = await client();
    const r = await steps().revokeAsClient(c.clientId, c.secret, c.token);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await active(c.token)).toBe(false);
    const [event] = (await ledger.events()).filter((e) => e.type === 'TokenRevoked' && e.data.tokenId === c.tokenId);
    expect(event.metadata).toMatchObject({ actor: `client:${c.clientId}`, initiator: 'user' });
  });

  it('revokes its own token with client_secret_post', async () => {
    const c = await client();
    expect((await revokeForm({ token: c.token, client_id: c.clientId, client_secret: c.secret })).status).toBe(200);
    expect(await active(c.token)).toBe(false);
  });

  it('answers 200 for a token the ledger does not know, appending nothing', async () => {
    const c = await client();
    await appendsNothing(async () => expect((await steps().revokeAsClient(c.clientId, c.secret, 'clt_unknown')).status).toBe(200));
  });

  it("refuses another client's token with 400 invalid_request: the token stays active and nothing is appended", async () => {
    const mine = await client();
    const theirs = await client();
    await appendsNothing(async () => {
      const r = await steps().revokeAsClient(mine.clientId, mine.secret, theirs.token);
      expect({ status: r.status, body: r.body }).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'The token was not issued to this client' } });
      const post = await revokeForm({ token: theirs.token, client_id: mine.clientId, client_secret: mine.secret });
      expect(post.status).toBe(400);
    });
    expect(await active(theirs.token)).toBe(true);
    // Staff still revoke any token by id.
    expect((await steps().revokeToken(theirs.tokenId)).body).toEqual({ revoked: true });
    expect(await active(theirs.token)).toBe(false);
    // Once ended, still not the other client's to revoke: the refusal does not depend on the token's state.
    expect((await steps().revokeAsClient(mine.clientId, mine.secret, theirs.token)).status).toBe(400);
  });

  it('refuses wrong credentials with 401 invalid_client, appending nothing', async () => {
    const c = await client();
    const other = await client();
    await appendsNothing(async () => {
      for (const [label, headers, fields] of [
        ['no credentials', {}, {}],
        ['wrong secret', clientBasic(c.clientId, 'lcs_' + 'A'.repeat(43)), {}],
        ["another client's secret", clientBasic(c.clientId, other.secret), {}],
        ['unknown client', clientBasic('nobody-here', c.secret), {}],
        ['not a generated secret', clientBasic(c.clientId, 'short'), {}],
        ['post, wrong secret', {}, { client_id: c.clientId, client_secret: other.secret }],
        ['post, no secret', {}, { client_id: c.clientId }],
      ] as Array<[string, Record<string, string>, Record<string, string>]>) {
        const r = await revokeForm({ token: c.token, ...fields }, headers);
        expect({ label, status: r.status }).toEqual({ label, status: 401 });
        expectInvalidClient(r);
      }
    });
    expect(await active(c.token)).toBe(true);
  });

  it('keeps the previous secret valid during the overlap window, and only the new one after it (clock moved, no sleep)', async () => {
    const c = await client();
    const rotated = await steps().createSecret(c.clientId, { overlapSeconds: 60 });
    expect(rotated.status).toBe(201);
    const [{ validUntil }] = rotated.body.superseded;
    const newSecret = rotated.body.secret;
    const works = async (secret: string) => (await steps().revokeAsClient(c.clientId, secret, 'clt_unknown')).status;

    expect([await works(c.secret), await works(newSecret)]).toEqual([200, 200]);
    clock.set(new Date(Date.parse(validUntil) - 1000).toISOString());
    expect([await works(c.secret), await works(newSecret)]).toEqual([200, 200]);
    expect((await ledger.http.get(`/v1/clients/${c.clientId}/secrets`)).body.secrets.map((s: { status: string }) => s.status)).toEqual(['expiring', 'active']);
    clock.set(validUntil);
    expect([await works(c.secret), await works(newSecret)]).toEqual([401, 200]);
    expect((await ledger.http.get(`/v1/clients/${c.clientId}/secrets`)).body.secrets.map((s: { status: string }) => s.status)).toEqual(['expired', 'active']);
    // The new secret revokes the client's token as the old one would have.
    expect((await steps().revokeAsClient(c.clientId, newSecret, c.token)).status).toBe(200);
    expect(await active(c.token)).toBe(false);
  });

  it('ends the previous secret at once with overlapSeconds 0', async () => {
    const c = await client();
    const rotated = (await steps().createSecret(c.clientId, { overlapSeconds: 0 })).body;
    expectInvalidClient(await steps().revokeAsClient(c.clientId, c.secret, 'clt_unknown'));
    expect((await steps().revokeAsClient(c.clientId, rotated.secret, 'clt_unknown')).status).toBe(200);
  });

  it('refuses a revoked secret at once (401), in its overlap window too', async () => {
    const c = await client();
    const rotated = (await steps().createSecret(c.clientId)).body;
    expect((await ledger.http.request('DELETE', `/v1/clients/${c.clientId}/secrets/${c.secretId}`)).status).toBe(200);
    expectInvalidClient(await steps().revokeAsClient(c.clientId, c.secret, c.token));
    expect((await ledger.http.request('DELETE', `/v1/clients/${c.clientId}/secrets/${rotated.secretId}`)).status).toBe(200);
    expectInvalidClient(await revokeForm({ token: c.token, client_id: c.clientId, client_secret: rotated.secret }));
    expect(await active(c.token)).toBe(true);
  });

  it('refuses a disabled client (401) until it is enabled again, and a deleted one for good', async () => {
    const c = await client();
    expect((await ledger.http.post(`/v1/clients/${c.clientId}/disable`)).status).toBe(200);
    expectInvalidClient(await steps().revokeAsClient(c.clientId, c.secret, 'clt_unknown'));
    expectInvalidClient(await revokeForm({ token: 'clt_unknown', client_id: c.clientId, client_secret: c.secret }));
    expect((await ledger.http.post(`/v1/clients/${c.clientId}/enable`)).status).toBe(200);
    expect((await steps().revokeAsClient(c.clientId, c.secret, 'clt_unknown')).status).toBe(200);
    expect((await ledger.http.request('DELETE', `/v1/clients/${c.clientId}`)).status).toBe(200);
    expectInvalidClient(await steps().revokeAsClient(c.clientId, c.secret, 'clt_unknown'));
  });

  it('refuses every API key at revocation: Bearer of any role is 403 unauthorized_client; a key name and secret are 401, appending nothing', async () => {
    const c = await client();
    await appendsNothing(async () => {
      for (const role of ['introspect', 'admin', 'commands', 'audit'] as const) {
        const r = await ledger.asRole(role).form('/v1/oauth2/revoke', { token: c.token });
        expect({ role, status: r.status, error: r.body.error }).toEqual({ role, status: 403, error: 'unauthorized_client' });
        expect(r.body.error_description).toContain('/v1/tokens/{tokenId}/revoke');
      }
      const k = TEST_KEYS.introspect;
      expectInvalidClient(await revokeForm({ token: c.token }, clientBasic(k.name, k.secret)));
      expectInvalidClient(await revokeForm({ token: c.token, client_id: k.name, client_secret: k.secret }));
      expectInvalidClient(await revokeForm({ token: c.token }, { authorization: 'Bearer not-a-key-at-all-0123456789' }));
    });
    expect(await active(c.token)).toBe(true);
  });

  it('keeps the namespaces apart: a client named like an API key is a client at revocation and nothing at introspection', async () => {
    const k = TEST_KEYS.introspect;
    // A client whose id is the introspect key's name, with a secret of its own.
    expect((await steps().registerClient(k.name)).status).toBe(201);
    const clientSecret = (await steps().createSecret(k.name)).body.secret as string;
    const consent = await steps().grant(`user-${uid()}`, k.name, ['openid']);
    const token = (await steps().issue(consent.body.id)).body.access_token as string;

    // Introspection reads API keys only: the key's secret works under its name, the client's does not.
    const asKey = await anonymous().form('/v1/oauth2/introspect', { token }, clientBasic(k.name, k.secret));
    expect(asKey.body).toMatchObject({ active: true, client_id: k.name });
    expect((await anonymous().form('/v1/oauth2/introspect', { token }, clientBasic(k.name, clientSecret))).status).toBe(401);
    expect((await anonymous().form('/v1/oauth2/introspect', { token, client_id: k.name, client_secret: clientSecret })).status).toBe(401);

    // Revocation reads clients only: the key's secret does not work under the shared name, the client's does.
    expectInvalidClient(await revokeForm({ token }, clientBasic(k.name, k.secret)));
    expect((await revokeForm({ token }, clientBasic(k.name, clientSecret))).status).toBe(200);
    expect(await active(token)).toBe(false);
    const [event] = (await ledger.events()).filter((e) => e.type === 'TokenRevoked' && e.data.clientId === k.name);
    // The actor says which namespace acted: `client:` cannot begin an API key's name.
    expect(event.metadata.actor).toBe(`client:${k.name}`);
  });

  it('takes client credentials at revocation only: elsewhere they are nobody', async () => {
    const c = await client();
    for (const [method, path] of [['GET', '/v1/clients'], ['GET', `/v1/clients/${c.clientId}/secrets`], ['POST', '/v1/tokens']] as const) {
      const r = await anonymous().request(method, path, method === 'POST' ? {} : undefined, clientBasic(c.clientId, c.secret));
      expect({ path, status: r.status }).toEqual({ path, status: 401 });
    }
    expect((await anonymous().form('/v1/oauth2/introspect', { token: c.token, client_id: c.clientId, client_secret: c.secret })).status).toBe(401);
  });

  it('lets a client assert only the user initiator: admin, policy or system is 403, appending nothing', async () => {
    const c = await client();
    await appendsNothing(async () => {
      for (const initiator of ['admin', 'policy', 'system']) {
        const r = await anonymous().form('/v1/oauth2/revoke', { token: c.token }, { ...clientBasic(c.clientId, c.secret), 'x-initiator': initiator });
        expect({ initiator, status: r.status, error: r.body.error }).toEqual({ initiator, status: 403, error: 'unauthorized_client' });
      }
    });
    const said = await anonymous().form('/v1/oauth2/revoke', { token: c.token }, { ...clientBasic(c.clientId, c.secret), 'x-initiator': 'user' });
    expect(said.status).toBe(200);
  });
});
