import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadAllOptions, StoredEvent } from '@ledger/event-store';
import { SqliteEventStore } from '@ledger/event-store';
import { waitUntil } from '@ledger/testing';
import type { LedgerConfig } from '../../config/ledger-config';
import type { Leadership } from '../../infrastructure/leadership';
import { PushSetsWorker } from './push-sets.worker';

/** The real embedded store, which says where each log scan of the worker started. */
class ScanCountingStore extends SqliteEventStore {
  readonly scansFrom: number[] = [];
  readonly scansFor: string[][] = [];
  override readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    this.scansFrom.push(options.after ?? -1);
    this.scansFor.push([...(options.filter?.eventTypePrefixes ?? [])]);
    return super.readAll(options);
  }
}

/**
 * The push worker's look at the log on each tick: a log that grows only by events no push stream cares about (grants,
 * issues) is scanned from where the last look ended, not again from the last event that matched. Found by a profile
 * of the commands benchmark, where those re-scans were 6 % of the ledger's CPU. Nothing here pushes: a stream's state
 * reads as live and polled, so the worker's queue, signer and sealer are never reached.
 */
describe('PushSetsWorker: each tick scans only what was appended since the last (real SQLite store)', () => {
  let dir: string;
  let store: ScanCountingStore;
  let worker: PushSetsWorker;
  const meta = { actor: 'test', correlationId: 'c1' };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'push-scan-'));
    store = new ScanCountingStore({ file: join(dir, 'events.db'), pollIntervalMs: 20 });
    // The lease is the embedded default's: this instance leads from the start.
    const leadership = { runWhileLeader: (_name: string, start: () => void, stop: () => Promise<void>) => (start(), { stop }) } as unknown as Leadership;
    const executor = { load: async () => ({ state: { status: 'live', deliveryMethod: 'poll' } }) };
    worker = new PushSetsWorker(store, executor as never, {} as never, {} as never, {} as never, leadership, {} as LedgerConfig);
  });
  afterEach(async () => {
    await worker.beforeApplicationShutdown();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a revocation and then only grants, then every scan starts past the head the previous one read', async () => {
    const revoked = (await store.append('consent-r', [{ type: 'ConsentRevoked', data: {}, metadata: meta }], { expectedRevision: 'any' })).position;
    worker.onApplicationBootstrap();
    const heads = [revoked];
    for (let i = 0; i < 5; i++) {
      await sleep(80); // a few ticks of 20 ms: most often the worker has looked at the head before the next append
      heads.push((await store.append(`consent-${i}`, [{ type: 'ConsentGranted', data: {}, metadata: meta }], { expectedRevision: 'any' })).position);
    }
    await sleep(80);
    // The first look (the streams' creations) reads from the start; each later one starts at a head an earlier look
    // read, never twice at the same place (a slow tick may see two appends at once, so not necessarily at each head).
    const [first, ...later] = store.scansFrom;
    expect(first).toBe(-1);
    expect(later.length).toBeGreaterThanOrEqual(3);
    expect(new Set(later).size).toBe(later.length);
    for (const from of later) expect(heads).toContain(from);
  });

  it('given no stream, then a scan asks for stream creations only; once one exists, for what can give it a SET', async () => {
    const append = (stream: string, type: string, data = {}) => store.append(stream, [{ type, data, metadata: meta }], { expectedRevision: 'any' });
    await append('consent-g', 'ConsentGranted');
    worker.onApplicationBootstrap();
    await waitUntil(() => store.scansFor.length >= 1, { what: 'the first scan' });
    await append('consent-r', 'ConsentRevoked');
    await waitUntil(() => store.scansFor.length >= 2, { what: 'a scan past the revocation' });
    // Asked for revocations, each one read here was opened (its user id is sealed) to wake no stream at all.
    for (const prefixes of store.scansFor) expect(prefixes).toEqual(['SsfStreamCreated']);
    await append('ssf-stream-s1', 'SsfStreamCreated', { streamId: 's1' });
    await waitUntil(() => store.scansFor.length >= 3, { what: 'a scan past the stream' });
    const scans = store.scansFor.length;
    await append('consent-r', 'ConsentRevoked');
    await waitUntil(() => store.scansFor.length > scans, { what: 'a scan past the second revocation' });
    expect(store.scansFor.at(-1)).toEqual(expect.arrayContaining(['ConsentRevoked', 'SsfStreamCreated']));
  });
});
