import { setTimeout as sleep } from 'node:timers/promises';
import { uid } from '../support/consent-fixtures';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from '../support/ledger-app';
import type { StoreFixture } from './suite-ledger';

const MAX_LIFETIME_S = 86_400;

/**
 * Consent expiry and the consent lists over HTTP: an expired consent introspects inactive for all its tokens at once
 * (nothing is appended at the expiry), shows as expired in reads, lists and the audit, gets no token, and its next
 * grant is a new consent; a refused expiry appends nothing; a client's consents and a consent's tokens page with
 * signed cursors. Run for every adapter (consent-lifecycle.e2e-spec.ts, esdb-consent-lifecycle.e2e-spec.ts).
 *
 * Expiries here are real and short (two seconds), and the test waits past them: commands and introspection read the
 * wall clock. What is asserted is never how long anything took.
 */
export function consentLifecycleSuite(name: string, fixture: () => Promise<StoreFixture>) {
  describe(`Consent expiry and lists over HTTP (${name})`, () => {
    let store: StoreFixture;
    let data: ReturnType<typeof tempDataDir>;
    let ledger: RunningLedger;
    let steps: ReturnType<typeof ledgerSteps>;

    beforeAll(async () => {
      store = await fixture();
      data = tempDataDir();
      ledger = await startLedger({ dataDir: data.dir, env: { ...store.env(), LEDGER_CONSENT_MAX_LIFETIME_SECONDS: String(MAX_LIFETIME_S) } });
      steps = ledgerSteps(ledger.http);
    });
    afterAll(async () => {
      await ledger?.close();
      data?.remove();
      await store?.teardown?.();
    });

    const grant = (userId: string, clientId: string, extra: Record<string, unknown> = {}) => ledger.http.post('/v1/consents', { userId, clientId, scopes: ['openid'], ...extra });
    const introspect = async (token: string) => (await steps.introspect(token)).body;
    const eventCount = async () => (await ledger.events()).length;
    /** Sleeps until the wall clock is past `iso`. */
    const until = async (iso: string) => sleep(Math.max(0, Date.parse(iso) - Date.now() + 50));

    async function newClient(): Promise<string> {
      const clientId = `app-${uid()}`;
      expect((await steps.registerClient(clientId)).status).toBe(201);
      return clientId;
    }

    it('an expired consent: every token inactive at once, shown expired everywhere, no token, and the next grant is a new consent', async () => {
      const clientId = await newClient();
      const userId = `user-${uid()}`;
      const granted = await grant(userId, clientId, { expiresIn: 3600 });
      expect(granted.status).toBe(201);
      const consentId = granted.body.id as string;
      expect(Date.parse(granted.body.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
      const early = await steps.issue(consentId);
      expect(early.status).toBe(201);

      // A renewal brings the expiry forward: the earlier token ends with it, and a new one is issued only up to it.
      const renewed = await grant(userId, clientId, { expiresIn: 2 });
      expect(renewed.status).toBe(200);
      expect(renewed.body).toMatchObject({ id: consentId, status: 'active' });
      const expiresAt = renewed.body.expiresAt as string;
      expect(Date.parse(expiresAt)).toBeLessThan(Date.parse(granted.body.expiresAt));
      const late = await steps.issue(consentId);
      expect(late.status).toBe(201);
      expect(late.body.expires_in).toBeLessThanOrEqual(2);
      for (const t of [early.body, late.body]) {
        const answer = await introspect(t.access_token);
        expect(answer.active).toBe(true);
        expect(answer.exp).toBeLessThanOrEqual(Math.floor(Date.parse(expiresAt) / 1000));
      }
      expect((await ledger.http.get(`/v1/consents/${consentId}`)).body).toMatchObject({ status: 'active', expiresAt });

      await until(expiresAt);
      const before = await eventCount();
      expect(await introspect(early.body.access_token)).toEqual({ active: false });
      expect(await introspect(late.body.access_token)).toEqual({ active: false });
      expect((await ledger.http.get(`/v1/consents/${consentId}`)).body).toMatchObject({ id: consentId, status: 'expired', expiresAt, revokedAt: null });
      expect((await ledger.http.get(`/v1/users/${userId}/consents`)).body.consents).toEqual([]);
      expect((await ledger.http.get(`/v1/users/${userId}/consents?status=all`)).body.consents).toMatchObject([{ id: consentId, status: 'expired' }]);
      expect((await ledger.http.get(`/v1/clients/${clientId}/consents`)).body.consents).toEqual([]);
      expect((await ledger.http.get(`/v1/clients/${clientId}/consents?status=all`)).body.consents).toMatchObject([{ id: consentId, status: 'expired' }]);
      const tokens = (await ledger.http.get(`/v1/consents/${consentId}/tokens`)).body.tokens;
      expect(tokens.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual([
        [early.body.token_id, 'expired'],
        [late.body.token_id, 'expired'],
      ]);
      const asOf = await ledger.asRole('audit').get(`/v1/audit/users/${userId}/consents`);
      expect(asOf.body.consents).toMatchObject([{ id: consentId, status: 'expired' }]);
      const pastAsOf = await ledger.asRole('audit').get(`/v1/audit/users/${userId}/consents?asOf=${encodeURIComponent(new Date(Date.parse(expiresAt) - 1000).toISOString())}`);
      expect(pastAsOf.body.consents).toMatchObject([{ id: consentId, status: 'active' }]);

      // No token, no revocation, no staff revocation of a token: each answers, and appends nothing.
      const refused = await steps.issue(consentId);
      expect({ status: refused.status, code: refused.body.code, type: refused.headers.get('content-type') }).toEqual({
        status: 409,
        code: 'consent_expired',
        type: expect.stringContaining('application/problem+json'),
      });
      const revoked = await steps.revoke(consentId);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: consentId, status: 'expired', tokensEnded: 0 });
      expect((await steps.revokeToken(early.body.token_id)).status).toBe(200);
      // Nor does a user-wide revocation: an expired consent is not one it ends.
      const userWide = await ledger.http.post(`/v1/users/${userId}/revoke`);
      expect(userWide.status).toBe(200);
      expect(userWide.body).toMatchObject({ revocations: 0, consentsEnded: 0 });
      expect(await eventCount()).toBe(before);

      // Granting again starts the next generation, with tokens that work.
      const again = await grant(userId, clientId);
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(consentId.replace(/_1$/, '_2'));
      // The configured maximum is the expiry of a grant that names none.
      expect(Math.abs(Date.parse(again.body.expiresAt) - Date.now() - MAX_LIFETIME_S * 1000)).toBeLessThan(60_000);
      const fresh = await steps.issue(again.body.id);
      expect((await introspect(fresh.body.access_token)).active).toBe(true);
      expect(await introspect(early.body.access_token)).toEqual({ active: false });
    });

    it('a refused expiry is 400 problem+json with its code, and appends nothing', async () => {
      const clientId = await newClient();
      const before = await eventCount();
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ expiresAt: '2001-01-01T00:00:00Z' }, 'consent_expiry_in_past'],
        [{ expiresAt: new Date(Date.now() - 1000).toISOString() }, 'consent_expiry_in_past'],
        [{ expiresIn: MAX_LIFETIME_S + 1 }, 'consent_expiry_too_long'],
        [{ expiresAt: new Date(Date.now() + (MAX_LIFETIME_S + 3600) * 1000).toISOString() }, 'consent_expiry_too_long'],
        [{ expiresAt: '2099-02-30T00:00:00Z' }, 'invalid_consent_expiry'],
        [{ expiresAt: 'next tuesday' }, 'invalid_consent_expiry'],
        [{ expiresAt: 1_900_000_000 }, 'invalid_consent_expiry'],
        [{ expiresIn: 0 }, 'invalid_consent_expiry'],
        [{ expiresIn: 1.5 }, 'invalid_consent_expiry'],
        [{ expiresIn: '60' }, 'invalid_consent_expiry'],
        [{ expiresIn: 60, expiresAt: new Date(Date.now() + 60_000).toISOString() }, 'invalid_consent_expiry'],
        // Another fault beside the expiry: the body's fault, invalid_request.
        [{ expiresIn: 0, userId: '' }, 'invalid_request'],
      ];
      for (const [extra, code] of cases) {
        const r = await grant(`user-${uid()}`, clientId, extra);
        expect({ extra, status: r.status, code: r.body.code, type: r.headers.get('content-type') }).toEqual({
          extra,
          status: 400,
          code,
          type: expect.stringContaining('application/problem+json'),
        });
      }
      // A renewal is held to the same rules.
      const userId = `user-${uid()}`;
      expect((await grant(userId, clientId)).status).toBe(201);
      const countAfterGrant = await eventCount();
      expect((await grant(userId, clientId, { expiresAt: '2001-01-01T00:00:00Z' })).body.code).toBe('consent_expiry_in_past');
      expect(await eventCount()).toBe(countAfterGrant);
      expect(countAfterGrant).toBe(before + 1);
    });

    it("a client's consents in grant order, a page at a time, with signed cursors", async () => {
      const clientId = await newClient();
      const other = await newClient();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await grant(`user-${uid()}`, clientId)).body.id);
      await grant(`user-${uid()}`, other);
      expect((await steps.revoke(ids[1])).status).toBe(200);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { consents: Array<{ id: string }>; nextCursor: string | null } } = await ledger.http.get(
          `/v1/clients/${clientId}/consents?status=all&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        expect(page.body.consents.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.consents.map((c) => c.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(ids);
      const active = await ledger.http.get(`/v1/clients/${clientId}/consents?limit=10`);
      expect(active.body).toEqual({ consents: ids.filter((_, i) => i !== 1).map((id) => expect.objectContaining({ id, status: 'active', clientId })), nextCursor: null });

      const first = await ledger.http.get(`/v1/clients/${clientId}/consents?status=all&limit=2`);
      const good = first.body.nextCursor as string;
      const [body, tag] = good.split('.');
      const forged = `${Buffer.from('0').toString('base64url')}.${tag}`;
      for (const bad of [forged, `${body}.${'A'.repeat(22)}`, `${body}x.${tag}`]) {
        const r = await ledger.http.get(`/v1/clients/${clientId}/consents?status=all&cursor=${bad}`);
        expect({ status: r.status, code: r.body.code }).toEqual({ status: 400, code: 'invalid_cursor' });
      }
      // A cursor is for its own list: another client's, another status's, or the client list's, means nothing here.
      for (const path of [`/v1/clients/${other}/consents?status=all`, `/v1/clients/${clientId}/consents`, '/v1/clients']) {
        const r = await ledger.http.get(`${path}${path.includes('?') ? '&' : '?'}cursor=${good}`);
        expect({ path, status: r.status, code: r.body.code }).toEqual({ path, status: 400, code: 'invalid_cursor' });
      }
      expect((await ledger.http.get('/v1/clients/no-such-client/consents')).body.code).toBe('client_not_found');
      expect((await ledger.http.get(`/v1/clients/${clientId}/consents?limit=0`)).body.code).toBe('invalid_request');
      expect((await ledger.http.get(`/v1/clients/${clientId}/consents?status=expired`)).body.code).toBe('invalid_request');
      // Roles: commands and audit read; introspect does not.
      expect((await ledger.asRole('commands').get(`/v1/clients/${clientId}/consents`)).status).toBe(200);
      expect((await ledger.asRole('audit').get(`/v1/clients/${clientId}/consents`)).status).toBe(200);
      expect((await ledger.asRole('introspect').get(`/v1/clients/${clientId}/consents`)).status).toBe(403);
    });

    it("a user's consents in grant order, a page at a time, with signed cursors", async () => {
      const userId = `user-${uid()}`;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await grant(userId, await newClient())).body.id);
      expect((await steps.revoke(ids[2])).status).toBe(200);
      const pages = async (query: string) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: { status: number; body: { consents: Array<{ id: string }>; nextCursor: string | null } } = await ledger.http.get(
            `/v1/users/${userId}/consents?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          );
          expect(page.status).toBe(200);
          seen.push(...page.body.consents.map((c) => c.id));
          cursor = page.body.nextCursor;
        } while (cursor);
        return seen;
      };
      expect(await pages('status=all')).toEqual(ids);
      expect(await pages('status=active')).toEqual(ids.filter((_, i) => i !== 2));
      const first = await ledger.http.get(`/v1/users/${userId}/consents?status=all&limit=1`);
      for (const path of [`/v1/users/other-${uid()}/consents?status=all`, `/v1/users/${userId}/consents?status=active`]) {
        const r = await ledger.http.get(`${path}&cursor=${first.body.nextCursor}`);
        expect({ path, status: r.status, code: r.body.code }).toEqual({ path, status: 400, code: 'invalid_cursor' });
      }
    });

    it("a consent's tokens in issue order: ids, scopes, times and status, never a token or its hash", async () => {
      const clientId = await newClient();
      const consent = await grant(`user-${uid()}`, clientId, { scopes: ['openid', 'email'] });
      const consentId = consent.body.id as string;
      const issued = [];
      for (const scopes of [['openid'], ['email'], undefined, ['openid']]) issued.push((await steps.issue(consentId, scopes)).body);
      expect((await steps.revokeToken(issued[1].token_id)).status).toBe(200);
      expect((await steps.revoke(consentId, { scopes: ['email'] })).status).toBe(200);

      const page1 = await ledger.http.get(`/v1/consents/${consentId}/tokens?limit=3`);
      const page2 = await ledger.http.get(`/v1/consents/${consentId}/tokens?limit=3&cursor=${page1.body.nextCursor}`);
      expect(page2.body.nextCursor).toBeNull();
      const tokens = [...page1.body.tokens, ...page2.body.tokens];
      expect(tokens.map((t) => [t.id, t.scopes, t.status])).toEqual([
        [issued[0].token_id, ['openid'], 'active'],
        [issued[1].token_id, ['email'], 'revoked'],
        [issued[2].token_id, ['email', 'openid'], 'revoked'],
        [issued[3].token_id, ['openid'], 'active'],
      ]);
      for (const t of tokens) {
        expect(Object.keys(t).sort()).toEqual(['expiresAt', 'id', 'issuedAt', 'scopes', 'status', 'tokenUse']);
        expect(Date.parse(t.expiresAt) - Date.parse(t.issuedAt)).toBe(3600_000);
      }
      const text = JSON.stringify([page1.body, page2.body]);
      for (const t of issued) expect(text).not.toContain(t.access_token);
      expect(text).not.toMatch(/[0-9a-f]{64}/);

      const other = await grant(`user-${uid()}`, clientId);
      const stranger = await ledger.http.get(`/v1/consents/${other.body.id}/tokens?cursor=${page1.body.nextCursor}`);
      expect({ status: stranger.status, code: stranger.body.code }).toEqual({ status: 400, code: 'invalid_cursor' });
      expect((await ledger.http.get(`/v1/consents/${other.body.id}/tokens`)).body).toEqual({ tokens: [], nextCursor: null });
      for (const missing of [consentId.replace(/_1$/, '_9'), 'cns_nope']) {
        const r = await ledger.http.get(`/v1/consents/${missing}/tokens`);
        expect({ status: r.status, code: r.body.code }).toEqual({ status: 404, code: 'consent_not_found' });
      }
      expect((await ledger.asRole('audit').get(`/v1/consents/${consentId}/tokens`)).status).toBe(200);
      expect((await ledger.asRole('introspect').get(`/v1/consents/${consentId}/tokens`)).status).toBe(403);
    });
  });
}
