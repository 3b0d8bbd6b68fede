import type { StoredEvent } from '@ledger/event-store';
import { ConsentsAsOf } from './as-of';
import { GENESIS_LINK, linkEvents } from './chain';
import { verifyLedger } from './verify';

/**
 * recordedAt against the chained command time: verify (recorded-at-check.ts) and as-of (as-of.ts). The events are
 * linked exactly as the first chain version links them, with no field added since: old ledgers keep verifying.
 */
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const ref = { consentId: 'cns_p_1', userId: 'ann', clientId: 'app' };

/** [stream, type, data, command time, recordedAt - command time]: a consent stream, and a lease event that carries no time. */
function ledger(rows: Array<[string, string, Record<string, unknown>, number, number]>): StoredEvent[] {
  const heads: Record<string, { revision: number; link: string }> = {};
  return rows.map(([stream, type, data, decided, recordedLate], position) => {
    const head = (heads[stream] ??= { revision: -1, link: GENESIS_LINK });
    const draft = { id: `e${position}`, type, data, metadata: { actor: 't', correlationId: `c${position}`, initiator: 'user' as const } };
    const { events, lastLink } = linkEvents(stream, head.revision + 1, head.link, [draft]);
    head.revision += 1;
    head.link = lastLink;
    return { ...events[0], stream, revision: head.revision, position, recordedAt: iso(decided + recordedLate) };
  });
}

const history = () =>
  ledger([
    ['consent-p', 'ConsentGranted', { ...ref, scopes: ['openid', 'email'], grantedAt: iso(T0) }, T0, 3],
    ['$lease', 'LeaseAcquired', { holder: 'a', term: 1 }, T0 + 6, 0],
    // Decided before the grant was recorded (it waited in the stream's lane): a later revision, an earlier instant.
    ['consent-p', 'ConsentScopesRevoked', { ...ref, revokedScopes: ['email'], remainingScopes: ['openid'], endedTokens: [], revokedAt: iso(T0 + 2), reason: null }, T0 + 2, 5],
    ['consent-p', 'ConsentRevoked', { ...ref, revokedScopes: ['openid'], endedTokens: [], revokedAt: iso(T0 + 5000), reason: null }, T0 + 5000, 4],
  ]);

async function* iterate(events: StoredEvent[]) {
  yield* events;
}

describe('recordedAt against the chained time', () => {
  it('an untouched ledger in the first chain format verifies, events without a chained time included', async () => {
    expect(await verifyLedger(iterate(history()), { gapFreePositions: true })).toMatchObject({ ok: true, problems: [] });
  });

  it('names an event whose recordedAt is further from its command time than the tolerance, and only that one', async () => {
    const events = history();
    events[2] = { ...events[2], recordedAt: '2020-01-01T00:00:00.000Z' };
    const result = await verifyLedger(iterate(events), { gapFreePositions: true });
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'recorded_at_mismatch', position: 2, id: 'e2', type: 'ConsentScopesRevoked' })]);
    expect((await verifyLedger(iterate(events), { gapFreePositions: true, recordedAtToleranceMs: Infinity })).problems).toEqual([
      expect.objectContaining({ kind: 'recorded_at_out_of_order', position: 2 }),
    ]);
  });

  it('checks the order only where the store promises it', async () => {
    const events = history();
    events[1] = { ...events[1], recordedAt: iso(T0 - 60_000) }; // the lease event: no chained time, only the order
    expect((await verifyLedger(iterate(events), { gapFreePositions: true })).problems).toEqual([expect.objectContaining({ kind: 'recorded_at_out_of_order', position: 1 })]);
    expect((await verifyLedger(iterate(events), { gapFreePositions: false })).ok).toBe(true);
  });

  it('as of T takes each stream up to its first event decided after T, whatever recordedAt says', () => {
    const events = history();
    const asOf = (at: number, list = events) => {
      const replay = new ConsentsAsOf(new Date(at));
      for (const e of list) replay.offer(e);
      return replay.consentsOf('ann').map((c) => ({ scopes: c.scopes, status: c.status }));
    };
    expect(asOf(T0 - 1)).toEqual([]);
    expect(asOf(T0 + 2)).toEqual([{ scopes: ['openid'], status: 'active' }]);
    expect(asOf(T0 + 5000)).toEqual([{ scopes: ['openid'], status: 'revoked' }]);
    // recordedAt moved into the past does not move the grant.
    const backdated = events.map((e, i) => (i === 0 ? { ...e, recordedAt: '2020-01-01T00:00:00.000Z' } : e));
    expect(asOf(Date.parse('2021-01-01T00:00:00Z'), backdated)).toEqual([]);
    // A later revision with an earlier instant is not applied without the one before it.
    const early = events.map((e, i) => (i === 2 ? { ...e, data: { ...e.data, revokedAt: iso(T0 - 5) } } : e));
    expect(asOf(T0 - 1, early)).toEqual([]);
  });
});
