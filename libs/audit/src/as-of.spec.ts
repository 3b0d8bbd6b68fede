import type { StoredEvent } from '@ledger/event-store';
import { ConsentsAsOf } from './as-of';

/** A stored ledger event of one consent stream, recorded at `recordedAt`. */
const stored = (position: number, revision: number, recordedAt: string, type: string, data: Record<string, unknown>): StoredEvent => ({
  id: `e${position}`,
  type,
  stream: 'consent-x',
  revision,
  position,
  recordedAt,
  data,
  metadata: { actor: 't', correlationId: `c${position}` },
});

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:00.000Z';
const T2 = '2026-01-01T00:02:00.000Z';

const ann = (consentId: string, clientId = 'app-a') => ({ consentId, userId: 'ann', clientId });
const granted = (position: number, consentId: string, at: string, clientId?: string) =>
  stored(position, 0, at, 'ConsentGranted', { ...ann(consentId, clientId), scopes: ['openid'], grantedAt: at });
const extended = (position: number, consentId: string, at: string) =>
  stored(position, 1, at, 'ConsentScopesExtended', { ...ann(consentId), addedScopes: ['email'], scopes: ['email', 'openid'], extendedAt: at });
const revoked = (position: number, consentId: string, at: string) =>
  stored(position, 2, at, 'ConsentRevoked', { ...ann(consentId), revokedScopes: ['email', 'openid'], endedTokens: [], revokedAt: at, reason: null });
const tokenIssued = (position: number, consentId: string, at: string) =>
  stored(position, 3, at, 'TokenIssued', { ...ann(consentId), tokenId: 'tok_1', tokenHash: 'h', scopes: ['openid'], issuedAt: at, expiresAt: T2 });

/** The row the live consent view holds for ann's consent after a grant at `at`. */
const row = (consentId: string, at: string, changes: Record<string, unknown> = {}) => ({
  ...ann(consentId),
  scopes: ['openid'],
  status: 'active',
  grantedAt: at,
  updatedAt: at,
  revokedAt: null,
  revision: 0,
  afterUserRevocation: 0,
  expiresAt: null,
  // The grant's log position: the live view's order of a client's consents, not what as-of is about.
  position: expect.any(Number),
  allowsRefresh: false,
  ...changes,
});

describe('ConsentsAsOf: the consent view at a past instant', () => {
  it('holds nothing before the first event', () => {
    const asOf = new ConsentsAsOf(new Date(T0));
    expect(asOf.consentsOf('ann')).toEqual([]);
    expect(asOf.lastPosition).toBe(-1);
  });

  it('includes an event decided exactly at the instant, and not one decided a millisecond later', () => {
    expect(new ConsentsAsOf(new Date(T0)).offer(granted(0, 'cns_a', T0))).toBe(true);
    expect(new ConsentsAsOf(new Date(T0)).offer(granted(0, 'cns_a', '2026-01-01T00:00:00.001Z'))).toBe(false);
  });

  it('applies an event of the past and refuses one of the future, which changes nothing', () => {
    const asOf = new ConsentsAsOf(new Date(T1));
    expect(asOf.offer(granted(0, 'cns_a', T0))).toBe(true);
    expect(asOf.offer(extended(1, 'cns_a', T2))).toBe(false);
    expect(asOf.consentsOf('ann')).toEqual([row('cns_a', T0)]);
    expect(asOf.lastPosition).toBe(0);
  });

  it('follows a consent through its changes, as the live view does', () => {
    const asOf = new ConsentsAsOf(new Date(T2));
    asOf.offer(granted(0, 'cns_a', T0));
    asOf.offer(extended(1, 'cns_a', T1));
    expect(asOf.consentsOf('ann')).toEqual([row('cns_a', T0, { scopes: ['email', 'openid'], updatedAt: T1, revision: 1 })]);
    asOf.offer(revoked(2, 'cns_a', T2));
    expect(asOf.consentsOf('ann')).toEqual([row('cns_a', T0, { scopes: ['email', 'openid'], status: 'revoked', updatedAt: T2, revokedAt: T2, revision: 2 })]);
  });

  it('once a stream met an event decided after the instant, takes nothing more from it, even an event decided before', () => {
    const asOf = new ConsentsAsOf(new Date(T1));
    expect(asOf.offer(granted(0, 'cns_a', T0))).toBe(true);
    expect(asOf.offer(extended(1, 'cns_a', T2))).toBe(false);
    // Decided before T1 (it waited in the stream's lane), but it follows a change that the answer leaves out.
    expect(asOf.offer(revoked(2, 'cns_a', T0))).toBe(false);
    expect(asOf.consentsOf('ann')).toEqual([row('cns_a', T0)]);
    expect(asOf.lastPosition).toBe(0);
    // Another stream is not held back by it.
    expect(asOf.offer({ ...granted(3, 'cns_b', T0, 'app-b'), stream: 'consent-y' })).toBe(true);
  });

  it('ignores a change to a consent it never saw granted (UPDATE of an absent row)', () => {
    const asOf = new ConsentsAsOf(new Date(T2));
    expect(asOf.offer(extended(4, 'cns_unknown', T1))).toBe(true);
    expect(asOf.consentsOf('ann')).toEqual([]);
    expect(asOf.lastPosition).toBe(4);
  });

  it('token events change no consent, but count as applied', () => {
    const asOf = new ConsentsAsOf(new Date(T2));
    asOf.offer(granted(0, 'cns_a', T0));
    expect(asOf.offer(tokenIssued(1, 'cns_a', T1))).toBe(true);
    expect(asOf.consentsOf('ann')).toEqual([row('cns_a', T0)]);
    expect(asOf.lastPosition).toBe(1);
  });

  it('keeps the highest position applied, whatever order the streams are read in', () => {
    const asOf = new ConsentsAsOf(new Date(T2));
    asOf.offer(granted(5, 'cns_a', T0));
    asOf.offer(granted(3, 'cns_b', T0, 'app-b'));
    expect(asOf.lastPosition).toBe(5);
  });

  it("lists one user's consents in the live view's order: granted_at, then consent_id", () => {
    const asOf = new ConsentsAsOf(new Date(T2));
    asOf.offer(granted(0, 'cns_b', T1));
    asOf.offer(granted(1, 'cns_c', T0));
    asOf.offer(granted(2, 'cns_a', T1));
    asOf.offer(stored(3, 0, T0, 'ConsentGranted', { consentId: 'cns_z', userId: 'ben', clientId: 'app-a', scopes: ['openid'], grantedAt: T0 }));
    expect(asOf.consentsOf('ann').map((c) => c.consentId)).toEqual(['cns_c', 'cns_a', 'cns_b']);
    expect(asOf.consentsOf('ben').map((c) => c.consentId)).toEqual(['cns_z']);
  });

  it('orders consents granted at the same instant by id, whichever was applied first', () => {
    const asOf = new ConsentsAsOf(new Date(T2));
    asOf.offer(granted(0, 'cns_a', T1));
    asOf.offer(granted(1, 'cns_b', T1));
    expect(asOf.consentsOf('ann').map((c) => c.consentId)).toEqual(['cns_a', 'cns_b']);
  });
});
