import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_VERSIONS } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import { UnreadableEventError } from '../read-ledger-event';
import { ViewStore } from './view-store';

const ref = { consentId: 'cns_x_1', userId: 'u', clientId: 'app' };
const hash = 'a'.repeat(64);
let n = 0;
const event = (type: string, data: Record<string, unknown>, stream = 'consent-x', metadata: Record<string, unknown> = {}): StoredEvent => ({
  id: `e${n}`,
  type,
  stream,
  revision: n,
  position: n++,
  recordedAt: '2026-01-01T00:00:00.000Z',
  data,
  metadata: { actor: 't', correlationId: 'c', ...metadata },
});

describe('ViewStore: an event this build cannot read', () => {
  let dir: string;
  let views: ViewStore;
  beforeEach(() => {
    n = 0;
    dir = mkdtempSync(join(tmpdir(), 'ledger-views-'));
  });
  afterEach(async () => {
    await views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const granted = () => event('ConsentGranted', { ...ref, scopes: ['a'], grantedAt: '2026-01-01T00:00:00.000Z' });
  const issued = () => event('TokenIssued', { ...ref, tokenId: 'tok_1', tokenHash: hash, scopes: ['a'], issuedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' });

  it('rolls its batch back, names it, and refuses token and secret lookups from then on, even for an empty batch', () => {
    views = new ViewStore(join(dir, 'views.db'));
    views.apply([granted(), issued()]);
    expect(views.tokens.token(hash)?.active).toBe(true);

    const revoked = event('TokenRevoked', { ...ref, tokenId: 'tok_1', tokenHash: hash, revokedAt: '2026-01-01T00:00:01.000Z' });
    const unknown = event('ConsentErased', { ...ref });
    expect(() => views.apply([revoked, unknown])).toThrow(new UnreadableEventError(unknown, { readable: false, reason: 'unknown_type', type: 'ConsentErased', version: 1, known: undefined }));
    expect(views.unreadableEvent?.message).toBe('cannot apply the event at position 3 (stream consent-x, revision 3, id e3): its type ConsentErased is unknown to this build');
    // Rolled back whole: the revocation before it in the batch is not applied, and the checkpoint did not move.
    expect(views.checkpoint()).toBe(1);
    expect(() => views.tokens.token(hash)).toThrow(UnreadableEventError);
    expect(() => views.tokens.tokenById('tok_1')).toThrow(UnreadableEventError);
    expect(() => views.tokens.activeTokenCount()).toThrow(UnreadableEventError);
    expect(() => views.clients.secrets('app')).toThrow(UnreadableEventError);
    expect(() => views.apply([])).toThrow(UnreadableEventError);
    expect(() => views.apply([event('TokenIssued', { ...ref, tokenId: 'tok_2', tokenHash: 'b'.repeat(64), scopes: ['a'], issuedAt: 'x', expiresAt: 'y' })])).toThrow(UnreadableEventError);
    // Reads that cannot let anyone in still answer, from views that end before the event.
    expect(views.consents.consent('cns_x_1')?.status).toBe('active');
  });

  it('reads what it knows at the versions it knows, and skips the infrastructure streams whatever their types', () => {
    views = new ViewStore(join(dir, 'views.db'), undefined, EVENT_VERSIONS);
    views.apply([event('LeaseAcquired', { holder: 'x' }, 'ledger-lease-kafka'), granted(), issued(), event('ConsentRevoked', { ...ref, revokedScopes: ['a'], revokedAt: '2026-01-01T00:00:02.000Z', reason: null, endedTokens: [] })]);
    expect(views.unreadableEvent).toBeUndefined();
    expect(views.tokens.token(hash)?.active).toBe(false);
    expect(views.checkpoint()).toBe(3);
  });

  it('takes the known set it is given: a build that does not know TokenRevoked stops at one', () => {
    const { TokenRevoked: _, ...known } = EVENT_VERSIONS;
    views = new ViewStore(join(dir, 'views.db'), undefined, known);
    views.apply([granted(), issued()]);
    expect(() => views.apply([event('TokenRevoked', { ...ref, tokenId: 'tok_1', tokenHash: hash, revokedAt: 'x' })])).toThrow('its type TokenRevoked is unknown to this build');
    expect(() => views.tokens.token(hash)).toThrow(UnreadableEventError);
  });

  it('a newer version, and a malformed one, are named as such', async () => {
    views = new ViewStore(join(dir, 'views.db'));
    expect(() => views.apply([granted(), issued(), event('TokenRevoked', { ...ref }, 'consent-x', { eventVersion: 3 })])).toThrow('it is TokenRevoked v3, and this build reads up to v2');
    await views.close();
    views = new ViewStore(join(dir, 'other.db'));
    expect(() => views.apply([event('TokenRevoked', { ...ref }, 'consent-x', { eventVersion: 'one' })])).toThrow('its version "one" is not a whole number from 1');
  });
});
