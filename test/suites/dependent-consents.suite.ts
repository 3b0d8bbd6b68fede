import { uid } from '../support/consent-fixtures';
import { clientBasic, RunningLedger } from '../support/ledger-app';
import { StoreFixture, suiteLedger, SuiteLedger } from './suite-ledger';
import { TOKEN_PATH } from './refresh-tokens.suite';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * Dependent consents over HTTP (#15, Globus's consent forest): a grant of `transfer:all[collection-a:data_access]`
 * records a dependent consent of the owner of transfer:all, which exchanges the user's token for a dependent one
 * (RFC 8693); revoking the root ends every token of the tree at once. Every refusal appends nothing.
 */
export function dependentConsentsSuite(name: string, fixture: () => Promise<StoreFixture>) {
  describe(`Dependent consents over HTTP (${name})`, () => {
    const running = suiteLedger(fixture, { LEDGER_MAX_DEPENDENCY_DEPTH: '2' });
    let ledger: RunningLedger;
    let steps: SuiteLedger['steps'];
    beforeAll(() => ({ ledger, steps } = running));

    const active = async (token: string) => (await steps.introspect(token)).body.active as boolean;
    const eventCount = async () => (await ledger.events()).length;
    async function appendsNothing(run: () => Promise<void>): Promise<void> {
      const before = await eventCount();
      await run();
      expect(await eventCount()).toBe(before);
    }
    const exchange = (c: { clientId: string; secret: string }, subject: string, scope: string, extra: Record<string, string> = {}) =>
      ledger
        .asRole(undefined)
        .form(TOKEN_PATH, { grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE, scope, ...extra }, clientBasic(c.clientId, c.secret));

    /** A client with a secret, serving `serves`; a front end; the collection's scopes named apart per test. */
    async function forest(allowsRefresh = false) {
      const n = uid();
      const transfer = { clientId: `transfer-${n}`, secret: '' };
      const web = { clientId: `transfer-web-${n}`, secret: '' };
      const scope = { root: `transfer:all:${n}`, dep: `collection-a:data_access:${n}`, other: `collection-b:data_access:${n}` };
      for (const c of [transfer, web]) {
        expect((await steps.registerClient(c.clientId)).status).toBe(201);
        c.secret = (await steps.createSecret(c.clientId)).body.secret;
      }
      expect((await ledger.http.post(`/v1/clients/${transfer.clientId}/served-scopes`, { scope: scope.root })).status).toBe(201);
      const userId = `user-${n}`;
      const granted = await ledger.http.post('/v1/consents', { userId, clientId: web.clientId, scopes: ['openid', `${scope.root}[${scope.dep}]`], allowsRefresh });
      expect(granted.status).toBe(201);
      const issued = await steps.issue(granted.body.id);
      expect(issued.status).toBe(201);
      return { transfer, web, scope, userId, consent: granted.body, access: issued.body.access_token as string, refresh: issued.body.refresh_token as string | undefined };
    }

    it('the whole flow: grant a tree, exchange, the dependent token is active; revoking the root ends every token at once', async () => {
      const f = await forest(true);
      // The grant answers the tree: the root's path is itself, the dependent consent's goes through it.
      const [dependent] = f.consent.dependents;
      expect(f.consent.dependencyPath).toEqual([f.consent.id]);
      expect(dependent).toEqual({
        id: expect.stringMatching(new RegExp(`^${f.consent.id}_[0-9a-f]{16}$`)),
        clientId: f.transfer.clientId,
        scope: f.scope.dep,
        status: 'active',
        grantedAt: expect.any(String),
        revokedAt: null,
        dependencyPath: [f.consent.id, expect.any(String)],
      });
      expect((await ledger.http.get(`/v1/consents/${f.consent.id}`)).body.dependents).toEqual(f.consent.dependents);
      const read = (await ledger.http.get(`/v1/consents/${dependent.id}`)).body;
      expect(read).toMatchObject({ id: dependent.id, clientId: f.transfer.clientId, scopes: [f.scope.dep], status: 'active', rootConsentId: f.consent.id, dependencyPath: dependent.dependencyPath });

      const exchanged = await exchange(f.transfer, f.access, f.scope.dep);
      expect(exchanged.status).toBe(200);
      expect(exchanged.headers.get('cache-control')).toBe('no-store');
      expect(exchanged.body).toEqual({ access_token: expect.stringMatching(/^clt_/), issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: expect.any(Number), scope: f.scope.dep });
      const dependentToken = exchanged.body.access_token as string;
      expect((await steps.introspect(dependentToken)).body).toMatchObject({ active: true, client_id: f.transfer.clientId, scope: f.scope.dep, sub: f.userId });
      // One token per exchange: a second exchange is a second token, both live.
      const second = (await exchange(f.transfer, f.access, f.scope.dep)).body.access_token as string;
      // The front end refreshes its own pair; the new access token may be exchanged too.
      const refreshed = await ledger.asRole(undefined).form(TOKEN_PATH, { grant_type: 'refresh_token', refresh_token: f.refresh! }, clientBasic(f.web.clientId, f.web.secret));
      expect(refreshed.status).toBe(200);
      const third = (await exchange(f.transfer, refreshed.body.access_token, f.scope.dep)).body.access_token as string;
      for (const t of [f.access, dependentToken, second, third, refreshed.body.access_token, refreshed.body.refresh_token]) expect(await active(t)).toBe(true);

      // The root's revocation is acknowledged: from that moment every token of the tree is inactive.
      const revoked = await steps.revoke(f.consent.id);
      expect(revoked.status).toBe(200);
      expect(revoked.body.dependents).toEqual([{ ...dependent, status: 'revoked', revokedAt: revoked.body.revokedAt }]);
      for (const t of [f.access, dependentToken, second, third, refreshed.body.access_token, refreshed.body.refresh_token]) expect(await active(t)).toBe(false);
      const events = (await ledger.events()).filter((e) => e.data.consentId === f.consent.id);
      const revokedAt = events.findIndex((e) => e.type === 'ConsentRevoked');
      expect(events.slice(revokedAt).map((e) => e.type)).toEqual(['ConsentRevoked', 'DependentConsentRevoked']);
      // The cascade is the root's revocation's: the same append and request, caused by the root's event.
      expect(events[revokedAt + 1].metadata).toMatchObject({ correlationId: events[revokedAt].metadata.correlationId, causationId: events[revokedAt].id });
      expect(events[revokedAt + 1].data).toMatchObject({ dependentConsentId: dependent.id, dependencyPath: dependent.dependencyPath, cause: 'ConsentRevoked', tokensEnded: 3 });
      expect((await ledger.http.get(`/v1/consents/${dependent.id}`)).body).toMatchObject({ status: 'revoked' });
      // After it, no exchange: the subject token is inactive (invalid_request), and nothing is appended.
      await appendsNothing(async () => {
        expect((await exchange(f.transfer, f.access, f.scope.dep)).body.error).toBe('invalid_request');
      });
      // History shows the tree; no raw token was stored.
      const history = (await ledger.asRole('audit').get(`/v1/audit/consents/${f.consent.id}/history`)).body;
      expect(JSON.stringify(history)).toContain('DependentConsentGranted');
      expect(JSON.stringify(await ledger.events())).not.toContain(dependentToken);
    });

    it('goes down a chain one exchange per level: a dependent token is the subject of the next, and the root ends them all', async () => {
      const n = uid();
      const flows = { clientId: `flows-${n}`, secret: '' };
      const transfer = { clientId: `transfer2-${n}`, secret: '' };
      for (const c of [flows, transfer]) {
        expect((await steps.registerClient(c.clientId)).status).toBe(201);
        c.secret = (await steps.createSecret(c.clientId)).body.secret;
      }
      const [flow, all, coll] = [`flow:run:${n}`, `transfer:all:${n}`, `collection:${n}`];
      await ledger.http.post(`/v1/clients/${flows.clientId}/served-scopes`, { scope: flow });
      await ledger.http.post(`/v1/clients/${transfer.clientId}/served-scopes`, { scope: all });
      const web = `web-${n}`;
      expect((await steps.registerClient(web)).status).toBe(201);
      const granted = (await ledger.http.post('/v1/consents', { userId: `user-${n}`, clientId: web, scopes: [`${flow}[${all}[${coll}]]`] })).body;
      expect(granted.dependents.map((d: { clientId: string; dependencyPath: string[] }) => [d.clientId, d.dependencyPath.length])).toEqual([
        [flows.clientId, 2],
        [transfer.clientId, 3],
      ]);
      const user = (await steps.issue(granted.id)).body.access_token as string;
      // The transfer service cannot skip a level: the user's token is not its dependency's parent.
      expect((await exchange(transfer, user, coll)).body.error).toBe('invalid_request');
      const flowsToken = await exchange(flows, user, all);
      expect(flowsToken.body.scope).toBe(all);
      const transferToken = await exchange(transfer, flowsToken.body.access_token, coll);
      expect(transferToken.status).toBe(200);
      expect((await steps.introspect(transferToken.body.access_token)).body).toMatchObject({ active: true, client_id: transfer.clientId, scope: coll });
      expect((await steps.revoke(granted.id)).status).toBe(200);
      for (const t of [user, flowsToken.body.access_token, transferToken.body.access_token]) expect(await active(t)).toBe(false);
    });

    it('the dependent service revokes its dependent token (RFC 7009); the root client may not', async () => {
      const f = await forest();
      const dependentToken = (await exchange(f.transfer, f.access, f.scope.dep)).body.access_token as string;
      await appendsNothing(async () => {
        expect((await steps.revokeAsClient(f.web.clientId, f.web.secret, dependentToken)).body.error).toBe('invalid_request');
      });
      expect((await steps.revokeAsClient(f.transfer.clientId, f.transfer.secret, dependentToken)).status).toBe(200);
      expect(await active(dependentToken)).toBe(false);
      expect(await active(f.access)).toBe(true);
      const [revoked] = (await ledger.events()).filter((e) => e.type === 'TokenRevoked' && e.data.consentId === f.consent.id);
      expect(revoked.data.clientId).toBe(f.transfer.clientId);
    });

    it('revoking the parent scope ends the dependent consent and its tokens, and leaves the rest', async () => {
      const f = await forest();
      const dependentToken = (await exchange(f.transfer, f.access, f.scope.dep)).body.access_token as string;
      const openid = (await steps.issue(f.consent.id, ['openid'])).body.access_token as string;
      expect((await steps.revoke(f.consent.id, { scopes: [f.scope.root] })).status).toBe(200);
      expect(await active(dependentToken)).toBe(false);
      expect(await active(f.access)).toBe(false);
      expect(await active(openid)).toBe(true);
      expect((await ledger.http.get(`/v1/consents/${f.consent.dependents[0].id}`)).body.status).toBe('revoked');
    });

    it("the user's revocation of everything, and the dependent client's disable, end dependent tokens too", async () => {
      const f = await forest();
      const viaUser = (await exchange(f.transfer, f.access, f.scope.dep)).body.access_token as string;
      expect((await ledger.http.post(`/v1/users/${f.userId}/revoke`, {})).status).toBe(200);
      expect(await active(viaUser)).toBe(false);
      const g = await forest();
      const viaClient = (await exchange(g.transfer, g.access, g.scope.dep)).body.access_token as string;
      expect((await ledger.http.post(`/v1/clients/${g.web.clientId}/disable`, {})).status).toBe(200);
      expect(await active(viaClient)).toBe(true);
      expect((await ledger.http.post(`/v1/clients/${g.transfer.clientId}/disable`, {})).status).toBe(200);
      expect(await active(viaClient)).toBe(false);
    });

    it('as-of shows the tree as it stood', async () => {
      const f = await forest();
      const revoked = await steps.revoke(f.consent.id);
      expect(revoked.status).toBe(200);
      // Asked about the revocation's own instant and the millisecond before it, not about a clock read by the test
      // before revoking: as-of includes what was decided at the instant asked, and a quick request is decided within
      // the millisecond the test read (a CI run saw the tree revoked "before" its revocation that way).
      const revokedAt = Date.parse(revoked.body.revokedAt);
      const asOf = async (at: number) => (await ledger.asRole('audit').get(`/v1/audit/users/${f.userId}/consents?asOf=${encodeURIComponent(new Date(at).toISOString())}`)).body.consents[0];
      expect((await asOf(revokedAt - 1)).dependents).toMatchObject([{ id: f.consent.dependents[0].id, status: 'active' }]);
      expect((await asOf(revokedAt)).dependents).toMatchObject([{ id: f.consent.dependents[0].id, status: 'revoked' }]);
    });

    it('refuses unacceptable subject tokens (invalid_request), target scopes (invalid_scope) and clients (invalid_client), appending nothing', async () => {
      const f = await forest(true);
      const narrow = (await steps.issue(f.consent.id, ['openid'])).body.access_token as string;
      await appendsNothing(async () => {
        const expectError = async (answer: Promise<{ status: number; body: { error?: string } }>, status: number, error: string) => {
          const a = await answer;
          expect({ status: a.status, error: a.body.error }).toEqual({ status, error });
        };
        // A refresh token as subject_token.
        await expectError(exchange(f.transfer, f.refresh!, f.scope.dep), 400, 'invalid_request');
        // Unknown, or another client's dependency (the front end has none).
        await expectError(exchange(f.transfer, 'clt_unknown', f.scope.dep), 400, 'invalid_request');
        await expectError(exchange(f.web, f.access, f.scope.dep), 400, 'invalid_request');
        // A token lacking the parent scope.
        await expectError(exchange(f.transfer, narrow, f.scope.dep), 400, 'invalid_request');
        // Unauthorised target scopes.
        await expectError(exchange(f.transfer, f.access, f.scope.other), 400, 'invalid_scope');
        await expectError(exchange(f.transfer, f.access, `${f.scope.dep} ${f.scope.other}`), 400, 'invalid_scope');
        // Wrong credentials; wrong token types; resource.
        await expectError(exchange({ clientId: f.transfer.clientId, secret: 'wrong' }, f.access, f.scope.dep), 401, 'invalid_client');
        await expectError(exchange(f.transfer, f.access, f.scope.dep, { subject_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }), 400, 'invalid_request');
        await expectError(exchange(f.transfer, f.access, f.scope.dep, { requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' }), 400, 'invalid_request');
        await expectError(exchange(f.transfer, f.access, f.scope.dep, { resource: 'https://collection.example' }), 400, 'invalid_target');
        const noSubject = await ledger.asRole(undefined).form(TOKEN_PATH, { grant_type: TOKEN_EXCHANGE, subject_token_type: ACCESS_TOKEN_TYPE, scope: f.scope.dep }, clientBasic(f.transfer.clientId, f.transfer.secret));
        expect(noSubject.body.error).toBe('invalid_request');
      });
    });

    it('refuses cycles and trees too deep (400), dependencies on unknown or unwilling clients (404/409), appending nothing', async () => {
      const f = await forest();
      const grant = (scopes: string[]) => ledger.http.post('/v1/consents', { userId: `u-${uid()}`, clientId: f.web.clientId, scopes });
      const picky = `picky-${uid()}`;
      expect((await steps.registerClient(picky, ['only:this'])).status).toBe(201);
      expect((await ledger.http.post(`/v1/clients/${picky}/served-scopes`, { scope: `picky:${picky}` })).status).toBe(201);
      // An owner deleted since it registered the scope: it can act for nobody.
      const gone = `gone-${uid()}`;
      expect((await steps.registerClient(gone)).status).toBe(201);
      expect((await ledger.http.post(`/v1/clients/${gone}/served-scopes`, { scope: `gone:${gone}` })).status).toBe(201);
      expect((await ledger.http.request('DELETE', `/v1/clients/${gone}`)).status).toBeLessThan(300);
      const refusal = async (scopes: string[]) => grant(scopes).then((r) => [r.status, r.body.code]);
      await appendsNothing(async () => {
        expect(await refusal([`a:${f.userId}[b[a:${f.userId}]]`])).toEqual([400, 'dependency_cycle']);
        // LEDGER_MAX_DEPENDENCY_DEPTH=2 in this suite: three levels are refused (two are taken, below).
        expect(await refusal(['a[b[c[d]]]'])).toEqual([400, 'dependency_too_deep']);
        expect(await refusal([`picky:${picky}[not:allowed]`])).toEqual([409, 'dependency_not_allowed']);
        expect(await refusal([`gone:${gone}[x]`])).toEqual([409, 'client_deleted']);
        // A client that does not exist cannot serve a scope at all.
        expect((await ledger.http.post(`/v1/clients/nobody-${uid()}/served-scopes`, { scope: `x:${uid()}` })).status).toBe(404);
      });
      expect((await grant(['a[b[c]]'])).status).toBe(201);
    });
  });
}
