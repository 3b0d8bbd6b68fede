import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consentIdFor, consentStreamFor, pairKey } from '@ledger/domain';
import { SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { auditEntry, consentHistory, consentsAsOf, exportEvents, ExportFilter } from './audit-queries';

/**
 * The audit queries over a real SQLite store, on a clock the test moves: a minute per event from T0, so that the
 * event at position p is recorded at T0 + p minutes.
 */
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const minute = (n: number) => new Date(T0 + n * 60_000);

const ANN_A = consentIdFor(pairKey('ann', 'app-a'), 1);
const ANN_A2 = consentIdFor(pairKey('ann', 'app-a'), 2);
const ANN_B = consentIdFor(pairKey('ann', 'app-b'), 1);
const BEN_A = consentIdFor(pairKey('ben', 'app-a'), 1);

describe('audit queries over the event-store port', () => {
  let dir: string;
  let store: SqliteEventStore;
  let clock = 0;

  const append = (stream: string, type: string, data: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
    store.append(stream, [{ type, data, metadata: { actor: 'frontend', correlationId: `req-${clock}`, ...metadata } }], { expectedRevision: 'any' });
  const grant = (userId: string, clientId: string, consentId: string) =>
    append(consentStreamFor(userId, clientId), 'ConsentGranted', { consentId, userId, clientId, scopes: ['openid'], grantedAt: minute(clock).toISOString() });
  const revoke = (userId: string, clientId: string, consentId: string) =>
    append(consentStreamFor(userId, clientId), 'ConsentRevoked', { consentId, userId, clientId, revokedScopes: ['openid'], endedTokens: [], revokedAt: minute(clock).toISOString(), reason: null }, { reason: 'user asked' });

  /**
   * 0 client app-a registered, 1 ann/app-a granted, 2 ben/app-a granted, 3 ann/app-b granted, 4 ann/app-a revoked,
   * 5 ann/app-a granted again (generation 2), 6 an event of another kind of stream that names ann.
   */
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-audit-'));
    clock = 0;
    store = new SqliteEventStore({ file: join(dir, 'events.db'), now: () => minute(clock++) });
    await append('client-app-a', 'ClientRegistered', { clientId: 'app-a', name: 'A', allowedScopes: null, termsUrl: null, registeredAt: minute(0).toISOString() });
    await grant('ann', 'app-a', ANN_A);
    await grant('ben', 'app-a', BEN_A);
    await grant('ann', 'app-b', ANN_B);
    await revoke('ann', 'app-a', ANN_A);
    await grant('ann', 'app-a', ANN_A2);
    await append('note-ann', 'ConsentGranted', { consentId: 'cns_note', userId: 'ann', clientId: 'app-a', scopes: ['openid'], grantedAt: minute(6).toISOString() });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const exported = async (filter?: ExportFilter) => {
    const positions: number[] = [];
    for await (const e of exportEvents(store, filter)) positions.push(e.position);
    return positions;
  };

  describe('exportEvents', () => {
    it('exports the whole log in order by default', async () => {
      expect(await exported()).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(await exported({})).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });

    it('bounds positions inclusively at both ends', async () => {
      expect(await exported({ fromPosition: 2, toPosition: 4 })).toEqual([2, 3, 4]);
      expect(await exported({ fromPosition: 0, toPosition: 0 })).toEqual([0]);
      expect(await exported({ fromPosition: 1 })).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('bounds recordedAt inclusively at both ends', async () => {
      expect(await exported({ from: minute(2), to: minute(4) })).toEqual([2, 3, 4]);
      expect(await exported({ from: minute(5) })).toEqual([5, 6]);
      expect(await exported({ to: minute(1) })).toEqual([0, 1]);
    });

    it('keeps one user, on consent streams only', async () => {
      expect(await exported({ userId: 'ann' })).toEqual([1, 3, 4, 5]);
    });

    it('keeps one client', async () => {
      expect(await exported({ clientId: 'app-b' })).toEqual([3]);
    });

    it('keeps one user with one client, every generation of the pair', async () => {
      expect(await exported({ userId: 'ann', clientId: 'app-a' })).toEqual([1, 4, 5]);
    });

    it('keeps one consent, not the other generations of its pair', async () => {
      expect(await exported({ consentId: ANN_A })).toEqual([1, 4]);
      expect(await exported({ consentId: ANN_A2 })).toEqual([5]);
    });

    it("keeps one consent from its own stream only, as consentHistory reads it: an event elsewhere that names it is not the consent's", async () => {
      await append('note-ann', 'ConsentRevoked', { consentId: ANN_A, userId: 'ann', clientId: 'app-a' });
      expect(await exported({ consentId: ANN_A })).toEqual([1, 4]);
    });

    it('combines a consent with other filters', async () => {
      expect(await exported({ consentId: ANN_A, userId: 'ben' })).toEqual([]);
      expect(await exported({ consentId: ANN_A, clientId: 'app-a', toPosition: 3 })).toEqual([1]);
    });

    it('exports nothing for a malformed consent id, even one that an event outside the consent streams carries', async () => {
      expect(await exported({ consentId: 'cns_nope' })).toEqual([]);
      expect(await exported({ consentId: 'cns_note' })).toEqual([]);
    });
  });

  describe('consentHistory', () => {
    it("is one consent's events, in stream order, with attribution", async () => {
      const history = await consentHistory(store, ANN_A);
      expect(history?.map((e) => [e.position, e.revision, e.type])).toEqual([
        [1, 0, 'ConsentGranted'],
        [4, 1, 'ConsentRevoked'],
      ]);
      expect(history?.[1].attribution).toEqual({ actor: 'frontend', initiator: null, initiatorAsserted: false, correlationId: 'req-4', clientRequestId: null, causationId: null, reason: 'user asked' });
    });

    it('is undefined for a consent that never existed, or a malformed id', async () => {
      expect(await consentHistory(store, consentIdFor(pairKey('cy', 'app-a'), 1))).toBeUndefined();
      expect(await consentHistory(store, consentIdFor(pairKey('ann', 'app-a'), 3))).toBeUndefined();
      expect(await consentHistory(store, 'cns_nope')).toBeUndefined();
    });
  });

  describe('consentsAsOf', () => {
    it("replays the user's consent streams from the log up to the instant", async () => {
      const { consents, position } = await consentsAsOf(store, 'ann', minute(3));
      expect(consents.map((c) => [c.consentId, c.status])).toEqual([
        [ANN_A, 'active'],
        [ANN_B, 'active'],
      ]);
      expect(position).toBe(3);
    });

    it('from named streams gives the same answer', async () => {
      const streams = [consentStreamFor('ann', 'app-a'), consentStreamFor('ann', 'app-b')];
      const byStream = await consentsAsOf(store, 'ann', minute(4), streams);
      expect(byStream.consents.map((c) => [c.consentId, c.status])).toEqual([
        [ANN_A, 'revoked'],
        [ANN_B, 'active'],
      ]);
      expect(byStream).toEqual(await consentsAsOf(store, 'ann', minute(4)));
    });

    it("reads only the user's own events: another user's later event moves no position", async () => {
      expect((await consentsAsOf(store, 'ben', minute(9))).position).toBe(2);
      expect((await consentsAsOf(store, 'ben', minute(9), [consentStreamFor('ben', 'app-a'), consentStreamFor('ann', 'app-a')])).position).toBe(2);
    });

    it('scanning the log, replays consent streams only', async () => {
      const { consents, position } = await consentsAsOf(store, 'ann', minute(9));
      expect(consents.map((c) => c.consentId)).toEqual([ANN_A, ANN_B, ANN_A2]);
      expect(position).toBe(5);
    });

    it('knows nothing before the first event', async () => {
      expect(await consentsAsOf(store, 'ann', new Date(T0 - 1))).toEqual({ consents: [], position: -1, dependents: [] });
    });
  });

  describe('auditEntry', () => {
    const event = (metadata: Record<string, unknown>, data: Record<string, unknown> = {}): StoredEvent => ({
      id: 'e1', type: 'TokenRevoked', stream: 'consent-x', revision: 3, position: 9, recordedAt: minute(9).toISOString(), data,
      metadata: { actor: 'admin-console', correlationId: 'req-9', ...metadata },
    });

    it('carries the event and its full attribution', () => {
      const link = 'c'.repeat(64);
      const metadata = { initiator: 'admin', initiatorAsserted: true, clientRequestId: 'theirs-1', causationId: 'cmd-1', reason: 'lost device', chain: link };
      expect(auditEntry(event(metadata, { tokenId: 'tok_1' }))).toEqual({
        position: 9, stream: 'consent-x', revision: 3, id: 'e1', type: 'TokenRevoked', recordedAt: minute(9).toISOString(), data: { tokenId: 'tok_1' },
        attribution: { actor: 'admin-console', initiator: 'admin', initiatorAsserted: true, correlationId: 'req-9', clientRequestId: 'theirs-1', causationId: 'cmd-1', reason: 'lost device' },
        link,
      });
    });

    it('takes the reason from the data when the metadata has none, and says null for what is absent', () => {
      expect(auditEntry(event({}, { reason: 'policy' })).attribution).toEqual({
        actor: 'admin-console', initiator: null, initiatorAsserted: false, correlationId: 'req-9', clientRequestId: null, causationId: null, reason: 'policy',
      });
      // Only a boolean true and a string count: anything else in the metadata is read as absent.
      expect(auditEntry(event({ initiatorAsserted: 'yes', clientRequestId: 5 })).attribution).toMatchObject({ initiatorAsserted: false, clientRequestId: null });
      expect(auditEntry(event({}, { reason: null })).attribution.reason).toBeNull();
      expect(auditEntry(event({ reason: 7 }, { reason: 8 })).attribution.reason).toBeNull();
      expect(auditEntry(event({ chain: 'not a link' })).link).toBeNull();
    });
  });
});
