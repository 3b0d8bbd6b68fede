import { join } from 'node:path';
import { SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { waitUntil } from '@ledger/testing';
import { httpClient, ledgerSteps, tempDataDir, TEST_API_KEYS } from './support/ledger-app';
import { freePort, LedgerProcess, spawnLedger } from './support/ledger-process';
import { PushReceiver } from './support/ssf-push-receiver';

/**
 * RFC 8935 push is at least once across a crash: the built service (npm run build first) is SIGKILLed while the
 * receiver holds a POST unanswered, after the revocations were appended and some SETs were taken (202) but before
 * the push worker recorded them. Restarted, it pushes from the stream's checkpoint: every SET arrives, the ones taken
 * before the crash again (the receiver dedupes by jti), none lost.
 */
describe('SSF push survives SIGKILL between append and push', () => {
  const RECEIVER = { name: 'partner', secret: 'partner-receiver-secret-0123456789' };
  const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
  const REVOCATIONS = 5;
  const TAKEN_BEFORE_CRASH = 2;
  let data: ReturnType<typeof tempDataDir>;
  let receiver: PushReceiver;
  const running: LedgerProcess[] = [];
  beforeAll(() => {
    data = tempDataDir();
  });
  afterAll(async () => {
    for (const p of running) await p.kill();
    await receiver?.stop();
    data.remove();
  });

  async function readLog(): Promise<StoredEvent[]> {
    const store = new SqliteEventStore({ file: join(data.dir, 'events.db') });
    const out: StoredEvent[] = [];
    for await (const e of store.readAll()) out.push(e);
    await store.close();
    return out;
  }

  it('delivers every SET after the restart, at least once', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    receiver = new PushReceiver(await freePort(), { issuer, audience: RECEIVER.name });
    await receiver.start();
    const env = {
      LEDGER_API_KEYS: `${TEST_API_KEYS},${RECEIVER.name}:receiver:${RECEIVER.secret}`,
      LEDGER_ISSUER: issuer,
      LEDGER_SSF_RECEIVERS: 'partner=*',
      LEDGER_SSF_PUSH_ALLOW: `http://127.0.0.1:${receiver.port}`,
      LEDGER_SSF_PUSH_BACKOFF_BASE_MS: '20',
      LEDGER_SSF_PUSH_BACKOFF_MAX_MS: '200',
    };
    const first = await spawnLedger({ dataDir: data.dir, port, env });
    running.push(first);
    receiver.use(`${issuer}/.well-known/ssf-jwks.json`);
    const partner = httpClient(first.url, { authorization: `Bearer ${RECEIVER.secret}` });
    const created = await partner.post('/v1/ssf/streams', { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url, authorization_header: 'Bearer crash-test' }, events_requested: [SESSION_REVOKED] });
    expect(created.status).toBe(201);
    const streamId = created.body.stream_id as string;
    expect((await partner.post('/v1/ssf/subjects/add', { stream_id: streamId, subject: { format: 'opaque', id: 'alice' } })).status).toBe(200);
    const steps = ledgerSteps(first.http);
    // One consent per client (a user has one consent with a client).
    const consents: string[] = [];
    for (let i = 0; i < REVOCATIONS; i++) {
      expect((await steps.registerClient(`app-${i}`, ['openid'])).status).toBe(201);
      consents.push((await steps.grant('alice', `app-${i}`, ['openid'])).body.id);
    }

    // Take the first SETs, then hold the next POST: it is in flight, unanswered, when the process dies.
    let answered = 0;
    receiver.answer = () => (answered++ < TAKEN_BEFORE_CRASH ? { status: 202 } : 'hold');
    for (const id of consents) expect((await steps.revoke(id)).status).toBe(200);
    await waitUntil(() => receiver.attempts.length > TAKEN_BEFORE_CRASH, { what: 'a POST held by the receiver' });
    await first.kill();

    const cut = await readLog();
    const revoked = cut.filter((e) => e.type === 'ConsentRevoked');
    expect(revoked).toHaveLength(REVOCATIONS);
    // The worker records what was taken in batches (docs/ssf.md): what it had not recorded yet comes again.
    const recorded = new Set(cut.filter((e) => e.type === 'SsfSetsAcknowledged' && e.data.streamId === streamId).flatMap((e) => e.data.positions as number[]));
    const takenUnrecorded = receiver.accepted.filter((s) => !recorded.has(s.claims.log_position)).map((s) => s.jti);
    expect(receiver.accepted).toHaveLength(TAKEN_BEFORE_CRASH);
    expect(takenUnrecorded.length).toBeGreaterThan(0);
    receiver.answer = () => ({ status: 202 });
    const second = await spawnLedger({ dataDir: data.dir, port, env });
    running.push(second);
    const wanted = new Set(revoked.map((e) => `${streamId}-${e.position}`));
    await waitUntil(() => [...wanted].every((jti) => receiver.unique().some((s) => s.jti === jti)), { what: 'every SET after the restart', timeoutMs: 20_000 });
    const received = receiver.unique().filter((s) => wanted.has(s.jti));
    expect(received.map((s) => s.claims.txn)).toEqual(revoked.map((e) => e.id));
    // At least once: the SETs taken but not recorded before the crash came again; deduped by jti, each is there once.
    for (const jti of takenUnrecorded) expect(receiver.accepted.filter((s) => s.jti === jti).length).toBeGreaterThanOrEqual(2);
    // Recorded now, so a later start sends them no more.
    await waitUntil(async () => {
      const status = await second.http.get('/health/live');
      return status.status === 200 && (await readLog()).some((e) => e.type === 'SsfSetsAcknowledged' && e.data.streamId === streamId && (e.data.positions as number[]).includes(revoked[REVOCATIONS - 1].position));
    }, { what: 'the acknowledgement recorded' });
    expect(await second.stop()).toBe(0);
  });
});
