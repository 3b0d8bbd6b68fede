import { StoredEvent } from '@ledger/event-store';
import { bearer, ledgerSteps, RunningLedger, startLedger, tempDataDir, TEST_KEYS } from './support/ledger-app';

/**
 * The invariant that matters most: no token is ever active for a revoked consent or scope, even when IssueToken and
 * RevokeConsent race. Every round fires issues and revocations at one consent at the same time over HTTP; the
 * answers, introspection and the event log itself must all agree with the invariant.
 */
describe('Races (embedded SQLite, over HTTP)', () => {
  const ROUNDS = 300;
  const PARALLEL_ROUNDS = 10;
  const scopes = ['openid', 'email', 'urn:globus:auth:scope:transfer.api.globus.org:all'];
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let steps: ReturnType<typeof ledgerSteps>;

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir });
    steps = ledgerSteps(ledger.http);
    await steps.registerClient('race-app');
  });
  afterAll(async () => {
    await ledger.close();
    data.remove();
  });

  it(`IssueToken against RevokeConsent, ${ROUNDS} rounds: no token outlives the scope it carries`, async () => {
    const issuedTokens: Array<{ token: string; scope: string; consentId: string }> = [];
    let revokedRounds = 0;

    const round = async (i: number) => {
      const consent = await steps.grant(`racer-${i}`, 'race-app', scopes);
      const partial = i % 3 === 0;
      const calls = [
        steps.issue(consent.body.id),
        steps.issue(consent.body.id, ['openid']),
        steps.issue(consent.body.id, ['email']),
        partial ? steps.revoke(consent.body.id, { scopes: ['openid'] }) : steps.revoke(consent.body.id),
        steps.issue(consent.body.id),
      ];
      const results = await Promise.all(calls);
      const revoke = results[3];
      expect(revoke.status).toBe(200);
      revokedRounds += 1;
      for (const r of [results[0], results[1], results[2], results[4]]) {
        // Either the token was issued before the revocation (and the revocation ended it), or it was refused.
        expect([201, 400, 409]).toContain(r.status);
        if (r.status === 201) issuedTokens.push({ token: r.body.access_token, scope: r.body.scope, consentId: consent.body.id });
      }
    };

    for (let start = 0; start < ROUNDS; start += PARALLEL_ROUNDS) {
      await Promise.all(Array.from({ length: PARALLEL_ROUNDS }, (_, k) => round(start + k)));
    }
    expect(revokedRounds).toBe(ROUNDS);

    // Introspection: a token carrying a revoked scope is inactive.
    for (const t of issuedTokens) {
      const r = await steps.introspect(t.token);
      const round = Number(/racer-(\d+)/.exec((await ledger.http.get(`/v1/consents/${t.consentId}`)).body.userId)![1]);
      const partial = round % 3 === 0;
      const carriesRevoked = !partial || t.scope.split(' ').includes('openid');
      if (carriesRevoked) expect(r.body).toEqual({ active: false });
      else expect(r.body.active).toBe(true);
    }

    // The log: replaying each consent stream, no TokenIssued ever carries a scope revoked before it.
    const byStream = new Map<string, StoredEvent[]>();
    for (const e of await ledger.events()) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e]);
    let checked = 0;
    for (const [stream, events] of byStream) {
      if (!stream.startsWith('consent-')) continue;
      const revoked = new Set<string>();
      let fully = false;
      for (const e of events) {
        const d = e.data as any;
        if (e.type === 'ConsentRevoked') fully = true;
        if (e.type === 'ConsentScopesRevoked') d.revokedScopes.forEach((s: string) => revoked.add(s));
        if (e.type === 'TokenIssued') {
          expect(fully).toBe(false);
          expect(d.scopes.filter((s: string) => revoked.has(s))).toEqual([]);
          checked += 1;
        }
      }
    }
    expect(checked).toBe(issuedTokens.length);
  });

  it('double revocations and parallel grants converge without duplicate events', async () => {
    for (let i = 0; i < 100; i++) {
      const userId = `dup-${i}`;
      const grants = await Promise.all(Array.from({ length: 4 }, () => steps.grant(userId, 'race-app', ['openid', 'email'])));
      const ids = new Set(grants.map((g) => g.body.id));
      expect(ids.size).toBe(1);
      const consentId = grants[0].body.id;
      const revokes = await Promise.all(Array.from({ length: 4 }, () => steps.revoke(consentId)));
      expect(revokes.every((r) => r.status === 200 && r.body.status === 'revoked')).toBe(true);
    }
    const events = await ledger.events();
    for (let i = 0; i < 100; i++) {
      const mine = events.filter((e) => (e.data as any).userId === `dup-${i}`);
      expect(mine.map((e) => e.type)).toEqual(['ConsentGranted', 'ConsentRevoked']);
    }
  });

  it('the same Idempotency-Key from two callers at once: one token per caller, every retry gets it, nothing doubled', async () => {
    const ROUNDS_IDEMPOTENT = 50;
    for (let i = 0; i < ROUNDS_IDEMPOTENT; i++) {
      const consentId = (await steps.grant(`idem-${i}`, 'race-app', scopes)).body.id;
      const key = { 'idempotency-key': `race-key-${i}` };
      const answers = await Promise.all([
        ...Array.from({ length: 3 }, () => steps.issue(consentId, undefined, { ...key, ...bearer('commands') })),
        ...Array.from({ length: 3 }, () => steps.issue(consentId, undefined, key)),
      ]);
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
      const [frontend, admin] = [answers.slice(0, 3), answers.slice(3)].map((group) => new Set(group.map((a) => a.body.access_token)));
      expect(frontend.size).toBe(1);
      expect(admin.size).toBe(1);
      expect([...frontend][0]).not.toBe([...admin][0]);
    }
    const byConsent = new Map<string, string[]>();
    for (const e of (await ledger.events()).filter((e) => e.type === 'TokenIssued')) {
      const id = String((e.data as any).consentId);
      byConsent.set(id, [...(byConsent.get(id) ?? []), String(e.metadata.actor)]);
    }
    let checked = 0;
    for (let i = 0; i < ROUNDS_IDEMPOTENT; i++) {
      const consent = (await ledger.http.get(`/v1/users/idem-${i}/consents`)).body.consents[0];
      expect((byConsent.get(consent.id) ?? []).sort()).toEqual([TEST_KEYS.admin.name, TEST_KEYS.commands.name].sort());
      checked += 1;
    }
    expect(checked).toBe(ROUNDS_IDEMPOTENT);
  });
});
