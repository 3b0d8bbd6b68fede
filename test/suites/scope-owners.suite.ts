import { uid } from '../support/consent-fixtures';
import { RunningLedger } from '../support/ledger-app';
import { StoreFixture, suiteLedger, SuiteLedger } from './suite-ledger';

/**
 * Scope owners over HTTP: a resource server's client declares the scopes it serves, one owner per scope, and a grant
 * with dependencies records, by scope, the client each dependency is asked of. Refusals append nothing. Run for
 * every adapter (scope-owners.e2e-spec.ts, esdb-scope-owners.e2e-spec.ts).
 */
export function scopeOwnersSuite(name: string, fixture: () => Promise<StoreFixture>) {
  describe(`Scope owners over HTTP (${name})`, () => {
    const running = suiteLedger(fixture);
    let ledger: RunningLedger;
    let steps: SuiteLedger['steps'];
    beforeAll(() => ({ ledger, steps } = running));

    const serve = (clientId: string, scope: unknown) => ledger.http.post(`/v1/clients/${clientId}/served-scopes`, { scope });
    const ownerOf = (scope: string) => ledger.http.get(`/v1/scope-owners?scope=${encodeURIComponent(scope)}`);
    const eventCount = async () => (await ledger.events()).length;

    /** A resource server that may be granted `allowed`, serving `scope`; and a front end's client. */
    async function resourceServer(allowed: string[]) {
      const transfer = `transfer-${uid()}`;
      const web = `web-${uid()}`;
      const scope = `https://auth.example/scopes/${transfer}/transfer:all`;
      expect((await steps.registerClient(transfer, allowed)).status).toBe(201);
      expect((await steps.registerClient(web)).status).toBe(201);
      expect((await serve(transfer, scope)).status).toBe(201);
      return { transfer, web, scope };
    }

    it('a client declares a scope it serves once; again is a no-op; another client is refused and nothing is appended', async () => {
      const { transfer, scope } = await resourceServer(['openid']);
      const again = await serve(transfer, scope);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ scope, clientId: transfer });
      const other = `other-${uid()}`;
      expect((await steps.registerClient(other)).status).toBe(201);
      const before = await eventCount();
      const refused = await serve(other, scope);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'scope_owned', details: { scope } });
      expect(await eventCount()).toBe(before);
      expect((await ownerOf(scope)).body).toMatchObject({ scope, clientId: transfer });
    });

    it('refuses a malformed scope, an unknown or disabled client, and answers 404 for a scope nobody serves', async () => {
      const { transfer } = await resourceServer(['openid']);
      const before = await eventCount();
      expect((await serve(transfer, 'a b')).status).toBe(400);
      expect((await serve(transfer, ['a'])).status).toBe(400);
      expect((await serve(`nobody-${uid()}`, 'free:scope')).body.code).toBe('client_not_found');
      expect((await ledger.http.post(`/v1/clients/${transfer}/disable`)).status).toBe(200);
      const disabled = await serve(transfer, `free-${uid()}:scope`);
      expect(disabled.body.code).toBe('client_disabled');
      expect(await eventCount()).toBe(before + 1); // the disable, nothing else
      expect((await ownerOf(`nobody-serves-${uid()}`)).status).toBe(404);
      expect((await ownerOf('a b')).status).toBe(404);
      expect((await ledger.http.get('/v1/scope-owners')).status).toBe(404);
    });

    it('a grant with dependencies records the owner each is asked of, and refuses what the owner may not be granted', async () => {
      const { transfer, web, scope } = await resourceServer(['collection-a:data_access']);
      const user = `user-${uid()}`;
      const granted = await steps.grant(user, web, [`${scope}[collection-a:data_access]`]);
      expect(granted.status).toBe(201);
      const event = (await ledger.events()).find((e) => e.type === 'ConsentGranted' && e.data.consentId === granted.body.id)!;
      expect(event.data.dependencyOwners).toEqual({ [scope]: transfer });

      const before = await eventCount();
      const refused = await steps.grant(`user-${uid()}`, web, [`${scope}[collection-z:data_access]`]);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'dependency_not_allowed', details: { scope, ownerClientId: transfer, scopes: ['collection-z:data_access'] } });
      expect((await ledger.http.post(`/v1/clients/${transfer}/disable`)).status).toBe(200);
      const ownerDisabled = await steps.grant(`user-${uid()}`, web, [`${scope}[collection-a:data_access]`]);
      expect(ownerDisabled.body.code).toBe('client_disabled');
      expect(await eventCount()).toBe(before + 1); // the disable
      // A plain grant of the scope needs no owner's consent.
      expect((await steps.grant(`user-${uid()}`, web, [scope])).status).toBe(201);
    });
  });
}
