import { waitUntil } from '@ledger/testing';
import { consentWithToken, uid } from '../support/consent-fixtures';
import { clientBasic, RunningLedger } from '../support/ledger-app';
import { StoreFixture, suiteLedger, SuiteLedger } from './suite-ledger';

/**
 * The service over HTTP, end to end, against a real store. Run for every adapter (core-ledger.e2e-spec.ts for the
 * embedded SQLite store, esdb-ledger.e2e-spec.ts for EventStoreDB over the wire).
 */
export function coreLedgerSuite(name: string, fixture: () => Promise<StoreFixture>) {
  describe(`Core ledger over HTTP (${name})`, () => {
    // A service on a fresh data directory for each test: some restart it, or drop its views.
    const running = suiteLedger(fixture, {}, { per: 'test' });
    let ledger: RunningLedger;
    let steps: SuiteLedger['steps'];
    beforeEach(() => ({ ledger, steps } = running));
    const scopes = ['openid', 'urn:globus:auth:scope:transfer.api.globus.org:all'];

    it('registers, grants, issues, introspects, revokes, and introspection says inactive at once', async () => {
      const clientId = `app-${uid()}`;
      const client = await steps.registerClient(clientId, scopes);
      expect(client.status).toBe(201);
      expect(client.body).toMatchObject({ id: clientId, allowedScopes: [...scopes].sort() });

      const consent = await steps.grant('alice', clientId, scopes);
      expect(consent.status).toBe(201);
      expect(consent.body).toMatchObject({ userId: 'alice', clientId, status: 'active', scopes: [...scopes].sort(), revision: 0 });
      expect(typeof consent.body.grantedAt).toBe('string');

      const token = await steps.issue(consent.body.id);
      expect(token.status).toBe(201);
      expect(token.headers.get('cache-control')).toBe('no-store');
      expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: [...scopes].sort().join(' ') });
      expect(token.body.access_token).toMatch(/^clt_[A-Za-z0-9_-]{43}$/);

      const active = await steps.introspect(token.body.access_token);
      expect(active.status).toBe(200);
      expect(active.body).toMatchObject({ active: true, client_id: clientId, sub: 'alice', jti: token.body.token_id, token_type: 'Bearer', scope: token.body.scope });
      expect(active.body.exp - active.body.iat).toBe(3600);

      const revoked = await steps.revoke(consent.body.id, { reason: 'user clicked revoke' });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: consent.body.id, status: 'revoked', tokensEnded: 1 });

      // Read-your-writes: no polling, no sleep.
      expect((await steps.introspect(token.body.access_token)).body).toEqual({ active: false });
    });

    it('answers exactly {"active": false} for unknown tokens, and RFC 7009 revocation of unknown tokens is 200', async () => {
      expect((await steps.introspect('clt_nonsense')).body).toEqual({ active: false });
      const clientId = `app-${uid()}`;
      await steps.registerClient(clientId);
      const { secret } = (await steps.createSecret(clientId)).body;
      expect((await steps.revokeAsClient(clientId, secret, 'clt_nonsense')).status).toBe(200);
    });

    it('revokes one token through RFC 7009, as the client it was issued to, and leaves the others', async () => {
      const { clientId, consentId, token } = await consentWithToken(ledger.http, scopes);
      const other = (await steps.issue(consentId)).body;
      const { secret } = (await steps.createSecret(clientId)).body;
      const revoke = await ledger.asRole(undefined).form('/v1/oauth2/revoke', { token: token.access_token, token_type_hint: 'access_token' }, clientBasic(clientId, secret));
      expect(revoke.status).toBe(200);
      expect((await steps.introspect(token.access_token)).body).toEqual({ active: false });
      expect((await steps.introspect(other.access_token)).body.active).toBe(true);
    });

    it('a partial revocation ends exactly the tokens that carry a revoked scope', async () => {
      const { consentId, token: both } = await consentWithToken(ledger.http, scopes);
      const openidOnly = (await steps.issue(consentId, ['openid'])).body;
      const transferOnly = (await steps.issue(consentId, [scopes[1]])).body;

      const r = await steps.revoke(consentId, { scopes: [scopes[1]] });
      expect(r.body).toMatchObject({ status: 'active', scopes: ['openid'], tokensEnded: 2 });
      expect((await steps.introspect(both.access_token)).body.active).toBe(false);
      expect((await steps.introspect(transferOnly.access_token)).body.active).toBe(false);
      expect((await steps.introspect(openidOnly.access_token)).body.active).toBe(true);

      const refused = await steps.issue(consentId, [scopes[1]]);
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('scope_not_consented');
    });

    it('extends an active consent, treats a repeated grant as a no-op, and lists consents', async () => {
      const clientId = `app-${uid()}`;
      await steps.registerClient(clientId);
      const first = await steps.grant('bob', clientId, ['openid']);
      const extended = await steps.grant('bob', clientId, ['openid', 'email']);
      expect(extended.status).toBe(200);
      expect(extended.body).toMatchObject({ id: first.body.id, scopes: ['email', 'openid'] });
      const before = (await ledger.events()).length;
      const again = await steps.grant('bob', clientId, ['email']);
      expect(again.status).toBe(200);
      expect((await ledger.events()).length).toBe(before);

      expect((await ledger.http.get(`/v1/consents/${first.body.id}`)).body).toMatchObject({ id: first.body.id, scopes: ['email', 'openid'] });
      await steps.revoke(first.body.id);
      expect((await ledger.http.get('/v1/users/bob/consents')).body.consents).toEqual([]);
      const all = (await ledger.http.get('/v1/users/bob/consents?status=all')).body.consents;
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ status: 'revoked' });

      const regrant = await steps.grant('bob', clientId, ['openid']);
      expect(regrant.status).toBe(201);
      expect(regrant.body.id).not.toBe(first.body.id);
    });

    it('refuses bad input with problem+json and appends nothing', async () => {
      await consentWithToken(ledger.http, scopes);
      const before = (await ledger.events()).length;
      const cases: Array<[string, () => Promise<{ status: number; headers: Headers; body: any }>, number, string]> = [
        ['unknown field', () => ledger.http.post('/v1/clients', { clientId: 'x1', name: 'X', admin: true }), 400, 'invalid_request'],
        ['malformed scope', () => steps.grant('u', 'x', ['not a scope']), 400, 'invalid_scope'],
        ['unregistered client', () => steps.grant('u', `nobody-${uid()}`, ['openid']), 404, 'client_not_found'],
        ['malformed JSON', () => ledger.http.request('POST', '/v1/consents', '{"userId":', { 'content-type': 'application/json' }), 400, 'malformed_body'],
        ['wrong content type', () => ledger.http.request('POST', '/v1/consents', 'userId=u', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
        ['form body on a JSON route', () => ledger.http.form('/v1/clients', { clientId: 'formy', name: 'F' }), 415, 'unsupported_media_type'],
        ['unknown consent', () => steps.issue('cns_00000000000000000000000000000000_1'), 404, 'consent_not_found'],
        ['malformed consent id', () => steps.revoke('nope'), 404, 'consent_not_found'],
        ['expiresIn too long', () => ledger.http.post('/v1/tokens', { consentId: 'cns_00000000000000000000000000000000_1', expiresIn: 10 ** 9 }), 400, 'invalid_request'],
        ['unknown route', () => ledger.http.get('/v1/nothing-here'), 404, 'not_found'],
        ['bad initiator', () => ledger.http.post('/v1/clients', { clientId: 'x2', name: 'X' }, { 'x-initiator': 'martian' }), 400, 'invalid_initiator'],
      ];
      for (const [label, call, status, code] of cases) {
        const r = await call();
        expect({ label, status: r.status, code: r.body?.code }).toEqual({ label, status, code });
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(r.body).toMatchObject({ type: expect.stringContaining(code), title: expect.any(String), status });
      }
      // The OAuth endpoints answer RFC 6749 section 5.2 errors instead.
      const noToken = await ledger.http.form('/v1/oauth2/introspect', {});
      expect({ status: noToken.status, type: noToken.headers.get('content-type'), body: noToken.body }).toEqual({
        status: 400,
        type: expect.stringMatching(/^application\/json/),
        body: { error: 'invalid_request', error_description: 'The token parameter is required' },
      });
      expect((await ledger.events()).length).toBe(before);
    });

    it('records attribution on every event', async () => {
      const clientId = `app-${uid()}`;
      const r = await ledger.http.post('/v1/clients', { clientId, name: 'A' }, { 'x-request-id': 'req-attribution-1', 'x-initiator': 'admin' });
      const [event] = (await ledger.events()).filter((e) => e.stream === `client-${clientId}`);
      // The correlation id is the server's own (echoed in X-Request-Id); the caller's id is kept as caller-asserted.
      expect(r.headers.get('x-request-id')).not.toBe('req-attribution-1');
      expect(event.metadata).toMatchObject({ correlationId: r.headers.get('x-request-id'), clientRequestId: 'req-attribution-1', initiator: 'admin', initiatorAsserted: true, actor: expect.any(String) });
    });

    it('never appends twice for a retried command with the same Idempotency-Key', async () => {
      const { consentId } = await consentWithToken(ledger.http, scopes);
      const before = (await ledger.events()).length;
      const key = { 'idempotency-key': `key-${uid()}` };
      const [a, b] = await Promise.all([steps.issue(consentId, undefined, key), steps.issue(consentId, undefined, key)]);
      const c = await steps.issue(consentId, undefined, key);
      expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
      expect(b.body.access_token).toBe(a.body.access_token);
      expect(c.body.token_id).toBe(a.body.token_id);
      expect((await ledger.events()).length).toBe(before + 1);

      const revokeKey = { 'idempotency-key': `rk-${uid()}` };
      const r1 = await ledger.http.post(`/v1/consents/${consentId}/revoke`, {}, revokeKey);
      const r2 = await ledger.http.post(`/v1/consents/${consentId}/revoke`, {}, revokeKey);
      expect(r2.body).toEqual(r1.body);
      expect(r2.headers.get('idempotent-replayed')).toBe('true');
      const reused = await ledger.http.post(`/v1/consents/${consentId}/revoke`, { reason: 'other' }, revokeKey);
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
    });

    it('keeps everything across a restart, and a rebuild from position 0 gives the same views', async () => {
      const { consentId, token } = await consentWithToken(ledger.http, scopes);
      const kept = await consentWithToken(ledger.http, scopes);
      await steps.revoke(consentId);
      const liveSnapshot = ledger.views.snapshot();

      ({ ledger, steps } = await running.restart());
      expect((await steps.introspect(token.access_token)).body).toEqual({ active: false });
      expect((await steps.introspect(kept.token.access_token)).body.active).toBe(true);
      expect(ledger.views.snapshot()).toEqual(liveSnapshot);

      // Drop the views entirely: the next start replays the whole log.
      ({ ledger } = await running.restart(async (dir) => {
        const { ViewStore } = await import('@ledger/projections');
        for (const f of ['views.db', 'views-esdb.db']) ViewStore.destroy(`${dir}/${f}`);
      }));
      await waitUntil(() => ledger.projection.status().caughtUp, { timeoutMs: 15_000 });
      await ledger.projection.waitFor(await ledger.store.headPosition());
      expect(ledger.views.snapshot()).toEqual(liveSnapshot);
    });

    it('serves the OpenAPI document and health', async () => {
      const doc = await ledger.http.get('/docs-json');
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/clients', '/v1/consents', '/v1/consents/{id}/revoke', '/v1/tokens', '/v1/oauth2/introspect', '/v1/oauth2/revoke']));
      expect((await ledger.http.get('/health/live')).status).toBe(200);
      await waitUntil(async () => (await ledger.http.get('/health/ready')).status === 200, { timeoutMs: 15_000 });
    });
  });
}
