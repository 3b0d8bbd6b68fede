import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@ledger/event-store';
import { ViewsRebuildingError } from '../views-rebuilding.error';
import { ViewStore } from './view-store';

/** Deterministic PRNG, so a failure names a sequence that can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();

/**
 * A random but well-formed token history over few hashes, so that the orderings the staged fold must get right
 * happen often: a hash issued, ended, issued again; ended twice; ended by a consent revocation listing several.
 */
function history(seed: number, n: number): StoredEvent[] {
  const random = prng(seed);
  const hashes = Array.from({ length: 40 }, (_, i) => i.toString(16).padStart(64, '0'));
  const events: StoredEvent[] = [];
  const push = (type: string, data: Record<string, unknown>) =>
    events.push({ id: `e${events.length}`, type, stream: 'consent-x', revision: events.length, position: events.length, recordedAt: at(events.length), data, metadata: { actor: 't', correlationId: 'c' } });
  const ref = { consentId: 'cns_x_1', userId: 'u', clientId: 'app' };
  push('ConsentGranted', { ...ref, scopes: ['a', 'b'], grantedAt: at(0) });
  for (let i = 0; i < n; i++) {
    const hash = hashes[Math.floor(random() * hashes.length)];
    const r = random();
    if (r < 0.5) push('TokenIssued', { ...ref, tokenId: `tok_${hash.slice(0, 8)}_${i}`, tokenHash: hash, scopes: random() < 0.5 ? ['a'] : ['a', 'b'], issuedAt: at(i), expiresAt: at(i + 3600) });
    else if (r < 0.8) push('TokenRevoked', { ...ref, tokenId: 'x', tokenHash: hash, revokedAt: at(i) });
    else {
      const ended = hashes.filter(() => random() < 0.3).map((tokenHash) => ({ tokenId: 'x', tokenHash }));
      push('ConsentScopesRevoked', { ...ref, revokedScopes: ['b'], remainingScopes: ['a'], endedTokens: ended, revokedAt: at(i) });
    }
  }
  return events;
}

describe('ViewStore: a rebuild from 0 (staged token view) equals applying the log event by event', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-views-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // Odd seeds stage from the first batch; even ones apply small batches row by row first and stage from a large
  // one later, so the fold must also end tokens that were already in the tree.
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i', async (seed) => {
    const events = history(seed, 300);
    const live = new ViewStore(join(dir, `live-${seed}.db`));
    for (const e of events) live.apply([e]); // the live path: one event per batch, never a rebuild

    const rebuilt = new ViewStore(join(dir, `rebuilt-${seed}.db`), 30);
    expect(rebuilt.startRebuild()).toBe(true);
    let i = 0;
    if (seed % 2 === 0) {
      for (; i < 240; i += 7) rebuilt.apply(events.slice(i, Math.min(i + 7, 240)));
      i = 240;
      expect(rebuilt.tokens.available).toBe(true);
    }
    for (; i < events.length; i += 37) rebuilt.apply(events.slice(i, i + 37));
    expect(() => rebuilt.tokens.token(events[1].data.tokenHash as string)).toThrow(ViewsRebuildingError);
    expect(rebuilt.tokens.available).toBe(false);
    rebuilt.finishRebuild();
    expect(rebuilt.tokens.available).toBe(true);

    expect(rebuilt.snapshot()).toEqual(live.snapshot());
    expect(rebuilt.checkpoint()).toBe(live.checkpoint());
    await live.close();
    await rebuilt.close();
  });

  it('does not stage a short history: its tokens are answerable while the rebuild is still open', async () => {
    const events = history(10, 40);
    const views = new ViewStore(join(dir, 'short.db'));
    expect(views.startRebuild()).toBe(true);
    views.apply(events);
    expect(views.tokens.available).toBe(true);
    expect(() => views.tokens.token('0'.repeat(64))).not.toThrow();
    views.finishRebuild();
    await views.close();
  });

  // The staging tables once lived in the views file and were dropped at the fold: their pages were zeroed
  // (secure_delete) inside one transaction whose journal is in memory during a rebuild, which at a million tokens
  // left ~250 MB of freed memory in the process for good, and as many free pages in the file.
  it('stages in a file of its own, private, deleted after the fold: the views file keeps no staging pages', async () => {
    const file = join(dir, 'views.db');
    const views = new ViewStore(file, 30);
    expect(views.startRebuild()).toBe(true);
    views.apply(history(11, 300));
    expect(views.tokens.available).toBe(false);
    expect(statSync(`${file}-rebuild`).mode & 0o777).toBe(0o600);
    views.finishRebuild();
    expect(existsSync(`${file}-rebuild`)).toBe(false);
    await views.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('freelist_count', { simple: true })).toBe(0);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'rebuild%'").all()).toEqual([]);
    db.close();
  });

  it('throws the staging file of a rebuild that did not finish away with the views it belonged to', async () => {
    const file = join(dir, 'views.db');
    const views = new ViewStore(file, 30);
    views.startRebuild();
    views.apply(history(12, 300));
    await views.close();
    expect(existsSync(`${file}-rebuild`)).toBe(true);
    const again = new ViewStore(file, 30);
    expect(again.rebuildReason).toBe('the last rebuild did not finish');
    expect(existsSync(`${file}-rebuild`)).toBe(false);
    await again.close();
  });

  it('does not stage once the views hold anything: a restart resumes on the live path', async () => {
    const events = history(9, 50);
    const views = new ViewStore(join(dir, 'views.db'));
    views.apply(events.slice(0, 10));
    expect(views.startRebuild()).toBe(false);
    expect(views.tokens.available).toBe(true);
    await views.close();
  });
});
