import { join } from 'node:path';
import { verifyLedger } from '@ledger/audit';
import { SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { waitUntil } from '@ledger/testing';
import { uid } from './support/consent-fixtures';
import { ledgerSteps, tempDataDir } from './support/ledger-app';
import { readOpenedLog } from './support/opened-log';
import { LedgerProcess, spawnLedger } from './support/ledger-process';

/**
 * The fan-out of a user-wide revocation, cut short by SIGKILL at a deterministic point, completes exactly once after
 * a restart: the built service (npm run build first) with LEDGER_FAULT_AFTER_FANOUT=3 kills itself right after its
 * third ConsentRevoked, before its checkpoint can pass the revocation; the next start resumes from the checkpoint.
 */
describe('A user-wide revocation survives SIGKILL in the middle of its fan-out', () => {
  const CONSENTS = 8;
  const FAULT_AFTER = 3;
  let data: ReturnType<typeof tempDataDir>;
  const running: LedgerProcess[] = [];
  beforeAll(() => {
    data = tempDataDir();
  });
  afterAll(async () => {
    for (const p of running) await p.kill();
    data.remove();
  });

  const readLog = () => readOpenedLog(data.dir);
  const ofUser = (events: StoredEvent[], userId: string, type: string) => events.filter((e) => e.type === type && e.data.userId === userId);

  it('revokes each consent once: three before the crash, the rest after the restart, and the chain verifies', async () => {
    const user = `crash-${uid()}`;
    const bystander = `bystander-${uid()}`;
    const first = await spawnLedger({ dataDir: data.dir, env: { LEDGER_FAULT_AFTER_FANOUT: String(FAULT_AFTER) } });
    running.push(first);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => first.child.once('exit', (_code, signal) => resolve(signal)));
    const steps = ledgerSteps(first.http);
    const tokens: string[] = [];
    for (let i = 0; i < CONSENTS; i++) {
      const clientId = `crash-app-${i}`;
      expect((await steps.registerClient(clientId)).status).toBe(201);
      const consent = await steps.grant(user, clientId, ['openid']);
      expect(consent.status).toBe(201);
      tokens.push((await steps.issue(consent.body.id)).body.access_token);
    }
    const other = await steps.grant(bystander, 'crash-app-0', ['openid']);
    const otherToken = (await steps.issue(other.body.id)).body.access_token;

    // The answer races the fan-out, which kills the process: it may or may not arrive.
    await first.http.post(`/v1/users/${user}/revoke`, { reason: 'account deleted' }).catch(() => undefined);
    expect(await exited).toBe('SIGKILL');

    const cut = await readLog();
    expect(ofUser(cut, user, 'UserConsentsRevoked')).toHaveLength(1);
    expect(ofUser(cut, user, 'ConsentRevoked')).toHaveLength(FAULT_AFTER);

    const second = await spawnLedger({ dataDir: data.dir });
    running.push(second);
    const again = ledgerSteps(second.http);
    // Introspection answers from the user-wide event, whatever the fan-out has done.
    for (const t of tokens) expect((await again.introspect(t)).body.active).toBe(false);
    expect((await again.introspect(otherToken)).body.active).toBe(true);
    await waitUntil(async () => (await second.http.get(`/v1/users/${user}/consents?status=active`)).body.consents.length === 0, { what: 'the resumed fan-out', timeoutMs: 20_000 });
    const all = (await second.http.get(`/v1/users/${user}/consents?status=all`)).body.consents;
    expect(all.map((c: { status: string }) => c.status)).toEqual(Array(CONSENTS).fill('revoked'));
    // Asked again after the restart: nothing left to end, nothing appended.
    expect((await second.http.post(`/v1/users/${user}/revoke`)).body).toMatchObject({ revocations: 1, consentsEnded: 0 });
    expect(await second.stop()).toBe(0);

    const events = await readLog();
    expect(ofUser(events, user, 'UserConsentsRevoked')).toHaveLength(1);
    const revoked = ofUser(events, user, 'ConsentRevoked');
    expect(revoked).toHaveLength(CONSENTS);
    expect(new Set(revoked.map((e) => e.data.consentId)).size).toBe(CONSENTS);
    expect(revoked.every((e) => e.data.userRevocation === 1 && e.metadata.causationId === ofUser(events, user, 'UserConsentsRevoked')[0].id)).toBe(true);
    expect(ofUser(events, bystander, 'ConsentRevoked')).toEqual([]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const store = new SqliteEventStore({ file: join(data.dir, 'events.db') });
    try {
      expect(await verifyLedger(store.readAll(), { gapFreePositions: true })).toMatchObject({ ok: true });
    } finally {
      await store.close();
    }
  }, 120_000);
});
