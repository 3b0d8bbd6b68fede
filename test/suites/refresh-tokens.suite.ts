import { uid } from '../support/consent-fixtures';
import { clientBasic, RunningLedger } from '../support/ledger-app';
import { StoreFixture, suiteLedger, SuiteLedger } from './suite-ledger';

export const TOKEN_PATH = '/v1/oauth2/token';

/**
 * Refresh tokens over HTTP (#15): issued where the consent allows refresh, rotated at POST /v1/oauth2/token with
 * reuse detection (RFC 9700 section 4.14.2), ended with their consent, a scope they carry or an RFC 7009 revocation,
 * introspected with token_use; every refusal in RFC 6749 section 5.2's format, appending nothing. Run for every
 * adapter (refresh-tokens.e2e-spec.ts, esdb-refresh-tokens.e2e-spec.ts).
 */
export function refreshTokensSuite(name: string, fixture: () => Promise<StoreFixture>) {
  describe(`Refresh tokens over HTTP (${name})`, () => {
    const running = suiteLedger(fixture);
    let ledger: RunningLedger;
    let steps: SuiteLedger['steps'];
    beforeAll(() => ({ ledger, steps } = running));

    const anonymous = () => ledger.asRole(undefined);
    const introspect = async (token: string) => (await steps.introspect(token)).body;
    const active = async (token: string) => (await introspect(token)).active as boolean;
    const refresh = (c: { clientId: string; secret: string }, refreshToken: string, extra: Record<string, string> = {}) =>
      anonymous().form(TOKEN_PATH, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, clientBasic(c.clientId, c.secret));
    const eventCount = async () => (await ledger.events()).length;
    async function appendsNothing(run: () => Promise<void>): Promise<void> {
      const before = await eventCount();
      await run();
      expect(await eventCount()).toBe(before);
    }

    /** A client with a secret, and a consent of a new user that allows refresh (or not), with one issued token. */
    async function refreshable(allowsRefresh = true, scopes = ['email', 'openid']) {
      const clientId = `rt-${uid()}`;
      expect((await steps.registerClient(clientId)).status).toBe(201);
      const secret = (await steps.createSecret(clientId)).body.secret as string;
      const granted = await ledger.http.post('/v1/consents', { userId: `user-${uid()}`, clientId, scopes, allowsRefresh });
      expect(granted.status).toBe(201);
      const issued = await steps.issue(granted.body.id);
      expect(issued.status).toBe(201);
      return { clientId, secret, consentId: granted.body.id as string, access: issued.body.access_token as string, refresh: issued.body.refresh_token as string };
    }

    it('issues a refresh token only where the consent allows refresh, and introspects each kind with token_use', async () => {
      const c = await refreshable();
      expect(c.refresh).toMatch(/^clr_[A-Za-z0-9_-]{43}$/);
      expect(await introspect(c.refresh)).toMatchObject({ active: true, token_type: 'Bearer', token_use: 'refresh_token', client_id: c.clientId, scope: 'email openid' });
      expect(await introspect(c.access)).toMatchObject({ active: true, token_type: 'Bearer', token_use: 'access_token' });
      // The consent's token list shows both, by kind, never a token.
      const listed = (await ledger.http.get(`/v1/consents/${c.consentId}/tokens`)).body.tokens;
      expect(listed.map((t: { tokenUse: string; status: string }) => [t.tokenUse, t.status])).toEqual([['access_token', 'active'], ['refresh_token', 'active']]);
      const plain = await refreshable(false);
      expect(plain.refresh).toBeUndefined();
      // Nothing but hashes was stored: no raw token appears anywhere in the log.
      const log = JSON.stringify(await ledger.events());
      expect(log).not.toContain(c.refresh);
      expect(log).not.toContain(c.access);
    });

    it('says on every read of the consent whether it allows refresh, as Globus shows it: the consent, the user\'s list, as-of', async () => {
      const c = await refreshable();
      const plain = await refreshable(false);
      const read = async (id: string) => (await ledger.http.get(`/v1/consents/${id}`)).body;
      expect((await read(c.consentId)).allowsRefresh).toBe(true);
      expect((await read(plain.consentId)).allowsRefresh).toBe(false);
      const userId = (await read(c.consentId)).userId as string;
      const listed = (await ledger.http.get(`/v1/users/${encodeURIComponent(userId)}/consents`)).body.consents;
      expect(listed.map((x: { allowsRefresh: boolean }) => x.allowsRefresh)).toEqual([true]);
      const asOf = await ledger.asRole('audit').get(`/v1/audit/users/${encodeURIComponent(userId)}/consents?asOf=${new Date(Date.now() + 60_000).toISOString()}`);
      expect(asOf.body.consents.map((x: { allowsRefresh: boolean }) => x.allowsRefresh)).toEqual([true]);
      // A later grant turns it on; one without it leaves it on.
      const plainUser = (await read(plain.consentId)).userId as string;
      expect((await ledger.http.post('/v1/consents', { userId: plainUser, clientId: plain.clientId, scopes: ['profile'], allowsRefresh: true })).status).toBe(200);
      expect((await read(plain.consentId)).allowsRefresh).toBe(true);
      expect((await ledger.http.post('/v1/consents', { userId: plainUser, clientId: plain.clientId, scopes: ['phone'] })).status).toBe(200);
      expect((await read(plain.consentId)).allowsRefresh).toBe(true);
    });

    it('rotates: a refresh answers a new pair (RFC 6749 section 5.1, no-store) and ends the refresh token presented', async () => {
      const c = await refreshable();
      const r = await refresh(c, c.refresh);
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.body).toEqual({ access_token: expect.stringMatching(/^clt_/), token_type: 'Bearer', expires_in: expect.any(Number), refresh_token: expect.stringMatching(/^clr_/), scope: 'email openid' });
      expect(await active(c.refresh)).toBe(false);
      expect(await active(r.body.refresh_token)).toBe(true);
      expect(await active(r.body.access_token)).toBe(true);
      // The access token issued before stays: rotation ends the refresh token, not what was issued with it.
      expect(await active(c.access)).toBe(true);
      const [issued] = (await ledger.events()).filter((e) => e.type === 'RefreshTokenIssued' && e.data.replaces);
      expect(issued.metadata).toMatchObject({ actor: `client:${c.clientId}` });

      // Fewer scopes for the access token; the new refresh token keeps the family's.
      const narrower = await refresh(c, r.body.refresh_token, { scope: 'openid' });
      expect(narrower.status).toBe(200);
      expect(narrower.body.scope).toBe('openid');
      expect(await introspect(narrower.body.refresh_token)).toMatchObject({ scope: 'email openid' });
      // And with client_secret_post.
      const post = await anonymous().form(TOKEN_PATH, { grant_type: 'refresh_token', refresh_token: narrower.body.refresh_token, client_id: c.clientId, client_secret: c.secret });
      expect(post.status).toBe(200);
    });

    it('on reuse of an ended refresh token revokes the whole family, once', async () => {
      const c = await refreshable();
      const first = (await refresh(c, c.refresh)).body;
      const second = (await refresh(c, first.refresh_token)).body;
      const reused = await refresh(c, c.refresh);
      expect({ status: reused.status, body: reused.body }).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: expect.stringContaining('already used') } });
      expect(reused.headers.get('cache-control')).toBe('no-store');
      for (const token of [c.access, first.access_token, second.access_token, second.refresh_token]) expect(await active(token)).toBe(false);
      const revoked = (await ledger.events()).filter((e) => e.type === 'RefreshTokenFamilyRevoked');
      expect(revoked.filter((e) => e.data.consentId === c.consentId)).toMatchObject([{ data: { cause: 'reuse', tokensEnded: 4 } }]);
      await appendsNothing(async () => {
        expect((await refresh(c, c.refresh)).body.error).toBe('invalid_grant');
        expect((await refresh(c, second.refresh_token)).body.error).toBe('invalid_grant');
      });
    });

    it('answers refusals in the OAuth format and appends nothing', async () => {
      const c = await refreshable();
      const other = await refreshable();
      await appendsNothing(async () => {
        const expectError = (r: { status: number; body: unknown }, status: number, error: string) => expect({ status: r.status, body: r.body }).toEqual({ status, body: { error, error_description: expect.any(String) } });
        expectError(await refresh(other, c.refresh), 400, 'invalid_grant');
        expectError(await refresh(c, c.access), 400, 'invalid_grant');
        expectError(await refresh(c, 'clr_nothing-like-it'), 400, 'invalid_grant');
        expectError(await refresh(c, c.refresh, { scope: 'email profile' }), 400, 'invalid_scope');
        expectError(await refresh(c, c.refresh, { grant_type: 'authorization_code' }), 400, 'unsupported_grant_type');
        expectError(await anonymous().form(TOKEN_PATH, { refresh_token: c.refresh }, clientBasic(c.clientId, c.secret)), 400, 'invalid_request');
        expectError(await anonymous().form(TOKEN_PATH, { grant_type: 'refresh_token' }, clientBasic(c.clientId, c.secret)), 400, 'invalid_request');
        const wrong = await refresh({ ...c, secret: other.secret }, c.refresh);
        expectError(wrong, 401, 'invalid_client');
        expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="consent-ledger"');
        expectError(await ledger.asRole('commands').form(TOKEN_PATH, { grant_type: 'refresh_token', refresh_token: c.refresh }), 403, 'unauthorized_client');
      });
      // None of it touched the refresh token.
      expect((await refresh(c, c.refresh)).status).toBe(200);
    });

    it('ends refresh tokens with their consent, and with a scope they carry', async () => {
      const whole = await refreshable();
      expect((await steps.revoke(whole.consentId)).status).toBe(200);
      expect(await active(whole.refresh)).toBe(false);
      await appendsNothing(async () => expect((await refresh(whole, whole.refresh)).body.error).toBe('invalid_grant'));

      const part = await refreshable();
      expect((await steps.revoke(part.consentId, { scopes: ['email'] })).status).toBe(200);
      expect(await active(part.refresh)).toBe(false);
      await appendsNothing(async () => expect((await refresh(part, part.refresh)).body.error).toBe('invalid_grant'));
    });

    it('RFC 7009: revoking a refresh token (token_type_hint refresh_token) ends the access tokens issued from it', async () => {
      const c = await refreshable();
      const next = (await refresh(c, c.refresh)).body;
      const r = await anonymous().form('/v1/oauth2/revoke', { token: next.refresh_token, token_type_hint: 'refresh_token' }, clientBasic(c.clientId, c.secret));
      expect(r.status).toBe(200);
      for (const token of [c.access, next.access_token, next.refresh_token]) expect(await active(token)).toBe(false);
      const [event] = (await ledger.events()).filter((e) => e.type === 'RefreshTokenFamilyRevoked' && e.data.consentId === c.consentId);
      expect(event.data).toMatchObject({ cause: 'revocation', tokensEnded: 3 });
      // Again: nothing left to end, nothing appended.
      await appendsNothing(async () => expect((await steps.revokeAsClient(c.clientId, c.secret, next.refresh_token)).status).toBe(200));
    });

    it('under an Idempotency-Key a retry answers the same refresh token while it is unused, and none once a refresh ended it', async () => {
      const c = await refreshable();
      const key = { 'idempotency-key': `rt-${uid()}` };
      const first = await steps.issue(c.consentId, undefined, key);
      const retry = await steps.issue(c.consentId, undefined, key);
      expect(first.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(first.body.refresh_token).toMatch(/^clr_/);
      expect((await refresh(c, first.body.refresh_token)).status).toBe(200);
      const late = await steps.issue(c.consentId, undefined, key);
      expect(late.body.access_token).toBe(first.body.access_token);
      // Handing out the used one again would have the client's next refresh taken for a reuse.
      expect(late.body).not.toHaveProperty('refresh_token');
    });

    it('publishes its token endpoint and grant type in the RFC 8414 metadata', async () => {
      const metadata = (await anonymous().get('/.well-known/oauth-authorization-server')).body;
      expect(metadata).toMatchObject({
        token_endpoint: `${metadata.issuer}${TOKEN_PATH}`,
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        grant_types_supported: ['refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      });
    });
  });
}
