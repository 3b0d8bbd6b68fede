import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SqliteEventStore } from '@ledger/event-store';
import { RevocationFanOut } from './revocation-fan-out';
import type { DropReason } from './revocation-feed';

describe('revocation fan-out (real SQLite store)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let fanOut: RevocationFanOut;
  const meta = { actor: 'test', correlationId: 'c1' };
  const ref = (n: number) => ({ consentId: `cns_${String(n).padStart(32, '0')}_1`, userId: `u${n}`, clientId: 'app' });
  const revoke = async (n: number) =>
    (
      await store.append(`consent-${n}`, [{ type: 'ConsentRevoked', data: { ...ref(n), revokedScopes: ['openid'], endedTokens: [], revokedAt: new Date().toISOString(), reason: null }, metadata: meta }], {
        expectedRevision: 'any',
      })
    ).position;
  const grant = (n: number) =>
    store.append(`consent-${n}`, [{ type: 'ConsentGranted', data: { ...ref(n), scopes: ['openid'], grantedAt: new Date().toISOString() }, metadata: meta }], { expectedRevision: 'any' });
  const revokeMany = (from: number, count: number) => Promise.all(Array.from({ length: count }, (_, i) => revoke(from + i)));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fan-out-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await fanOut?.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Reads as it comes, or (slowly) a little every few milliseconds, like a client on a slow link. */
  function collect(sink: PassThrough, slowly = false) {
    let text = '';
    if (slowly) {
      const timer = setInterval(() => {
        const chunk = sink.read();
        if (chunk) text += chunk;
        else if (sink.writableEnded && sink.readableLength === 0) clearInterval(timer);
      }, 2);
      sink.once('close', () => clearInterval(timer));
    } else sink.on('data', (d) => (text += d));
    return {
      text: () => text,
      ids: () => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])),
      async until(check: () => boolean, what = 'condition') {
        const started = Date.now();
        while (!check()) {
          if (Date.now() - started > 10_000) throw new Error(`${what} not reached; got ${text.length} chars:\n${text.slice(-500)}`);
          await new Promise((r) => setTimeout(r, 5));
        }
      },
    };
  }

  it('starts a new subscriber at the head: only revocations after it opened, with heartbeats, until closed', async () => {
    await grant(1);
    await revoke(1);
    fanOut = new RevocationFanOut(store, { heartbeatMs: 10 });
    await fanOut.start();
    const sink = new PassThrough();
    const out = collect(sink);
    const subscriber = fanOut.open(sink);
    await grant(2);
    const second = await revoke(2);
    await out.until(() => out.ids().length === 1 && out.text().includes(': heartbeat'));
    expect(out.ids()).toEqual([second]);
    expect(out.text()).toMatch(/^retry: \d+\n: connected\n\n/);
    expect(out.text()).toContain('event: consent.revoked\n');

    subscriber.close();
    expect(sink.writableEnded).toBe(true);
    expect(fanOut.count()).toBe(0);
    await revoke(3);
    await new Promise((r) => setTimeout(r, 30));
    expect(out.ids()).toEqual([second]);
  });

  /**
   * A slow client that does what the feed asks of one it drops (`event: dropped`, slow_consumer): reconnect with the
   * last id it got. On a loaded machine the 2 ms reads come late and the live traffic after the join can pass the
   * bound; what must hold is what the client sees across the reconnects: every revocation once, in order.
   */
  function resuming(after: number) {
    const segments: Array<ReturnType<typeof collect>> = [];
    const attach = (from: number) => {
      const sink = new PassThrough({ highWaterMark: 1024 });
      segments.push(collect(sink, true));
      fanOut.open(sink, { after: from });
    };
    attach(after);
    const ids = () => segments.flatMap((s) => s.ids());
    return {
      ids,
      async until(check: () => boolean, what: string) {
        const started = Date.now();
        while (!check()) {
          // Dropped: the frame is the last thing the feed wrote on that connection. Resume after the last id seen.
          if (segments[segments.length - 1].text().includes('event: dropped')) {
            const seen = ids();
            attach(seen.length > 0 ? seen[seen.length - 1] : after);
          }
          if (Date.now() - started > 20_000) throw new Error(`${what} not reached; got ${ids().length} ids over ${segments.length} connections`);
          await new Promise((r) => setTimeout(r, 5));
        }
      },
    };
  }

  it('replays from the store and joins the fan-out without a gap or a duplicate while revocations keep coming', async () => {
    const before = await revokeMany(0, 120);
    // Small catch-up reads, slow clients and a small bound: the hand-over happens under traffic, and the live batches
    // that arrive while a replay is still reading overflow its pending buffer and must be read from the store instead.
    fanOut = new RevocationFanOut(store, { catchUpBatchSize: 7, maxBufferedBytes: 16 * 1024 });
    await fanOut.start();
    const during = (async () => {
      const positions: number[] = [];
      for (let i = 0; i < 100; i++) positions.push(...(await revokeMany(1000 + i * 3, 3)));
      return positions;
    })();
    const replays = [-1, before[40], before[119]].map((after) => ({ after, out: resuming(after) }));
    const all = [...before, ...(await during)].sort((a, b) => a - b);
    const after = await revokeMany(2000, 20);
    all.push(...after);
    for (const { after: from, out } of replays) {
      const expected = all.filter((p) => p > from);
      await out.until(() => out.ids().length >= expected.length, `${expected.length} revocations after ${from}`);
      expect(out.ids()).toEqual(expected);
    }
  });

  it('treats a replay from the head as live, skipping nothing after it', async () => {
    const head = await revoke(1);
    fanOut = new RevocationFanOut(store);
    await fanOut.start();
    const sink = new PassThrough();
    const out = collect(sink);
    fanOut.open(sink, { after: head });
    const next = await revoke(2);
    await out.until(() => out.ids().length === 1);
    expect(out.ids()).toEqual([next]);
  });

  it('drops a subscriber that stops reading, with a last message saying why, and keeps serving the others', async () => {
    fanOut = new RevocationFanOut(store, { maxBufferedBytes: 8 * 1024 });
    await fanOut.start();
    // Never read until the end: what the feed writes piles up in the stream's buffers.
    const stalled = new PassThrough({ highWaterMark: 1024 });
    const reasons: Array<DropReason | undefined> = [];
    fanOut.open(stalled, { onClosed: (reason) => reasons.push(reason) });
    const healthy = new PassThrough();
    const out = collect(healthy);
    fanOut.open(healthy);
    const positions: number[] = [];
    for (let i = 0; reasons.length === 0 && i < 200; i++) positions.push(...(await revokeMany(i * 10, 10)));
    expect(reasons).toEqual(['slow_consumer']);
    expect(fanOut.count()).toBe(1);
    await out.until(() => out.ids().length === positions.length);
    expect(out.ids()).toEqual(positions);

    let text = '';
    for await (const chunk of stalled) text += chunk;
    const messages = text.trim().split('\n\n');
    expect(messages[messages.length - 1]).toMatch(/^event: dropped\ndata: \{"reason":"slow_consumer",/);
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(positions.slice(0, ids.length));
  });
});
