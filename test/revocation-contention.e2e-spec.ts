import { startEsdbTestServer } from './support/esdb-test-server';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

/**
 * A revocation never loses to token issuance: a busy front end keeps 12 callers issuing tokens on one consent
 * while another caller revokes it. Before the per-stream lanes, the appends raced each other, 10 retries without
 * backoff ran out, and revocations (and issuances) were answered 500.
 */
const ISSUERS = 12;
const ROUNDS = 50;

type Setup = () => Promise<{ env: Record<string, string>; teardown?: () => Promise<void> }>;

function contentionSuite(name: string, setup: Setup) {
  describe(`Revocation under contention (${name})`, () => {
    let data: ReturnType<typeof tempDataDir>;
    let ledger: RunningLedger;
    let steps: ReturnType<typeof ledgerSteps>;
    let teardown: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const s = await setup();
      teardown = s.teardown;
      data = tempDataDir();
      ledger = await startLedger({ dataDir: data.dir, env: s.env });
      steps = ledgerSteps(ledger.http);
      await steps.registerClient('busy-app');
    });
    afterAll(async () => {
      await ledger?.close();
      await teardown?.();
      data?.remove();
    });

    it(`${ISSUERS} issuers and one revoker on one consent, ${ROUNDS} rounds: every revocation succeeds, no 5xx, nothing survives`, async () => {
      const statuses = new Map<number, number>();
      const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const issued: Array<{ token: string; consentId: string }> = [];

      for (let round = 0; round < ROUNDS; round++) {
        const consentId = (await steps.grant(`busy-${round}`, 'busy-app', ['openid', 'email'])).body.id as string;
        let revoked = false;
        let issuedThisRound = 0;
        const issuer = async () => {
          // Keep issuing until the revocation has landed and refusals come back.
          for (let n = 0; n < 40; n++) {
            const r = await steps.issue(consentId);
            count(r.status);
            if (r.status === 201) {
              issued.push({ token: r.body.access_token, consentId });
              issuedThisRound += 1;
            }
            if (revoked && r.status === 409) return;
          }
        };
        const revoker = async () => {
          // Revoke while every issuer is in flight, once some tokens exist to be ended.
          while (issuedThisRound < ISSUERS / 2) await new Promise((resolve) => setTimeout(resolve, 1));
          const r = await steps.revoke(consentId, { reason: 'contention test' });
          count(r.status);
          expect(r.status).toBe(200);
          expect(r.body.status).toBe('revoked');
          revoked = true;
        };
        await Promise.all([...Array.from({ length: ISSUERS }, issuer), revoker()]);
      }

      const serverErrors = [...statuses].filter(([status]) => status >= 500);
      expect(serverErrors).toEqual([]);
      expect([...statuses.keys()].sort()).toEqual([200, 201, 409]);

      // Every token of every revoked consent is inactive, on this instance, at once.
      for (const t of issued) expect((await steps.introspect(t.token)).body).toEqual({ active: false });
      expect(issued.length).toBeGreaterThanOrEqual((ROUNDS * ISSUERS) / 2);
    });
  });
}

contentionSuite('embedded SQLite', async () => ({ env: {} }));
contentionSuite('EventStoreDB wire-level test server', async () => {
  const server = await startEsdbTestServer();
  return { env: { EVENTSTORE_CONNECTION_STRING: server.connectionString }, teardown: () => server.stop() };
});
