import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { STORED_EVENT_STORE, verifyLedger } from '@ledger/audit';
import type { EventStore } from '@ledger/event-store';
import { uid } from '../support/consent-fixtures';
import { bearer, httpClient, ledgerSteps, RunningLedger, secretsDirFor, startLedger, tempDataDir, TEST_API_KEYS } from '../support/ledger-app';
import type { StoreFixture } from './suite-ledger';

/** Every file under a directory, as raw bytes: what a copy of it (a backup, a stolen disk) would hold. */
function filesUnder(dir: string): Array<{ file: string; bytes: Buffer }> {
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [{ file, bytes: readFileSync(file) }];
  });
}

/** The files (or texts) that hold any of the needles, in UTF-8 as SQLite and JSON store them. */
function holding(sources: Array<{ file: string; bytes: Buffer }>, needles: string[]): string[] {
  return sources.flatMap(({ file, bytes }) => needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8'))).map((n) => `${file}: ${n}`));
}

/** A Shared Signals receiver (docs/ssf.md) following the subject, to show its streams keep no clear subject either. */
const RECEIVER = { name: 'partner', secret: 'partner-receiver-secret-0123456789' };
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const setClaims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

/**
 * Crypto-shredding, end to end (issue #17 part 3, docs/privacy.md): a user's consent with tokens, a revocation with a
 * free-text reason, and the caller's request ids; then EraseSubject. After it no file of the data directory, no view
 * and no export holds the user id, the reason or the request id in readable form, the chain still verifies, history
 * and as-of keep the consent facts under a pseudonym, and every token is inactive. Refusals and repeats append nothing.
 * A Shared Signals receiver follows the subject (opaque and complex) and another user: its stream's subject events
 * are sealed like the rest, and after the erasure the subject reads as the pseudonym, which matches nothing.
 * Run for every adapter (erasure.e2e-spec.ts, esdb-erasure.e2e-spec.ts).
 */
export function erasureSuite(name: string, fixture: () => Promise<StoreFixture>, options: { embedded: boolean }) {
  describe(`Erasure of a subject's personal data (${name})`, () => {
    let store: StoreFixture;
    let data: ReturnType<typeof tempDataDir>;
    let ledger: RunningLedger;
    const userId = `erin.${uid()}@example.org`;
    const reason = `moved to Tromso, forget me ${uid()}`;
    const requestId = `req-erin-${uid()}`;
    const clientId = `app-${uid()}`;
    const needles = [userId, reason, requestId];
    let consentId: string;
    let tokens: string[];
    let erasure: { kid: string; pseudonym: string; erasedAt: string; revision: number; erased: true };

    const head = async () => (await ledger.events()).at(-1)!.position;
    const otherUser = `olga.${uid()}@example.org`;
    let streamId: string;
    const ssfEnv = () => ({ LEDGER_API_KEYS: `${TEST_API_KEYS},${RECEIVER.name}:receiver:${RECEIVER.secret}`, LEDGER_SSF_RECEIVERS: `${RECEIVER.name}=${clientId}` });
    const start = async () => (ledger = await startLedger({ dataDir: data.dir, env: { ...store.env(), ...ssfEnv(), LOG_LEVEL: 'fatal' } }));
    const receiver = () => httpClient(ledger.url, { authorization: `Bearer ${RECEIVER.secret}` });
    const subjects = (user: string) => [
      { format: 'opaque', id: user },
      { format: 'complex', user: { format: 'opaque', id: user }, application: { format: 'opaque', id: clientId } },
    ];
    /** Every SET owed, acknowledged as read, as claims. */
    const pollAll = async () => {
      const polled = await receiver().post(`/v1/ssf/poll/${streamId}`, { returnImmediately: true, maxEvents: 100 });
      expect(polled.status).toBe(200);
      const jtis = Object.keys(polled.body.sets as Record<string, string>);
      if (jtis.length > 0) expect((await receiver().post(`/v1/ssf/poll/${streamId}`, { returnImmediately: true, maxEvents: 0, ack: jtis })).status).toBe(200);
      return Object.values(polled.body.sets as Record<string, string>).map(setClaims);
    };
    const stored = () => ledger.app.get<EventStore>(STORED_EVENT_STORE);
    const exportText = async () => (await fetch(`${ledger.url}/v1/audit/events`, { headers: bearer('audit') })).text();

    beforeAll(async () => {
      store = await fixture();
      data = tempDataDir();
      await start();
    });
    afterAll(async () => {
      await ledger?.close();
      data?.remove();
      await store?.teardown?.();
    });

    it('a Shared Signals receiver follows the subject, opaque and complex, and another user', async () => {
      const created = await receiver().post('/v1/ssf/streams', { delivery: { method: 'urn:ietf:rfc:8936' }, events_requested: [SESSION_REVOKED] });
      expect(created.status).toBe(201);
      streamId = created.body.stream_id;
      for (const subject of [...subjects(userId), { format: 'opaque', id: otherUser }]) {
        expect((await receiver().post('/v1/ssf/subjects/add', { stream_id: streamId, subject })).status).toBe(200);
      }
      const asStored: unknown[] = [];
      for await (const e of stored().readAll()) asStored.push(e);
      expect(JSON.stringify(asStored)).not.toContain(userId);
      expect(JSON.stringify(asStored)).not.toContain(otherUser);
    });

    it('records a consent, tokens and a revocation with a reason; refuses to erase while the consent is active', async () => {
      const steps = ledgerSteps(ledger.http);
      expect((await steps.registerClient(clientId)).status).toBe(201);
      const grant = await ledger.http.post('/v1/consents', { userId, clientId, scopes: ['openid', 'email'] }, { 'x-request-id': requestId, 'idempotency-key': `grant-${uid()}` });
      expect(grant.status).toBe(201);
      consentId = grant.body.id;
      tokens = [];
      for (const key of [`issue-${uid()}`, undefined]) {
        const issued = await steps.issue(consentId, undefined, { 'x-request-id': requestId, ...(key ? { 'idempotency-key': key } : {}) });
        expect(issued.status).toBe(201);
        tokens.push(issued.body.access_token);
      }
      expect((await steps.introspect(tokens[0])).body).toMatchObject({ active: true, sub: userId });

      const before = await head();
      expect((await ledger.asRole('commands').post(`/v1/users/${encodeURIComponent(userId)}/erase`)).status).toBe(403);
      const refused = await ledger.http.post(`/v1/users/${encodeURIComponent(userId)}/erase`);
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'subject_has_active_consents', status: 409 });
      expect(await head()).toBe(before);

      expect((await ledger.http.post(`/v1/consents/${consentId}/revoke`, { reason }, { 'x-request-id': requestId })).status).toBe(200);
      // Before the erasure the ledger reads it all back, and nothing of it is stored in clear.
      const history = await ledger.asRole('audit').get(`/v1/audit/consents/${consentId}/history`);
      expect(history.body.events.at(-1).attribution).toMatchObject({ reason, clientRequestId: requestId });
      expect(history.body.events.at(-1).data.userId).toBe(userId);
      expect(await exportText()).not.toContain(userId);
      expect(await exportText()).toContain('"enc":');
    });

    it('erases: the key is destroyed and SubjectErased names no one', async () => {
      const before = await head();
      const res = await ledger.http.post(`/v1/users/${encodeURIComponent(userId)}/erase`, undefined, { 'x-request-id': requestId });
      expect(res.status).toBe(200);
      erasure = res.body;
      expect(erasure).toEqual({ erased: true, kid: expect.stringMatching(/^[0-9a-f]{32}$/), pseudonym: `~erased:${erasure.kid}`, erasedAt: expect.any(String), revision: expect.any(Number) });
      const events = await ledger.events();
      expect(events.filter((e) => e.position > before).map((e) => e.type)).toEqual(['SubjectErased']);
      expect(events.at(-1)!.data).toMatchObject({ userId: erasure.pseudonym, kid: erasure.kid, erased: true });
    });

    it('leaves nothing readable of the subject in the data directory, the views or the export', async () => {
      expect(holding(filesUnder(data.dir), needles)).toEqual([]);
      expect(holding([{ file: 'export', bytes: Buffer.from(await exportText()) }], needles)).toEqual([]);
      expect(holding([{ file: 'views', bytes: Buffer.from(JSON.stringify(ledger.views.snapshot())) }], needles)).toEqual([]);
      // The key store (outside the data directory) keeps the erased kid, never its key or the subject.
      expect(holding(filesUnder(secretsDirFor(data.dir)), needles)).toEqual([]);
    });

    it('still verifies, and keeps the consent facts under the pseudonym in history and as-of', async () => {
      const verified = await verifyLedger(stored().readAll(), { gapFreePositions: options.embedded });
      expect(verified.problems).toEqual([]);
      expect(verified.ok).toBe(true);

      const history = await ledger.asRole('audit').get(`/v1/audit/consents/${consentId}/history`);
      expect(history.status).toBe(200);
      const types = history.body.events.map((e: any) => e.type);
      expect(types).toEqual(['ConsentGranted', 'TokenIssued', 'TokenIssued', 'ConsentRevoked']);
      for (const e of history.body.events) {
        expect(e.data).toMatchObject({ userId: erasure.pseudonym, clientId, erased: true });
        expect(e.attribution.clientRequestId).toBeNull();
      }
      expect(history.body.events[0].data).toMatchObject({ scopes: ['email', 'openid'], grantedAt: expect.any(String) });
      expect(history.body.events[3].data).toMatchObject({ reason: null, revokedAt: expect.any(String) });
      expect(history.body.events[3].attribution).toMatchObject({ reason: null, actor: 'test-admin' });

      const asOf = await ledger.asRole('audit').get(`/v1/audit/users/${encodeURIComponent(erasure.pseudonym)}/consents?asOf=${encodeURIComponent(history.body.events[0].data.grantedAt)}`);
      expect(asOf.status).toBe(200);
      expect(asOf.body.consents).toEqual([expect.objectContaining({ id: consentId, userId: erasure.pseudonym, clientId, scopes: ['email', 'openid'] })]);
      const byName = await ledger.asRole('audit').get(`/v1/audit/users/${encodeURIComponent(userId)}/consents`);
      expect(byName.body.consents).toEqual([]);
    });

    it('the Shared Signals stream reads the erased subject as the pseudonym, which hears nothing; others still hear', async () => {
      const steps = ledgerSteps(ledger.http);
      const other = await steps.grant(otherUser, clientId, ['openid']);
      expect(other.status).toBe(201);
      expect((await ledger.http.post(`/v1/consents/${other.body.id}/revoke`, {})).status).toBe(200);
      const sets = await pollAll();
      // The subject's own revocation (before the erasure) is not delivered: its subjects read as the pseudonym now.
      expect(sets).toHaveLength(1);
      expect(JSON.stringify(sets[0].sub_id)).toContain(otherUser);
      expect(JSON.stringify(sets)).not.toContain(erasure.pseudonym);
      expect((await receiver().get(`/v1/ssf/streams?stream_id=${streamId}`)).status).toBe(200);
      expect((await receiver().get(`/v1/ssf/status?stream_id=${streamId}`)).status).toBe(200);
      // Its subjects are folded as read now: removing the subject by the old id finds nothing and appends nothing.
      const before = await head();
      for (const subject of subjects(userId)) expect((await receiver().post('/v1/ssf/subjects/remove', { stream_id: streamId, subject })).status).toBe(204);
      expect(await head()).toBe(before);
      const byPseudonym = await receiver().post('/v1/ssf/subjects/add', { stream_id: streamId, subject: { format: 'opaque', id: erasure.pseudonym } });
      expect(byPseudonym.status).toBe(400);
      expect(holding([{ file: 'export', bytes: Buffer.from(await exportText()) }], needles)).toEqual([]);
    });

    it('answers every remaining token inactive', async () => {
      for (const token of tokens) expect((await ledgerSteps(ledger.http).introspect(token)).body).toEqual({ active: false });
    });

    it('is idempotent, and an unknown subject is a no-op that says so; neither appends', async () => {
      const before = await head();
      const again = await ledger.http.post(`/v1/users/${encodeURIComponent(userId)}/erase`);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(erasure);
      const unknown = await ledger.http.post(`/v1/users/nobody-${uid()}/erase`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toContain('application/problem+json');
      expect(unknown.body).toMatchObject({ code: 'subject_unknown', status: 404 });
      const malformed = await ledger.http.post(`/v1/users/${encodeURIComponent('~erased:x')}/erase`);
      expect(malformed.status).toBe(400);
      expect(await head()).toBe(before);
    });

    it('after a restart that rebuilds the views from the log, the subject is still erased', async () => {
      await ledger.close();
      for (const f of readdirSync(data.dir).filter((f) => f.startsWith('views'))) require('node:fs').rmSync(join(data.dir, f));
      await start();
      const history = await ledger.asRole('audit').get(`/v1/audit/consents/${consentId}/history`);
      expect(history.body.events[0].data.userId).toBe(erasure.pseudonym);
      for (const token of tokens) expect((await ledgerSteps(ledger.http).introspect(token)).body).toEqual({ active: false });
      expect(holding([{ file: 'views', bytes: Buffer.from(JSON.stringify(ledger.views.snapshot())) }], needles)).toEqual([]);
      await ledger.close();
      expect(holding(filesUnder(data.dir), needles)).toEqual([]);
      await start();
    });

    it('after the restart, the receiver removing the erased subject by its id is a no-op; the stream still answers', async () => {
      const before = await head();
      for (const subject of subjects(userId)) expect((await receiver().post('/v1/ssf/subjects/remove', { stream_id: streamId, subject })).status).toBe(204);
      expect(await head()).toBe(before);
      expect(await pollAll()).toEqual([]);
      expect((await receiver().post('/v1/ssf/subjects/remove', { stream_id: streamId, subject: { format: 'opaque', id: otherUser } })).status).toBe(204);
      expect((await ledger.events()).filter((e) => e.position > before).map((e) => e.type)).toEqual(['SsfSubjectRemoved']);
      const verified = await verifyLedger(stored().readAll(), { gapFreePositions: options.embedded });
      expect(verified.problems).toEqual([]);
    });
  });
}
