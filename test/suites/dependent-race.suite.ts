import { setTimeout as sleep } from 'node:timers/promises';
import { uid } from '../support/consent-fixtures';
import { clientBasic, ledgerSteps, RunningLedger, startLedger, tempDataDir } from '../support/ledger-app';
import type { StoreFixture } from './suite-ledger';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE } from './dependent-consents.suite';
import { TOKEN_PATH } from './refresh-tokens.suite';

/**
 * A token exchange racing the root's revocation (#15), as the refresh races have it (refresh-race.suite.ts): every
 * round fires both at one root consent at the same time over HTTP. Whichever wins, no token of the tree is live
 * after, and the log never holds a dependent token issued after its root's revocation. Run for every adapter
 * (dependent-race.e2e-spec.ts, esdb-dependent-race.e2e-spec.ts).
 */
export function dependentRaceSuite(name: string, fixture: () => Promise<StoreFixture>, rounds: number) {
  describe(`Token exchange racing the root's revocation (${name}, over HTTP)`, () => {
    const PARALLEL_ROUNDS = 10;
    let store: StoreFixture;
    let data: ReturnType<typeof tempDataDir>;
    let ledger: RunningLedger;
    let steps: ReturnType<typeof ledgerSteps>;
    const n = uid();
    const transfer = { clientId: `race-transfer-${n}`, secret: '' };
    const web = `race-web-${n}`;
    const root = `transfer:all:${n}`;
    const dep = `collection-a:data_access:${n}`;

    beforeAll(async () => {
      store = await fixture();
      data = tempDataDir();
      ledger = await startLedger({ dataDir: data.dir, env: store.env() });
      steps = ledgerSteps(ledger.http);
      expect((await steps.registerClient(transfer.clientId)).status).toBe(201);
      expect((await steps.registerClient(web)).status).toBe(201);
      transfer.secret = (await steps.createSecret(transfer.clientId)).body.secret;
      expect((await ledger.http.post(`/v1/clients/${transfer.clientId}/served-scopes`, { scope: root })).status).toBe(201);
    });
    afterAll(async () => {
      await ledger?.close();
      data?.remove();
      await store?.teardown?.();
    });

    const exchange = (subject: string) =>
      ledger.asRole(undefined).form(TOKEN_PATH, { grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE, scope: dep }, clientBasic(transfer.clientId, transfer.secret));
    const active = async (token: string) => (await steps.introspect(token)).body.active as boolean;

    it(`${rounds} rounds: no token of the tree is live after, and nothing is issued after the root's revocation`, async () => {
      const consents = new Set<string>();
      let exchangedFirst = 0;
      const round = async (i: number) => {
        const granted = await ledger.http.post('/v1/consents', { userId: `race-${i}-${uid()}`, clientId: web, scopes: [`${root}[${dep}]`] });
        expect(granted.status).toBe(201);
        consents.add(granted.body.id);
        const access = (await steps.issue(granted.body.id)).body.access_token as string;
        // Both orders, the second request 0-40 ms later (an exchange reads two streams before it decides).
        const lag = () => sleep((i % 5) * 10);
        const [exchanged, revoked] =
          i % 2 === 0
            ? await Promise.all([exchange(access), lag().then(() => steps.revoke(granted.body.id))])
            : (await Promise.all([steps.revoke(granted.body.id), lag().then(() => exchange(access))])).reverse();
        expect(revoked.status).toBe(200);
        const tokens = [access];
        if (exchanged.status === 200) {
          exchangedFirst += 1;
          tokens.push(exchanged.body.access_token);
        } else expect({ status: exchanged.status, error: exchanged.body.error }).toEqual({ status: 400, error: 'invalid_request' });
        for (const t of tokens) expect(await active(t)).toBe(false);
      };
      for (let start = 0; start < rounds; start += PARALLEL_ROUNDS) await Promise.all(Array.from({ length: PARALLEL_ROUNDS }, (_, k) => round(start + k)));

      // The log: on each root's stream, the revocation and its cascade come last, with nothing issued after.
      const byConsent = new Map<string, string[]>();
      for (const e of await ledger.events()) {
        const id = (e.data as { consentId?: string }).consentId;
        if (id && consents.has(id)) byConsent.set(id, [...(byConsent.get(id) ?? []), e.type]);
      }
      for (const [, types] of byConsent) {
        const at = types.indexOf('ConsentRevoked');
        expect(types.slice(at)).toEqual(['ConsentRevoked', 'DependentConsentRevoked']);
      }
      expect(byConsent.size).toBe(rounds);
      process.stdout.write(`exchange before revocation in ${exchangedFirst} of ${rounds} rounds\n`);
    });
  });
}
