import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@ledger/event-store';
import { ViewStore } from './view-store';

/**
 * Belt and braces under the decider (which never issues a token id twice): should the log ever hold a second
 * TokenIssued for a token that has ended, the token view keeps it ended, on the live path and in a staged rebuild.
 */
describe('ViewStore: a TokenIssued for a token that already has a row never revives it', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-views-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ref = { consentId: 'cns_x_1', userId: 'u', clientId: 'app' };
  const hash = 'a'.repeat(64);
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
  const events: StoredEvent[] = [
    ['ConsentGranted', { ...ref, scopes: ['openid'], grantedAt: at(0) }],
    ['TokenIssued', { ...ref, tokenId: 'tok_1', tokenHash: hash, scopes: ['openid'], issuedAt: at(1), expiresAt: at(3) }],
    ['TokenRevoked', { ...ref, tokenId: 'tok_1', tokenHash: hash, revokedAt: at(2), reason: null }],
    ['TokenIssued', { ...ref, tokenId: 'tok_1', tokenHash: hash, scopes: ['openid'], issuedAt: at(10), expiresAt: at(3600) }],
  ].map(([type, data], i) => ({ id: `e${i}`, type: type as string, stream: 'consent-x', revision: i, position: i, recordedAt: at(i), data: data as Record<string, unknown>, metadata: { actor: 't', correlationId: 'c' } }));

  it('live, one event per batch and all in one batch', async () => {
    for (const batches of [events.map((e) => [e]), [events]]) {
      const views = new ViewStore(join(dir, `live-${batches.length}.db`));
      for (const batch of batches) views.apply(batch);
      expect(views.tokens.token(hash)).toMatchObject({ active: false, exp: Math.floor(Date.parse(at(3)) / 1000) });
      await views.close();
    }
  });

  it('in a rebuild from 0 that stages the token view', async () => {
    const views = new ViewStore(join(dir, 'rebuilt.db'), 2);
    expect(views.startRebuild()).toBe(true);
    views.apply(events);
    views.finishRebuild();
    expect(views.tokens.token(hash)).toMatchObject({ active: false, exp: Math.floor(Date.parse(at(3)) / 1000) });
    await views.close();
  });
});
