import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SqliteEventStore } from '@ledger/event-store';
import { openRevocationFeed } from './revocation-feed';

describe('revocation feed (real SQLite store)', () => {
  let dir: string;
  let store: SqliteEventStore;
  const meta = { actor: 'test', correlationId: 'c1' };
  const ref = (n: number) => ({ consentId: `cns_${'0'.repeat(31)}${n}_1`, userId: `u${n}`, clientId: 'app' });
  const revoke = (n: number) =>
    store.append(`consent-${n}`, [{ type: 'ConsentRevoked', data: { ...ref(n), revokedScopes: ['openid'], endedTokens: [], revokedAt: new Date().toISOString(), reason: null }, metadata: meta }], { expectedRevision: 'any' });
  const grant = (n: number) =>
    store.append(`consent-${n}`, [{ type: 'ConsentGranted', data: { ...ref(n), scopes: ['openid'], grantedAt: new Date().toISOString() }, metadata: meta }], { expectedRevision: 'any' });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'feed-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function collect(sink: PassThrough) {
    let text = '';
    sink.on('data', (d) => (text += d));
    return {
      text: () => text,
      ids: () => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])),
      async until(check: () => boolean) {
        const started = Date.now();
        while (!check()) {
          if (Date.now() - started > 5000) throw new Error(`not reached; got:\n${text}`);
          await new Promise((r) => setTimeout(r, 5));
        }
      },
    };
  }

  it('sends only revocations, after the given position, then live ones, with heartbeats, until closed', async () => {
    await grant(1);
    const first = await revoke(1);
    await grant(2);
    const second = await revoke(2);
    const sink = new PassThrough();
    const out = collect(sink);
    const feed = openRevocationFeed(store, sink, { after: first.position, heartbeatMs: 10 });
    await out.until(() => out.ids().length === 1);
    expect(out.ids()).toEqual([second.position]);
    expect(out.text()).toMatch(/^retry: \d+\n: connected\n\n/);
    expect(out.text()).toContain('event: consent.revoked\n');

    const third = await revoke(3);
    await out.until(() => out.ids().length === 2 && out.text().includes(': heartbeat'));
    expect(out.ids()).toEqual([second.position, third.position]);

    await feed.close();
    expect(sink.writableEnded).toBe(true);
    await revoke(4);
    await new Promise((r) => setTimeout(r, 30));
    expect(out.ids()).toHaveLength(2);
  });
});
