import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainedEventStore } from '@ledger/audit';
import { CommandExecutor } from '@ledger/commands';
import { CommandMetadata, EVENT_VERSIONS, clientDecider, clientStream, consentDecider, consentStreamFor, userDecider, userRevocationsOf, userStream } from '@ledger/domain';
import { SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { ProjectionRunner, ViewStore } from '@ledger/projections';
import { waitUntil } from '@ledger/testing';
import { USER_REVOCATION_FAN_OUT_CHECKPOINT, UserRevocationFanOut } from './revoke-user-consents.fan-out';

/**
 * The fan-out on the real parts: an embedded store, the chained executor, the projection and its views. What it must
 * do: revoke each consent the user had once, from the log; nothing twice when it runs again from an older checkpoint;
 * and also a consent granted on the user's state from before the revocation but appended after it.
 */
describe('UserRevocationFanOut (real SQLite store, executor and views)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let views: ViewStore;
  let projection: ProjectionRunner;
  let executor: CommandExecutor;
  const fanOuts: UserRevocationFanOut[] = [];
  const meta = (reason?: string): CommandMetadata => ({ now: new Date(), actor: 'frontend', correlationId: `req-${Math.random()}`, initiator: 'user', ...(reason ? { reason } : {}) });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fan-out-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 10 });
    views = new ViewStore(join(dir, 'views.db'));
    projection = new ProjectionRunner(store, views);
    projection.start();
    executor = new CommandExecutor(new ChainedEventStore(store), projection);
    for (const clientId of ['app-1', 'app-2', 'app-3']) {
      await executor.execute(clientStream(clientId), clientDecider, { type: 'RegisterClient', data: { clientId, name: clientId } }, meta());
    }
  });
  afterEach(async () => {
    for (const f of fanOuts.splice(0)) await f.stop();
    await projection.stop();
    await store.close();
    await views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const fanOut = () => {
    const f = new UserRevocationFanOut(store, store, executor, projection, views.consents, views.users);
    fanOuts.push(f);
    f.start();
    return f;
  };
  const grant = async (userId: string, clientId: string, userRevocations?: number) => {
    const { state: client } = await executor.load(clientStream(clientId), clientDecider);
    const { state: user } = await executor.load(userStream(userId), userDecider);
    await executor.execute(consentStreamFor(userId, clientId), consentDecider, {
      type: 'GrantConsent',
      data: { userId, clientId, scopes: ['openid'] },
      context: { client, userRevocations: userRevocations ?? userRevocationsOf(user) },
    }, meta());
  };
  const revokeAll = async (userId: string, reason?: string) => {
    await projection.caughtUp();
    const activeConsents = views.consents.consentsByUser(userId, 'active').map(({ consentId, afterUserRevocation }) => ({ consentId, afterUserRevocation }));
    return executor.execute(userStream(userId), userDecider, { type: 'RevokeUserConsents', data: { userId }, context: { activeConsents } }, meta(reason), { priority: 'revocation' });
  };
  const log = async () => {
    const out: StoredEvent[] = [];
    for await (const e of store.readAll()) out.push(e);
    return out;
  };
  const revokedConsents = async () => (await log()).filter((e) => e.type === 'ConsentRevoked').map((e) => e.data.consentId as string);

  it('revokes each consent of the user once, with the revocation as its cause, and leaves other users alone', async () => {
    for (const c of ['app-1', 'app-2', 'app-3']) await grant('alice', c);
    await grant('bob', 'app-1');
    const f = fanOut();
    const { events } = await revokeAll('alice', 'account deleted');
    expect(events).toHaveLength(1);
    await waitUntil(() => views.consents.consentsByUser('alice', 'active').length === 0, { what: 'the fan-out' });
    expect(await f.flush()).toBe(true);
    const cause = (await log()).find((e) => e.type === 'UserConsentsRevoked')!;
    const fanned = (await log()).filter((e) => e.type === 'ConsentRevoked');
    expect(fanned).toHaveLength(3);
    for (const e of fanned) {
      expect(e.data).toMatchObject({ userId: 'alice', userRevocation: 1, reason: 'account deleted' });
      expect(e.metadata).toMatchObject({ actor: 'frontend', correlationId: cause.metadata.correlationId, causationId: cause.id, initiator: 'user', reason: 'account deleted' });
    }
    expect(views.consents.consentsByUser('bob', 'active')).toHaveLength(1);
    // The checkpoint passes the revocation once its fan-out is done (written at most every 250 ms).
    await waitUntil(async () => ((await store.load(USER_REVOCATION_FAN_OUT_CHECKPOINT)) ?? -1) >= cause.position, { what: 'the checkpoint' });
  });

  it('run again from the start of the log (a crash before its checkpoint), appends nothing more', async () => {
    for (const c of ['app-1', 'app-2']) await grant('alice', c);
    await revokeAll('alice');
    const first = fanOut();
    await waitUntil(async () => (await revokedConsents()).length === 2, { what: 'the first fan-out' });
    await first.stop();
    await store.save(USER_REVOCATION_FAN_OUT_CHECKPOINT, -1);
    const cause = (await log()).find((e) => e.type === 'UserConsentsRevoked')!;
    const again = fanOut();
    await waitUntil(async () => ((await store.load(USER_REVOCATION_FAN_OUT_CHECKPOINT)) ?? -1) >= cause.position, { what: 'the second run past the revocation' });
    expect(await again.flush()).toBe(true);
    // Met again from the start, the grants before the revocation are its fan-out's, not late ones: no other cause.
    for (const e of (await log()).filter((x) => x.type === 'ConsentRevoked')) expect(e.metadata.causationId).toBe(cause.id);
    expect((await revokedConsents()).sort()).toEqual((await log()).filter((e) => e.type === 'ConsentGranted').map((e) => e.data.consentId).sort());
  });

  it('revokes a consent appended after the revocation but decided on the user state before it', async () => {
    await grant('alice', 'app-1');
    await revokeAll('alice');
    // A GrantConsent that read the user's stream before the revocation (0 revocations) and appended after it.
    await grant('alice', 'app-2', 0);
    // And one decided after it: that consent is the user's new one, and stays.
    await grant('alice', 'app-3');
    fanOut();
    await waitUntil(async () => (await revokedConsents()).length === 2, { what: 'the fan-out' });
    expect(views.consents.consentsByUser('alice', 'active').map((c) => c.clientId)).toEqual(['app-3']);
    // Both carry the revocation out, with it as the cause, whichever path found them.
    const cause = (await log()).find((e) => e.type === 'UserConsentsRevoked')!;
    for (const e of (await log()).filter((x) => x.type === 'ConsentRevoked')) expect(e.metadata.causationId).toBe(cause.id);
  });

  it('caughtUp waits for the last ledger event, also when the head of the log is another kind (a lease renewal)', async () => {
    await grant('carol', 'app-1');
    const appended = await store.append('lease-x', [{ type: 'LeaseRenewed', data: {}, metadata: { actor: 't', correlationId: 'c' } }], { expectedRevision: 'any' });
    // Views of a second instance that has not started yet.
    const otherViews = new ViewStore(join(dir, 'other-views.db'));
    const other = new ProjectionRunner(store, otherViews);
    try {
      let caughtUp = false;
      const waiting = other.caughtUp(5_000).then(() => (caughtUp = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(caughtUp).toBe(false);
      other.start();
      await waiting;
      expect(other.status().position).toBe(appended.position - 1);
    } finally {
      await other.stop();
      await otherViews.close();
    }
  });
  it('stops at a user-stream event this build cannot read, rather than passing it with its checkpoint', async () => {
    await grant('alice', 'app-1');
    await revokeAll('alice');
    const [revocation] = (await log()).filter((e) => e.type === 'UserConsentsRevoked');
    // A build that does not know the type, met with the event (a newer build's kind of user-wide revocation, say).
    const { UserConsentsRevoked: _dropped, ...known } = EVENT_VERSIONS;
    const older = new UserRevocationFanOut(store, store, executor, projection, views.consents, views.users, { knownEvents: known });
    await expect(older.deliver([revocation])).rejects.toThrow(`its type UserConsentsRevoked is unknown to this build`);
    expect(await revokedConsents()).toEqual([]);
  });
});
