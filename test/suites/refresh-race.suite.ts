import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredEvent } from '@ledger/event-store';
import { uid } from '../support/consent-fixtures';
import { clientBasic, HttpResponse, ledgerSteps, RunningLedger, startLedger, tempDataDir } from '../support/ledger-app';
import type { StoreFixture } from './suite-ledger';
import { TOKEN_PATH } from './refresh-tokens.suite';

/**
 * Races of the refresh token grant, as the IssueToken race (race.e2e-spec.ts) has them: every round fires its
 * commands at one consent at the same time over HTTP, and the answers, introspection and the log must all agree.
 * - Two uses of one refresh token: exactly one gets a pair; the other is a reuse, which ends the family, the winner's
 *   new pair included (the two cannot be told apart from a stolen copy: RFC 9700 section 4.14.2).
 * - A refresh against a revocation of the consent: whichever comes first, no token of the consent is live after.
 * Run for every adapter (refresh-race.e2e-spec.ts, esdb-refresh-race.e2e-spec.ts).
 */
export function refreshRaceSuite(name: string, fixture: () => Promise<StoreFixture>, rounds: number) {
  describe(`Refresh token races (${name}, over HTTP)`, () => {
    const PARALLEL_ROUNDS = 10;
    let store: StoreFixture;
    let data: ReturnType<typeof tempDataDir>;
    let ledger: RunningLedger;
    let steps: ReturnType<typeof ledgerSteps>;
    const client = { clientId: `race-rt-${uid()}`, secret: '' };

    beforeAll(async () => {
      store = await fixture();
      data = tempDataDir();
      ledger = await startLedger({ dataDir: data.dir, env: store.env() });
      steps = ledgerSteps(ledger.http);
      expect((await steps.registerClient(client.clientId)).status).toBe(201);
      client.secret = (await steps.createSecret(client.clientId)).body.secret;
    });
    afterAll(async () => {
      await ledger?.close();
      data?.remove();
      await store?.teardown?.();
    });

    const refresh = (token: string) => ledger.asRole(undefined).form(TOKEN_PATH, { grant_type: 'refresh_token', refresh_token: token }, clientBasic(client.clientId, client.secret));
    const active = async (token: string) => (await steps.introspect(token)).body.active as boolean;

    async function refreshable(prefix: string, i: number) {
      const consent = await ledger.http.post('/v1/consents', { userId: `${prefix}-${i}-${uid()}`, clientId: client.clientId, scopes: ['openid', 'email'], allowsRefresh: true });
      const issued = await steps.issue(consent.body.id);
      expect(issued.status).toBe(201);
      return { consentId: consent.body.id as string, access: issued.body.access_token as string, refresh: issued.body.refresh_token as string };
    }

    async function inRounds(run: (i: number) => Promise<void>) {
      for (let start = 0; start < rounds; start += PARALLEL_ROUNDS) await Promise.all(Array.from({ length: PARALLEL_ROUNDS }, (_, k) => run(start + k)));
    }

    const streamsOf = async (consentIds: Set<string>) => {
      const byConsent = new Map<string, StoredEvent[]>();
      for (const e of await ledger.events()) {
        const id = (e.data as { consentId?: string }).consentId;
        if (id && consentIds.has(id)) byConsent.set(id, [...(byConsent.get(id) ?? []), e]);
      }
      return byConsent;
    };

    it(`two uses of one refresh token at once, ${rounds} rounds: exactly one wins, and the reuse ends the family`, async () => {
      const winners: Array<HttpResponse['body']> = [];
      const consents = new Set<string>();
      await inRounds(async (i) => {
        const c = await refreshable('twice', i);
        consents.add(c.consentId);
        const answers = await Promise.all([refresh(c.refresh), refresh(c.refresh)]);
        expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
        expect(answers.find((a) => a.status === 400)!.body.error).toBe('invalid_grant');
        winners.push(answers.find((a) => a.status === 200)!.body);
      });
      for (const w of winners) {
        expect(await active(w.access_token)).toBe(false);
        expect(await active(w.refresh_token)).toBe(false);
      }
      // Each stream: one rotation, then the family's revocation for the reuse, and nothing issued after it.
      for (const [, events] of await streamsOf(consents)) {
        expect(events.map((e) => e.type)).toEqual(['ConsentGranted', 'TokenIssued', 'RefreshTokenIssued', 'RefreshTokenIssued', 'TokenIssued', 'RefreshTokenFamilyRevoked']);
        expect(events[5].data).toMatchObject({ cause: 'reuse', tokensEnded: 3 });
      }
      expect(consents.size).toBe(rounds);
    });

    it(`a refresh against a revocation of its consent, ${rounds} rounds: no token of the consent is live after`, async () => {
      const consents = new Set<string>();
      let refreshedFirst = 0;
      await inRounds(async (i) => {
        const c = await refreshable('revoked', i);
        consents.add(c.consentId);
        // Whichever request is sent first nearly always wins, so the rounds take turns, and the second one goes out
        // after 0-40 ms (a refresh reads two streams before it decides, which over the wire takes a while): both
        // orders are raced, and some rounds as close as the event loop allows.
        const lag = () => sleep((i % 5) * 10);
        const [refreshed, revoked] =
          i % 2 === 0
            ? await Promise.all([refresh(c.refresh), lag().then(() => steps.revoke(c.consentId))])
            : (await Promise.all([steps.revoke(c.consentId), lag().then(() => refresh(c.refresh))])).reverse();
        expect(revoked.status).toBe(200);
        expect([200, 400]).toContain(refreshed.status);
        const tokens = [c.access, c.refresh];
        if (refreshed.status === 200) {
          refreshedFirst += 1;
          tokens.push(refreshed.body.access_token, refreshed.body.refresh_token);
        } else expect(refreshed.body.error).toBe('invalid_grant');
        for (const t of tokens) expect(await active(t)).toBe(false);
      });
      // The log: nothing is issued on a stream after its consent's revocation.
      for (const [, events] of await streamsOf(consents)) {
        const at = events.findIndex((e) => e.type === 'ConsentRevoked');
        expect(at).toBeGreaterThan(0);
        expect(events.slice(at + 1).map((e) => e.type)).toEqual([]);
      }
      expect(consents.size).toBe(rounds);
      // How often each order won, for people (not asserted: timing decides it).
      process.stdout.write(`refresh before revocation in ${refreshedFirst} of ${rounds} rounds\n`);
    });
  });
}
