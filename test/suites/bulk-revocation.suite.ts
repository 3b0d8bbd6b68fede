import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LEDGER_EVENT_TYPES } from '@ledger/projections';
import { toRevocationEvent, type RevocationEventV1 } from '@ledger/revocations';
import { waitUntil } from '@ledger/testing';
import { uid } from '../support/consent-fixtures';
import { bearer, RunningLedger } from '../support/ledger-app';
import { StoreFixture, suiteLedger, SuiteLedger } from './suite-ledger';

/**
 * Bulk revocation over HTTP, end to end: a user-wide revocation and not-before cut-offs (user, client, ledger) take
 * effect on introspection before the command answers, whatever they end; each is ONE integration event; refused
 * requests append nothing. Run for every adapter (bulk-revocation.e2e-spec.ts, esdb-bulk-revocation.e2e-spec.ts).
 * `privateStore`: the store holds this suite alone, so a ledger-wide not-before may end every token in it.
 */
export function bulkRevocationSuite(name: string, fixture: () => Promise<StoreFixture & { privateStore: boolean }>) {
  describe(`Bulk revocation over HTTP (${name})`, () => {
    // A service on a fresh data directory for each test: a ledger-wide not-before ends every token in its store.
    const running = suiteLedger(fixture, {}, { per: 'test' });
    let ledger: RunningLedger;
    let steps: SuiteLedger['steps'];
    beforeEach(() => ({ ledger, steps } = running));

    const active = async (...tokens: string[]) => Promise.all(tokens.map(async (t) => (await steps.introspect(t)).body.active));
    const revokeUser = (userId: string, body?: unknown, headers?: Record<string, string>) => ledger.http.post(`/v1/users/${encodeURIComponent(userId)}/revoke`, body, headers);
    const notBefore = (path: string, body?: unknown) => ledger.http.post(path, body);

    /** The revocation feed from the start, read until a frame matches `until`: every frame's event type and data. */
    async function feedUntil(until: (event: RevocationEventV1) => boolean): Promise<RevocationEventV1[]> {
      const controller = new AbortController();
      const response = await fetch(`${ledger.url}/v1/revocations/stream?from=start`, { headers: { ...bearer('introspect'), accept: 'text/event-stream' }, signal: controller.signal });
      const frames: RevocationEventV1[] = [];
      let buffer = '';
      const timer = setTimeout(() => controller.abort(), 10_000);
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += Buffer.from(chunk).toString('utf8');
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const data = buffer.slice(0, end).split('\n').find((l) => l.startsWith('data: '));
            buffer = buffer.slice(end + 2);
            if (!data) continue;
            frames.push(JSON.parse(data.slice(6)));
            if (until(frames[frames.length - 1])) return frames;
          }
        }
      } finally {
        clearTimeout(timer);
        controller.abort();
      }
      throw new Error('the feed ended before the frame awaited');
    }

    /** Clients, and a consent of `userId` on each with `tokens` tokens. */
    async function consentsOf(userId: string, clients: string[], tokens = 1) {
      const out: Array<{ clientId: string; consentId: string; tokens: string[] }> = [];
      for (const clientId of clients) {
        const consent = await steps.grant(userId, clientId, ['openid']);
        expect(consent.status).toBe(201);
        const issued: string[] = [];
        for (let i = 0; i < tokens; i++) {
          const token = await steps.issue(consent.body.id);
          expect(token.status).toBe(201);
          issued.push(token.body.access_token);
        }
        out.push({ clientId, consentId: consent.body.id, tokens: issued });
      }
      return out;
    }
    async function clients(n: number) {
      const ids = Array.from({ length: n }, () => `app-${uid()}`);
      for (const id of ids) expect((await steps.registerClient(id)).status).toBe(201);
      return ids;
    }
    /** The ledger's own events: on EventStoreDB the log also holds the leases' renewals, which come and go. */
    const events = async () => (await ledger.events()).filter((e) => (LEDGER_EVENT_TYPES as readonly string[]).includes(e.type));
    /** The log mapped to the integration contract, as Kafka and the SSE feed carry it. */
    const published = async (): Promise<RevocationEventV1[]> => (await events()).map(toRevocationEvent).filter((e): e is RevocationEventV1 => e !== undefined);

    it('revokes every consent of a user: inactive before it answers, consents revoked by the fan-out, ONE integration event', async () => {
      const [a, b] = await clients(2);
      const alice = `alice-${uid()}@example.org`;
      const bob = `bob-${uid()}`;
      const hers = await consentsOf(alice, [a, b], 2);
      const [his] = await consentsOf(bob, [a]);
      const before = (await events()).length;

      const revoked = await revokeUser(alice, { reason: 'sign me out everywhere' });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({ userId: alice, revocations: 1, revokedAt: expect.any(String), notBefore: null, revision: 0, consentsEnded: 2 });
      expect(revoked.headers.get('ledger-consistency')).toMatch(/^v1\./);
      // At once, on the instance that answered: every token of hers, none of his.
      expect(await active(...hers.flatMap((c) => c.tokens), ...his.tokens)).toEqual([false, false, false, false, true]);

      // The fan-out revokes each consent on its own stream, from the log, without another request.
      await waitUntil(async () => (await ledger.http.get(`/v1/users/${encodeURIComponent(alice)}/consents?status=active`)).body.consents.length === 0, { timeoutMs: 10_000 });
      const all = (await ledger.http.get(`/v1/users/${encodeURIComponent(alice)}/consents?status=all`)).body.consents;
      expect(all.map((c: { status: string }) => c.status)).toEqual(['revoked', 'revoked']);
      const history = (await ledger.http.get(`/v1/audit/consents/${hers[0].consentId}/history`)).body;
      expect(JSON.stringify(history)).toContain('ConsentRevoked');

      const appended = (await events()).slice(before);
      expect(appended.map((e) => e.type).sort()).toEqual(['ConsentRevoked', 'ConsentRevoked', 'UserConsentsRevoked']);
      const [userEvent] = appended.filter((e) => e.type === 'UserConsentsRevoked');
      for (const e of appended.filter((x) => x.type === 'ConsentRevoked')) {
        expect(e.data).toMatchObject({ userId: alice, userRevocation: 1, reason: 'sign me out everywhere' });
        expect(e.metadata).toMatchObject({ actor: userEvent.metadata.actor, correlationId: userEvent.metadata.correlationId, causationId: userEvent.id });
      }
      // Resource services hear it once: one user.consents_revoked, no consent.revoked per consent.
      const out = (await published()).filter((e) => e.userId === alice);
      expect(out.map((e) => e.type)).toEqual(['user.consents_revoked']);
      expect(out[0]).toMatchObject({ consentId: null, clientId: null, reason: 'sign me out everywhere', position: userEvent.position });
      // The SSE feed too: past the fan-out (a marker revocation after it), the user has that one frame.
      const [marker] = await consentsOf(bob, [b]);
      expect((await steps.revoke(marker.consentId)).status).toBe(200);
      const frames = await feedUntil((f) => f.consentId === marker.consentId);
      expect(frames.filter((f) => f.userId === alice)).toEqual([out[0]]);

      // Idempotent: nothing granted since, nothing appended, the same answer.
      const count = (await events()).length;
      const again = await revokeUser(alice);
      expect(again.body).toMatchObject({ revocations: 1, revision: 0, consentsEnded: 0 });
      expect((await events()).length).toBe(count);

      // The old consents give no token; a new grant is a new consent, whose tokens live.
      const refused = await steps.issue(hers[0].consentId);
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 409, code: 'consent_not_active' });
      const [fresh] = await consentsOf(alice, [a]);
      expect(fresh.consentId).not.toBe(hers[0].consentId);
      expect(await active(...fresh.tokens)).toEqual([true]);
      // And the next user-wide revocation ends it, numbered 2.
      expect((await revokeUser(alice)).body).toMatchObject({ revocations: 2, consentsEnded: 1 });
      expect(await active(...fresh.tokens, ...his.tokens)).toEqual([false, true]);
    });

    it('a retry under the same Idempotency-Key gets the first answer and appends nothing, even after a new grant', async () => {
      const [a, b] = await clients(2);
      const user = `user-${uid()}`;
      await consentsOf(user, [a]);
      const key = { 'idempotency-key': `revoke-${uid()}` };
      const first = await revokeUser(user, {}, key);
      expect(first.body).toMatchObject({ revocations: 1, consentsEnded: 1 });
      const [later] = await consentsOf(user, [b]);
      const count = (await events()).length;
      const replay = await revokeUser(user, {}, key);
      expect({ status: replay.status, body: replay.body }).toEqual({ status: 200, body: first.body });
      expect((await events()).length).toBe(count);
      expect(await active(...later.tokens)).toEqual([true]);
      // Without the key it is a new request, and ends the consent granted since.
      expect((await revokeUser(user)).body).toMatchObject({ revocations: 2, consentsEnded: 1 });
    });

    it('user not-before: every token of the user issued before it ends, of every client; later tokens live; consents stay', async () => {
      const [a, b] = await clients(2);
      const user = `user-${uid()}`;
      const other = `other-${uid()}`;
      const hers = await consentsOf(user, [a, b]);
      const [his] = await consentsOf(other, [a]);
      const set = await notBefore(`/v1/users/${user}/not-before`, { reason: 'password changed' });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ userId: user, revocations: 0, notBefore: expect.any(String), revision: 0 });
      expect(await active(...hers.flatMap((c) => c.tokens), ...his.tokens)).toEqual([false, false, true]);
      const later = await steps.issue(hers[0].consentId);
      expect(await active(later.body.access_token)).toEqual([true]);
      expect((await ledger.http.get(`/v1/consents/${hers[0].consentId}`)).body.status).toBe('active');
      const out = (await published()).filter((e) => e.userId === user);
      expect(out).toEqual([expect.objectContaining({ type: 'user.not_before', notBefore: set.body.notBefore, clientId: null, reason: 'password changed' })]);
    });

    it('client not-before: every token of the client, of every user, issued before it ends; the client stays active and shows it', async () => {
      const [a, b] = await clients(2);
      const u1 = await consentsOf(`u1-${uid()}`, [a, b]);
      const u2 = await consentsOf(`u2-${uid()}`, [a]);
      const at = new Date(Date.now() - 60_000).toISOString();
      const set = await notBefore(`/v1/clients/${a}/not-before`, { notBefore: at });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ id: a, status: 'active', notBefore: at });
      expect((await ledger.http.get(`/v1/clients/${a}`)).body).toMatchObject({ notBefore: at });
      // By log position: issued after T but before the command, ended all the same (T is for people).
      expect(await active(u1[0].tokens[0], u1[1].tokens[0], u2[0].tokens[0])).toEqual([false, true, false]);
      const later = await steps.issue(u2[0].consentId);
      expect(await active(later.body.access_token)).toEqual([true]);
      // Setting it again, or earlier, changes nothing.
      const count = (await events()).length;
      expect((await notBefore(`/v1/clients/${a}/not-before`, { notBefore: at })).body).toMatchObject({ notBefore: at, revision: set.body.revision });
      expect((await notBefore(`/v1/clients/${a}/not-before`, { notBefore: new Date(Date.now() - 3_600_000).toISOString() })).status).toBe(200);
      expect((await events()).length).toBe(count);
      expect((await published()).filter((e) => e.clientId === a && e.type === 'client.not_before')).toHaveLength(1);
    });

    it('refuses with stable codes and appends nothing: a future time, a malformed one, a malformed user, an unknown client, a role', async () => {
      const [a] = await clients(1);
      const count = (await events()).length;
      const future = new Date(Date.now() + 60_000).toISOString();
      const cases: Array<[string, unknown, number, string, string?]> = [
        [`/v1/users/alice/not-before`, { notBefore: future }, 400, 'not_before_in_future'],
        [`/v1/clients/${a}/not-before`, { notBefore: future }, 400, 'not_before_in_future'],
        [`/v1/not-before`, { notBefore: future }, 400, 'not_before_in_future'],
        [`/v1/users/alice/not-before`, { notBefore: '2026-02-30T00:00:00Z' }, 400, 'invalid_request'],
        [`/v1/users/alice/not-before`, { notBefore: 'yesterday' }, 400, 'invalid_request'],
        [`/v1/users/alice/not-before`, { notBefore: '2026-01-01T00:00:00Z', extra: 1 }, 400, 'invalid_request'],
        [`/v1/users/${encodeURIComponent(' bad')}/revoke`, {}, 400, 'invalid_user_id'],
        [`/v1/users/alice/revoke`, { reason: 7 }, 400, 'invalid_request'],
        [`/v1/clients/app-${uid()}/not-before`, {}, 404, 'client_not_found'],
        [`/v1/not-before`, {}, 403, 'forbidden', 'commands'],
        [`/v1/users/alice/revoke`, {}, 403, 'forbidden', 'audit'],
      ];
      for (const [path, body, status, code, role] of cases) {
        const r = await (role ? ledger.asRole(role as 'commands') : ledger.http).post(path, body);
        expect({ path, status: r.status, code: r.body.code, type: r.headers.get('content-type') }).toEqual({ path, status, code, type: expect.stringContaining('application/problem+json') });
      }
      expect((await events()).length).toBe(count);
    });

    it('ledger not-before: every token issued before it ends, whoever holds it; admin only', async () => {
      if (!running.store.privateStore) return; // it would end the tokens of every other suite sharing the store
      const [a, b] = await clients(2);
      const before = [...(await consentsOf(`u-${uid()}`, [a])), ...(await consentsOf(`v-${uid()}`, [b]))];
      const set = await notBefore('/v1/not-before', { reason: 'signing key rotated' });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ notBefore: expect.any(String), setAt: expect.any(String) });
      expect(await active(...before.flatMap((c) => c.tokens))).toEqual([false, false]);
      const after = await steps.issue(before[0].consentId);
      expect(await active(after.body.access_token)).toEqual([true]);
      expect((await published()).filter((e) => e.type === 'ledger.not_before').at(-1)).toMatchObject({ userId: null, clientId: null, consentId: null, reason: 'signing key rotated' });
    });

    it('a restarted instance answers the same from rebuilt views', async () => {
      const [a] = await clients(1);
      const user = `user-${uid()}`;
      const [c] = await consentsOf(user, [a]);
      await revokeUser(user);
      await notBefore(`/v1/clients/${a}/not-before`);
      // The views only: the next start rebuilds them from position 0 (the embedded store lives beside them).
      ({ ledger, steps } = await running.restart((dir) => {
        for (const file of readdirSync(dir).filter((f) => f.startsWith('views'))) rmSync(join(dir, file));
      }));
      await waitUntil(async () => (await ledger.http.get('/health/ready')).status === 200, { timeoutMs: 20_000 });
      expect(await active(...c.tokens)).toEqual([false]);
      expect((await ledger.http.get(`/v1/clients/${a}`)).body.notBefore).toEqual(expect.any(String));
    });
  });
}
