import { uid } from '../support/consent-fixtures';
import { RunningLedger } from '../support/ledger-app';
import { StoreFixture, suiteLedger, SuiteLedger } from './suite-ledger';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';

/**
 * The client lifecycle over HTTP, end to end: every change takes effect on the instance that acknowledged it before
 * it answers, and nothing a disable or a narrowing ended ever comes back. Run for every adapter
 * (client-lifecycle.e2e-spec.ts, esdb-client-lifecycle.e2e-spec.ts).
 */
export function clientLifecycleSuite(name: string, fixture: () => Promise<StoreFixture>) {
  describe(`Client lifecycle over HTTP (${name})`, () => {
    // A service on a fresh data directory for each test: each starts from an empty ledger, as it always has.
    const running = suiteLedger(fixture, {}, { per: 'test' });
    let ledger: RunningLedger;
    let steps: SuiteLedger['steps'];
    beforeEach(() => ({ ledger, steps } = running));

    const patch = (clientId: string, body: unknown) => ledger.http.request('PATCH', `/v1/clients/${clientId}`, body);
    const disable = (clientId: string, body?: unknown) => ledger.http.post(`/v1/clients/${clientId}/disable`, body);
    const enable = (clientId: string) => ledger.http.post(`/v1/clients/${clientId}/enable`);
    const remove = (clientId: string) => ledger.http.request('DELETE', `/v1/clients/${clientId}`);
    const active = async (...tokens: string[]) => Promise.all(tokens.map(async (t) => (await steps.introspect(t)).body.active));

    /** A client with one user's consent to `scopes`, and a token per entry of `tokens` (the scopes it carries). */
    async function clientWithTokens(allowedScopes: string[] | undefined, scopes: string[], tokens: string[][]) {
      const clientId = `app-${uid()}`;
      expect((await steps.registerClient(clientId, allowedScopes)).status).toBe(201);
      const consent = await steps.grant(`user-${uid()}`, clientId, scopes);
      expect(consent.status).toBe(201);
      const issued: string[] = [];
      for (const t of tokens) {
        const token = await steps.issue(consent.body.id, t);
        expect(token.status).toBe(201);
        issued.push(token.body.access_token);
      }
      return { clientId, consentId: consent.body.id as string, tokens: issued };
    }

    it('disable ends every token at once; enable revives none; a new token works', async () => {
      const { clientId, consentId, tokens } = await clientWithTokens(undefined, ['openid'], [['openid'], ['openid']]);
      const other = await clientWithTokens(undefined, ['openid'], [['openid']]);

      const disabled = await disable(clientId, { reason: 'compromised' });
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ id: clientId, status: 'disabled', revision: 1 });
      expect(disabled.headers.get('ledger-consistency')).toBeTruthy();
      // On the instance that acknowledged it, at once: no wait, no retry.
      expect(await active(...tokens, ...other.tokens)).toEqual([false, false, true]);

      const refusedIssue = await steps.issue(consentId);
      expect({ status: refusedIssue.status, code: refusedIssue.body.code }).toEqual({ status: 409, code: 'client_disabled' });
      const refusedGrant = await steps.grant(`user-${uid()}`, clientId, ['openid']);
      expect({ status: refusedGrant.status, code: refusedGrant.body.code }).toEqual({ status: 409, code: 'client_disabled' });
      expect((await disable(clientId)).body).toMatchObject({ status: 'disabled', revision: 1 });

      const enabled = await enable(clientId);
      expect(enabled.body).toMatchObject({ status: 'active', revision: 2 });
      expect(await active(...tokens)).toEqual([false, false]);
      const fresh = await steps.issue(consentId);
      expect(fresh.status).toBe(201);
      expect(await active(fresh.body.access_token, ...tokens)).toEqual([true, false, false]);

      // Disable -> enable again: the token issued in between ends too.
      await disable(clientId);
      await enable(clientId);
      expect(await active(fresh.body.access_token)).toEqual([false]);

      const types = (await ledger.events()).filter((e) => e.stream === `client-${clientId}`).map((e) => e.type);
      expect(types).toEqual(['ClientRegistered', 'ClientDisabled', 'ClientEnabled', 'ClientDisabled', 'ClientEnabled']);
      const [disableEvent] = (await ledger.events()).filter((e) => e.type === 'ClientDisabled' && e.stream === `client-${clientId}`);
      expect(disableEvent.data).toMatchObject({ reason: 'compromised' });
    });

    it('narrowing ends the tokens carrying a removed scope, not the others; widening again revives none', async () => {
      const { clientId, consentId, tokens } = await clientWithTokens(['openid', TRANSFER], ['openid', TRANSFER], [['openid'], ['openid', TRANSFER], [TRANSFER]]);
      const [plain, both, transfer] = tokens;

      const narrowed = await patch(clientId, { allowedScopes: ['openid'], reason: 'transfer retired' });
      expect(narrowed.status).toBe(200);
      expect(narrowed.body).toMatchObject({ id: clientId, allowedScopes: ['openid'], status: 'active' });
      expect(await active(plain, both, transfer)).toEqual([true, false, false]);

      const refused = await steps.issue(consentId, [TRANSFER]);
      expect({ status: refused.status, code: refused.body.code, scopes: refused.body.details?.scopes }).toEqual({ status: 400, code: 'scope_not_allowed', scopes: [TRANSFER] });
      // Without scopes: what the consent grants and the client still allows.
      const defaulted = await steps.issue(consentId);
      expect(defaulted.body.scope).toBe('openid');
      const regrant = await steps.grant(`user-${uid()}`, clientId, [TRANSFER]);
      expect(regrant.body.code).toBe('scope_not_allowed');

      const widened = await patch(clientId, { allowedScopes: ['openid', TRANSFER] });
      expect(widened.body.allowedScopes).toEqual(['openid', TRANSFER]);
      expect(await active(plain, both, transfer, defaulted.body.access_token)).toEqual([true, false, false, true]);
      const again = await steps.issue(consentId, [TRANSFER]);
      expect(again.status).toBe(201);
      expect(await active(again.body.access_token)).toEqual([true]);

      const events = (await ledger.events()).filter((e) => e.stream === `client-${clientId}`);
      expect(events.map((e) => e.type)).toEqual(['ClientRegistered', 'ClientScopesRevoked', 'ClientScopesAllowed']);
      expect(events[1].data).toMatchObject({ revokedScopes: [TRANSFER], allowedScopes: ['openid'], reason: 'transfer retired' });
    });

    it('renames without touching the scopes; a no-op appends nothing', async () => {
      const { clientId, tokens } = await clientWithTokens(['openid'], ['openid'], [['openid']]);
      const renamed = await patch(clientId, { name: 'Renamed', termsUrl: 'https://example.org/terms/v2' });
      expect(renamed.body).toMatchObject({ name: 'Renamed', termsUrl: 'https://example.org/terms/v2', allowedScopes: ['openid'], revision: 1 });
      const before = (await ledger.events()).length;
      expect((await patch(clientId, { name: 'Renamed' })).body).toMatchObject({ revision: 1 });
      expect((await ledger.events()).length).toBe(before);
      expect((await patch(clientId, { termsUrl: null })).body.termsUrl).toBeNull();
      expect(await active(...tokens)).toEqual([true]);
      expect((await ledger.http.get(`/v1/clients/${clientId}`)).body).toMatchObject({ id: clientId, name: 'Renamed', termsUrl: null, revision: 2 });
    });

    it('delete ends every token, keeps the history, and the id is never registered again', async () => {
      const { clientId, tokens } = await clientWithTokens(undefined, ['openid'], [['openid']]);
      const deleted = await remove(clientId);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ id: clientId, status: 'deleted' });
      expect(await active(...tokens)).toEqual([false]);
      expect((await remove(clientId)).status).toBe(200);

      const reRegister = await steps.registerClient(clientId);
      expect({ status: reRegister.status, code: reRegister.body.code }).toEqual({ status: 409, code: 'client_deleted' });
      for (const r of [await enable(clientId), await disable(clientId), await patch(clientId, { name: 'x' })]) {
        expect({ status: r.status, code: r.body.code }).toEqual({ status: 409, code: 'client_deleted' });
      }
      expect((await ledger.http.get(`/v1/clients/${clientId}`)).body.status).toBe('deleted');
      const types = (await ledger.events()).filter((e) => e.stream === `client-${clientId}`).map((e) => e.type);
      expect(types).toEqual(['ClientRegistered', 'ClientDisabled', 'ClientDeleted']);
    });

    it('lists clients a page at a time in id order, with an opaque cursor that cannot be forged', async () => {
      const prefix = `list-${uid()}`;
      const ids = [3, 1, 4, 0, 2].map((i) => `${prefix}-${i}`);
      for (const id of ids) expect((await steps.registerClient(id)).status).toBe(201);

      const seen: string[] = [];
      let cursor: string | null | undefined;
      let pages = 0;
      do {
        const page = await ledger.asRole('audit').get(`/v1/clients?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.clients.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.clients.map((c: { id: string }) => c.id));
        cursor = page.body.nextCursor;
        pages += 1;
      } while (cursor && pages < 10_000);
      expect(seen.filter((id) => id.startsWith(prefix))).toEqual([...ids].sort());
      expect([...seen].sort()).toEqual(seen);

      const first = await ledger.http.get('/v1/clients?limit=1');
      const next: string = first.body.nextCursor;
      expect(next).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const [body, tag] = next.split('.');
      const forged = `${Buffer.from(`${prefix}-1`).toString('base64url')}.${tag}`;
      const flipped = `${body}.${tag[0] === 'A' ? 'B' : 'A'}${tag.slice(1)}`;
      // The tag's last character has spare bits: another spelling of the same bytes is refused too.
      const respelled = `${body}.${tag.slice(0, -1)}${String.fromCharCode(tag.charCodeAt(21) ^ 1)}`;
      for (const bad of [forged, flipped, respelled, 'garbage', `${body}.`, `${next}=`, `${body}.${tag}.${tag}`]) {
        const r = await ledger.http.get(`/v1/clients?cursor=${encodeURIComponent(bad)}`);
        expect({ bad, status: r.status, code: r.body.code }).toEqual({ bad, status: 400, code: 'invalid_cursor' });
      }
      for (const limit of ['0', '101', '1e1', '0x10', '-1', 'ten']) {
        const r = await ledger.http.get(`/v1/clients?limit=${limit}`);
        expect({ limit, status: r.status, code: r.body.code }).toEqual({ limit, status: 400, code: 'invalid_request' });
      }
      expect((await ledger.http.get('/v1/clients?order=desc')).body.code).toBe('invalid_request');
    });

    it('validates strictly, refuses other roles, and a refused request appends nothing', async () => {
      const { clientId } = await clientWithTokens(['openid'], ['openid'], []);
      const before = (await ledger.events()).length;
      // Thunks, sent one at a time: a request left in flight when an expectation fails would outlive the app.
      const refusals: Array<[() => Promise<{ status: number; body: any }>, number, string]> = [
        [() => patch(clientId, {}), 400, 'nothing_to_update'],
        [() => patch(clientId, { colour: 'blue' }), 400, 'invalid_request'],
        [() => patch(clientId, { allowedScopes: [] }), 400, 'invalid_scope'],
        [() => patch(clientId, { allowedScopes: null }), 400, 'invalid_scope'],
        [() => patch(clientId, { name: '' }), 400, 'invalid_request'],
        [() => patch(clientId, { termsUrl: 'javascript:alert(1)' }), 400, 'invalid_request'],
        [() => disable(clientId, { reason: 7 }), 400, 'invalid_request'],
        [() => patch(`nope-${uid()}`, { name: 'x' }), 404, 'client_not_found'],
        [() => disable('-malformed'), 404, 'client_not_found'],
        [() => ledger.http.get(`/v1/clients/nope-${uid()}`), 404, 'client_not_found'],
        [() => ledger.asRole('introspect').request('PATCH', `/v1/clients/${clientId}`, { name: 'x' }), 403, 'forbidden'],
        [() => ledger.asRole('audit').post(`/v1/clients/${clientId}/disable`), 403, 'forbidden'],
        [() => ledger.asRole('audit').request('DELETE', `/v1/clients/${clientId}`), 403, 'forbidden'],
        [() => ledger.asRole('introspect').get(`/v1/clients/${clientId}`), 403, 'forbidden'],
        [() => ledger.asRole(undefined).get('/v1/clients'), 401, 'unauthorized'],
      ];
      for (const [send, status, code] of refusals) {
        const r = await send();
        expect({ status: r.status, code: r.body.code, type: r.body.type }).toEqual({ status, code, type: `urn:consent-ledger:problem:${code}` });
      }
      expect((await ledger.events()).length).toBe(before);
      // The commands role manages clients; audit reads them.
      expect((await ledger.asRole('commands').post(`/v1/clients/${clientId}/disable`)).status).toBe(200);
      expect((await ledger.asRole('audit').get(`/v1/clients/${clientId}`)).body.status).toBe('disabled');
    });
  });
}
