import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventFromNdjson, STORED_EVENT_STORE, verifyLedger } from '@ledger/audit';
import { EventStore, SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { waitUntil } from '@ledger/testing';
import { bearer, ledgerSteps, RunningLedger, secretsDirFor, startLedger, tempDataDir } from './support/ledger-app';
import { runLedgerCli } from './support/ledger-cli';

/**
 * The auditors' side, end to end: attribution on every event, the read-only audit API over HTTP, the hash chain
 * against edits made directly in the SQLite file, and export / import through the real CLI process.
 */
describe('Audit', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let steps: ReturnType<typeof ledgerSteps>;
  const scopes = ['email', 'openid'];
  let gen1: string;
  let gen2: string;
  let other: string;
  /** The audit API is called with the auditor's credential, as an auditor would. */
  const audit = () => ledger.asRole('audit');

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir });
    steps = ledgerSteps(ledger.http);
    await steps.registerClient('audit-app');
    await steps.registerClient('audit-other');
    gen1 = (await steps.grant('alice', 'audit-app', ['openid'])).body.id;
    await steps.grant('alice', 'audit-app', scopes); // extends
    const t1 = (await steps.issue(gen1)).body;
    await steps.issue(gen1, ['openid']);
    expect((await ledger.http.post(`/v1/tokens/${t1.token_id}/revoke`, { reason: 'lost laptop' }, { 'x-initiator': 'admin' })).body).toEqual({ revoked: true });
    await ledger.http.post(`/v1/consents/${gen1}/revoke`, { scopes: ['email'], reason: 'narrowing' }, { 'x-initiator': 'policy', 'x-request-id': 'req-narrow' });
    await steps.revoke(gen1, { reason: 'user left' });
    gen2 = (await steps.grant('alice', 'audit-app', ['openid'])).body.id;
    await steps.issue(gen2);
    other = (await steps.grant('alice', 'audit-other', ['openid'])).body.id;
    await steps.grant('bob', 'audit-app', ['email']);
  });

  afterAll(async () => {
    await ledger?.close();
    data?.remove();
  });

  describe('attribution', () => {
    it('every event carries actor, correlation, causation, initiator and a chain link; revocations carry their reason', async () => {
      const events = await ledger.events();
      for (const e of events) {
        expect(e.metadata).toMatchObject({
          actor: expect.any(String),
          correlationId: expect.any(String),
          causationId: expect.any(String),
          initiator: expect.stringMatching(/^(user|admin|policy|system)$/),
          chain: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
      }
      const reasons = events.filter((e) => ['TokenRevoked', 'ConsentScopesRevoked', 'ConsentRevoked'].includes(e.type)).map((e) => [e.type, e.metadata.reason, e.data.reason]);
      expect(reasons).toEqual([
        ['TokenRevoked', 'lost laptop', 'lost laptop'],
        ['ConsentScopesRevoked', 'narrowing', 'narrowing'],
        ['ConsentRevoked', 'user left', 'user left'],
      ]);
    });
  });

  describe('GET /v1/audit/consents/{id}/history', () => {
    it("lists the consent's own events and its tokens' events, in order, with attribution; not the pair's other generation", async () => {
      const r = await audit().get(`/v1/audit/consents/${gen1}/history`);
      expect(r.status).toBe(200);
      expect(r.body.consentId).toBe(gen1);
      expect(r.body.events.map((e: any) => e.type)).toEqual([
        'ConsentGranted',
        'ConsentScopesExtended',
        'TokenIssued',
        'TokenIssued',
        'TokenRevoked',
        'ConsentScopesRevoked',
        'ConsentRevoked',
      ]);
      expect(r.body.events.map((e: any) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(r.body.events[4].attribution).toMatchObject({ initiator: 'admin', reason: 'lost laptop', actor: expect.any(String) });
      expect(r.body.events[5].attribution).toMatchObject({ initiator: 'policy', initiatorAsserted: true, clientRequestId: 'req-narrow', reason: 'narrowing' });
      expect(r.body.events[5].attribution.causationId).toBe(r.body.events[5].attribution.correlationId);
      expect(r.body.events[6].attribution).toMatchObject({ initiator: 'user', initiatorAsserted: false, clientRequestId: null });
      expect(r.body.events[0]).toMatchObject({ stream: r.body.stream, position: expect.any(Number), recordedAt: expect.any(String), link: expect.stringMatching(/^[0-9a-f]{64}$/) });

      const second = await audit().get(`/v1/audit/consents/${gen2}/history`);
      expect(second.body.stream).toBe(r.body.stream);
      expect(second.body.events.map((e: any) => [e.type, e.revision])).toEqual([
        ['ConsentGranted', 7],
        ['TokenIssued', 8],
      ]);
    });

    it('answers 404 problem+json for an unknown or malformed consent id', async () => {
      for (const id of ['cns_00000000000000000000000000000000_1', 'nope']) {
        const r = await audit().get(`/v1/audit/consents/${id}/history`);
        expect(r.status).toBe(404);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(r.body.code).toBe('consent_not_found');
      }
    });
  });

  describe('GET /v1/audit/users/{userId}/consents?asOf=', () => {
    it('at now equals the live view with status=all', async () => {
      const live = await ledger.http.get('/v1/users/alice/consents?status=all');
      const asOf = await audit().get(`/v1/audit/users/alice/consents?asOf=${encodeURIComponent(new Date().toISOString())}`);
      expect(asOf.status).toBe(200);
      expect(live.body.consents).toHaveLength(3);
      expect(asOf.body.consents).toEqual(live.body.consents);
      expect((await audit().get('/v1/audit/users/alice/consents')).body.consents).toEqual(live.body.consents);
    });

    it('at every event boundary of the history, replays the ledger as it stood then', async () => {
      const events = (await ledger.events()).filter((e) => e.data.userId === 'alice');
      const history = (await audit().get(`/v1/audit/consents/${gen1}/history`)).body.events;
      // As of uses each command's own time, which the chain covers, not recordedAt (docs/audit.md).
      const chained = (e: { data: Record<string, any> }): string => e.data.grantedAt ?? e.data.extendedAt ?? e.data.revokedAt ?? e.data.issuedAt;
      // Just before gen1 was revoked in full: active with openid only, as the narrowing left it.
      const beforeRevoke = new Date(Date.parse(chained(history[6])) - 1).toISOString();
      if (beforeRevoke >= chained(history[5])) {
        const r = await audit().get(`/v1/audit/users/alice/consents?asOf=${beforeRevoke}`);
        expect(r.body.consents.find((c: any) => c.id === gen1)).toMatchObject({ status: 'active', scopes: ['openid'], revokedAt: null });
      }
      // Before the first event: nothing.
      const first = new Date(Date.parse(chained(events[0])) - 1).toISOString();
      expect((await audit().get(`/v1/audit/users/alice/consents?asOf=${first}`)).body).toMatchObject({ consents: [], position: -1 });
      // At the instant of the last event: everything.
      const last = events[events.length - 1];
      expect((await audit().get(`/v1/audit/users/alice/consents?asOf=${chained(last)}`)).body.position).toBe(last.position);
    });

    it('refuses a malformed instant, an unknown parameter and a malformed user id with problem+json', async () => {
      for (const [path, code] of [
        ['/v1/audit/users/alice/consents?asOf=yesterday', 'invalid_request'],
        ['/v1/audit/users/alice/consents?asOf=2026-01-01', 'invalid_request'],
        ['/v1/audit/users/alice/consents?at=2026-01-01T00:00:00Z', 'invalid_request'],
        ['/v1/audit/users/%20bad/consents', 'invalid_user_id'],
      ]) {
        const r = await ledger.http.get(path);
        expect({ path, status: r.status, code: r.body.code }).toEqual({ path, status: 400, code });
        expect(r.headers.get('content-type')).toContain('application/problem+json');
      }
    });
  });

  /** The log as stored, sealed fields sealed: what an export carries. */
  const storedEvents = async () => {
    const out: StoredEvent[] = [];
    for await (const e of ledger.app.get<EventStore>(STORED_EVENT_STORE).readAll()) out.push(e);
    return out;
  };
  const subjectKeysOf = (dir: string) => ({
    LEDGER_SUBJECT_KEYS_DIR: secretsDirFor(dir),
    LEDGER_SUBJECT_KEK: readFileSync(join(secretsDirFor(dir), 'subject-kek'), 'utf8').trim(),
  });

  describe('GET /v1/audit/events (NDJSON)', () => {
    const lines = (text: string) => text.split('\n').filter(Boolean).map((l, i) => eventFromNdjson(l, i + 1));

    it('streams the whole ledger, one event per line, in log order', async () => {
      const res = await fetch(`${ledger.url}/v1/audit/events`, { headers: bearer('audit') });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      const exported = lines(await res.text());
      // As stored: personal fields sealed (docs/privacy.md), which is what the chain covers.
      expect(exported).toEqual(await storedEvents());
      expect(JSON.stringify(exported)).not.toContain('"alice"');
    });

    it('filters by consent, user, client, positions and time', async () => {
      const all = await ledger.events();
      const get = async (q: string) => lines(await (await fetch(`${ledger.url}/v1/audit/events?${q}`, { headers: bearer('audit') })).text());
      expect((await get(`consentId=${gen2}`)).map((e) => e.type)).toEqual(['ConsentGranted', 'TokenIssued']);
      // Matched on what the sealed user id says, exported as stored.
      const bobs = all.filter((e) => e.data.userId === 'bob').map((e) => e.id);
      expect(bobs).toHaveLength(1);
      expect((await get('userId=bob')).map((e) => [e.id, typeof e.data.userId])).toEqual([[bobs[0], 'object']]);
      expect((await get('clientId=audit-other')).map((e) => e.type)).toEqual(['ClientRegistered', 'ConsentGranted']);
      expect((await get('fromPosition=3&toPosition=5')).map((e) => e.position)).toEqual([3, 4, 5]);
      const mid = all[6].recordedAt;
      const stored = await storedEvents();
      expect(await get(`from=${mid}`)).toEqual(stored.filter((e) => e.recordedAt >= mid));
      expect(await get(`to=${mid}`)).toEqual(stored.filter((e) => e.recordedAt <= mid));
    });

    it('refuses bad filters with problem+json', async () => {
      for (const q of ['fromPosition=-1', 'fromPosition=abc', 'fromPosition=5&toPosition=2', 'from=soon', 'userId=%20x', 'nope=1']) {
        const r = await audit().get(`/v1/audit/events?${q}`);
        expect({ q, status: r.status }).toEqual({ q, status: 400 });
        expect(r.headers.get('content-type')).toContain('application/problem+json');
      }
    });

    it('is for auditors: other roles are refused and anonymous callers unauthenticated', async () => {
      expect((await ledger.asRole('commands').get('/v1/audit/events')).status).toBe(403);
      expect((await ledger.asRole('introspect').get(`/v1/audit/consents/${gen1}/history`)).status).toBe(403);
      expect((await ledger.asRole(undefined).get('/v1/audit/users/alice/consents')).status).toBe(401);
    });

    it('is listed in the OpenAPI document under audit', async () => {
      const paths = Object.keys((await ledger.http.get('/docs-json')).body.paths);
      expect(paths).toEqual(expect.arrayContaining(['/v1/audit/events', '/v1/audit/consents/{id}/history', '/v1/audit/users/{userId}/consents']));
    });
  });

  describe('tamper evidence on the embedded store (edits made directly in events.db)', () => {
    let events: StoredEvent[];
    let sealed: string;
    const copies: string[] = [];

    beforeAll(async () => {
      events = await ledger.events();
      await ledger.close();
      sealed = mkdtempSync(join(tmpdir(), 'ledger-sealed-'));
      copyFileSync(join(data.dir, 'events.db'), join(sealed, 'events.db'));
      // Closed cleanly, so everything is in events.db itself and the copy is the whole ledger.
      expect(existsSync(join(data.dir, 'events.db-wal')) && statSync(join(data.dir, 'events.db-wal')).size > 0).toBe(false);
      ledger = await startLedger({ dataDir: data.dir });
    });
    afterAll(() => {
      for (const dir of [sealed, ...copies]) rmSync(dir, { recursive: true, force: true });
    });

    /** A copy of the sealed ledger, changed by `tamper` below the store, as an attacker with file access would. */
    function tampered(tamper: (db: Database.Database) => void): string {
      const dir = mkdtempSync(join(tmpdir(), 'ledger-tampered-'));
      copies.push(dir);
      copyFileSync(join(sealed, 'events.db'), join(dir, 'events.db'));
      const db = new Database(join(dir, 'events.db'));
      tamper(db);
      db.close();
      return dir;
    }

    async function verifyDir(dir: string) {
      const store = new SqliteEventStore({ file: join(dir, 'events.db') });
      try {
        return await verifyLedger(store.readAll(), { gapFreePositions: true });
      } finally {
        await store.close();
      }
    }

    it('the untouched ledger verifies, through the CLI too (exit 0), and prints its head anchor', async () => {
      expect((await verifyDir(sealed)).ok).toBe(true);
      const run = await runLedgerCli(['audit', 'verify', '--data-dir', sealed]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('OK');
      expect(run.stdout).toMatch(new RegExp(`Head anchor .*: ${events.length}:[0-9a-f]{64}`));
    });

    it('an edited event is named (data changed in place)', async () => {
      const victim = events.find((e) => e.type === 'ConsentScopesRevoked')!;
      const dir = tampered((db) => db.prepare("UPDATE events SET data = json_set(data, '$.reason', 'nothing to see') WHERE position = ?").run(victim.position));
      const result = await verifyDir(dir);
      expect(result.ok).toBe(false);
      expect(result.problems[0]).toMatchObject({ kind: 'altered', position: victim.position, stream: victim.stream, revision: victim.revision, id: victim.id });

      const run = await runLedgerCli(['audit', 'verify', '--data-dir', dir]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`FAILED: altered`);
      expect(run.stdout).toContain(`position ${victim.position}, stream ${victim.stream}, revision ${victim.revision}, id ${victim.id}`);
    });

    it('an edited attribution is named (metadata changed in place)', async () => {
      const victim = events.find((e) => e.type === 'TokenRevoked')!;
      const dir = tampered((db) => db.prepare("UPDATE events SET metadata = json_set(metadata, '$.actor', 'someone-else') WHERE position = ?").run(victim.position));
      expect((await verifyDir(dir)).problems[0]).toMatchObject({ kind: 'altered', position: victim.position, id: victim.id });
    });

    it('a deleted event is named by its position, stream and revision', async () => {
      const victim = events.find((e) => e.type === 'TokenRevoked')!;
      const dir = tampered((db) => db.prepare('DELETE FROM events WHERE position = ?').run(victim.position));
      const [first] = (await verifyDir(dir)).problems;
      expect(first).toMatchObject({ kind: 'missing_position', position: victim.position + 1 });
      expect(first.message).toContain(`position ${victim.position} is missing`);
      expect(first.message).toContain(`stream ${victim.stream}, revision ${victim.revision}`);
    });

    it('the deleted last event of a stream is still caught by the gap in global positions', async () => {
      const victim = events.find((e) => e.stream === 'client-audit-other')!;
      const dir = tampered((db) => db.prepare('DELETE FROM events WHERE position = ?').run(victim.position));
      expect((await verifyDir(dir)).problems[0]).toMatchObject({ kind: 'missing_position', message: expect.stringContaining(`position ${victim.position} is missing`) });
    });

    it('reordered events of a stream are named', async () => {
      const [a, b] = events.filter((e) => e.data.consentId === gen1 && e.type === 'TokenIssued');
      const dir = tampered((db) =>
        db.transaction(() => {
          db.prepare('UPDATE events SET position = -1 WHERE position = ?').run(a.position);
          db.prepare('UPDATE events SET position = ? WHERE position = ?').run(a.position, b.position);
          db.prepare('UPDATE events SET position = ? WHERE position = -1').run(b.position);
        })(),
      );
      const [first] = (await verifyDir(dir)).problems;
      expect(first).toMatchObject({ kind: 'reordered', position: a.position, stream: a.stream, revision: b.revision, id: b.id });
    });

    it('events swapped in place (content moved to the other revision) are named', async () => {
      const [a, b] = events.filter((e) => e.data.consentId === gen1 && e.type === 'TokenIssued');
      const dir = tampered((db) =>
        db.transaction(() => {
          const row = (p: number) => db.prepare('SELECT id, data, metadata FROM events WHERE position = ?').get(p) as { id: string; data: string; metadata: string };
          const ra = row(a.position);
          const rb = row(b.position);
          db.prepare("UPDATE events SET id = 'tmp' WHERE position = ?").run(a.position);
          db.prepare('UPDATE events SET id = ?, data = ?, metadata = ? WHERE position = ?').run(ra.id, ra.data, ra.metadata, b.position);
          db.prepare('UPDATE events SET id = ?, data = ?, metadata = ? WHERE position = ?').run(rb.id, rb.data, rb.metadata, a.position);
        })(),
      );
      expect((await verifyDir(dir)).problems[0]).toMatchObject({ kind: 'altered', position: a.position, revision: a.revision, id: b.id });
    });

    it('a truncation of the newest events is caught against a recorded anchor', async () => {
      const anchor = (await runLedgerCli(['audit', 'verify', '--data-dir', sealed, '--json'])).stdout;
      const { head } = JSON.parse(anchor);
      const last = events[events.length - 1];
      const dir = tampered((db) => db.prepare('DELETE FROM events WHERE position = ?').run(last.position));
      expect((await runLedgerCli(['audit', 'verify', '--data-dir', dir])).code).toBe(0); // alone, it cannot tell
      const run = await runLedgerCli(['audit', 'verify', '--data-dir', dir, '--anchor', `${head.count}:${head.digest}`]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('anchor_mismatch');
    });
  });

  describe('export and import through the CLI', () => {
    it('an export imported into an empty store rebuilds identical views and passes verify', async () => {
      const exported = await runLedgerCli(['audit', 'export', '--data-dir', data.dir]);
      expect(exported.code).toBe(0);
      const live = await storedEvents();
      expect(exported.stdout.trim().split('\n')).toHaveLength(live.length);

      const target = tempDataDir();
      try {
        const imported = await runLedgerCli(['audit', 'import', '--data-dir', target.dir], { stdin: exported.stdout });
        expect({ code: imported.code, stderr: imported.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`imported ${live.length} events`) });
        expect((await runLedgerCli(['audit', 'verify', '--data-dir', target.dir])).code).toBe(0);

        // Same events, byte for byte: ids, streams, revisions, data, metadata, recordedAt, positions.
        const store = new SqliteEventStore({ file: join(target.dir, 'events.db') });
        const copy: StoredEvent[] = [];
        for await (const e of store.readAll()) copy.push(e);
        await store.close();
        expect(copy).toEqual(live);

        // The service started on the imported store rebuilds exactly the same views.
        // A restore brings the subject key store with it (kept apart from the data directory: docs/privacy.md).
        const rebuilt = await startLedger({ dataDir: target.dir, env: subjectKeysOf(data.dir) });
        try {
          await rebuilt.projection.waitFor(await rebuilt.store.headPosition());
          await waitUntil(() => rebuilt.projection.status().caughtUp, { timeoutMs: 15_000 });
          expect(rebuilt.views.snapshot()).toEqual(ledger.views.snapshot());
        } finally {
          await rebuilt.close();
        }

        // A store that holds anything is refused.
        const again = await runLedgerCli(['audit', 'import', '--data-dir', target.dir], { stdin: exported.stdout });
        expect(again.code).toBe(3);
        expect(again.stderr).toContain('not empty');
      } finally {
        target.remove();
      }
    });

    it('replays a user as of an instant, exports a slice, and reports usage errors with exit code 2', async () => {
      const replay = await runLedgerCli(['audit', 'replay', '--data-dir', data.dir, '--user', 'alice', '--at', new Date().toISOString(), '--json'], { env: { LEDGER_SECRETS_DIR: secretsDirFor(data.dir) } });
      expect(replay.code).toBe(0);
      const live = (await ledger.http.get('/v1/users/alice/consents?status=all')).body.consents;
      expect(JSON.parse(replay.stdout).consents).toEqual(live);

      const slice = await runLedgerCli(['audit', 'export', '--data-dir', data.dir, '--consent', gen2]);
      expect(slice.stdout.trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['ConsentGranted', 'TokenIssued']);

      for (const args of [['audit', 'replay', '--data-dir', data.dir, '--user', 'alice'], ['audit', 'replay', '--user', 'alice', '--at', 'soon'], ['audit', 'frobnicate'], ['audit', 'verify', '--bogus']]) {
        expect((await runLedgerCli(args)).code).toBe(2);
      }
      const empty = tempDataDir();
      try {
        expect((await runLedgerCli(['audit', 'import', '--data-dir', empty.dir], { stdin: '{"not":"an event"}\n' })).code).toBe(2);
      } finally {
        empty.remove();
      }
      expect((await runLedgerCli(['audit', 'verify', '--data-dir', join(data.dir, 'no-such-dir')])).code).toBe(3);
      expect((await runLedgerCli(['--help'])).stdout).toContain('Exit codes');
    });
  });
});
