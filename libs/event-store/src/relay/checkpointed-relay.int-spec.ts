import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../event-store.port';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { CheckpointedRelay, CheckpointedRelayOptions } from './checkpointed-relay';
import { namedCheckpoint, RelaySink } from './relay.port';

describe('checkpointed relay (real SQLite store and checkpoints)', () => {
  let dir: string;
  let store: SqliteEventStore;
  const relays: CheckpointedRelay[] = [];
  const meta = { actor: 'test', correlationId: 'c1' };
  const append = async (n: number) => {
    const positions: number[] = [];
    for (let i = 0; i < n; i++) positions.push((await store.append(`s-${i}`, [{ type: 'Happened', data: { i }, metadata: meta }], { expectedRevision: 'any' })).position);
    return positions;
  };
  const checkpoint = () => namedCheckpoint(store, 'relay-test');
  const relay = (sink: RelaySink, options: Partial<CheckpointedRelayOptions> = {}) => {
    const r = new CheckpointedRelay(store, checkpoint(), sink, { restart: { baseMs: 1, maxMs: 5 }, ...options });
    relays.push(r);
    return r;
  };
  /** A sink that records every batch it acknowledges, as positions. */
  const recording = () => {
    const batches: number[][] = [];
    return { batches, positions: () => batches.flat(), deliver: async (batch: StoredEvent[]) => void batches.push(batch.map((e) => e.position)) };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'relay-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 20 });
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the history, then live events, and checkpoints each acknowledged batch', async () => {
    const history = await append(3);
    const sink = recording();
    const r = relay(sink, { checkpointIntervalMs: 0 });
    r.start();
    expect(await r.flush()).toBe(true);
    expect(sink.positions()).toEqual(history);
    expect(await store.load('relay-test')).toBe(history[2]);

    const [live] = await append(1);
    await until(() => r.status().position === live);
    expect(sink.positions()).toEqual([...history, live]);
    expect(await store.load('relay-test')).toBe(live);
    expect(r.status()).toMatchObject({ running: true, caughtUp: true, inFlight: 0, deliveredTotal: 4, consecutiveFailures: 0 });
    expect((await r.lag()).events).toBe(0);
  });

  it('after a sink failure, starts again from the checkpoint and delivers the failed batch again', async () => {
    const positions = await append(4);
    const errors: Array<[string, number]> = [];
    const acknowledged: number[] = [];
    let failed = false;
    let checkpointAtFailure: number | undefined;
    const sink: RelaySink = {
      deliver: async (batch) => {
        if (!failed && batch.some((e) => e.position === positions[2])) {
          failed = true;
          checkpointAtFailure = await store.load('relay-test');
          throw new Error('receiver down');
        }
        acknowledged.push(...batch.map((e) => e.position));
      },
    };
    const r = relay(sink, { maxBatchSize: 1, checkpointIntervalMs: 0, onError: (error, attempt) => errors.push([error.message, attempt]) });
    r.start();
    await until(() => r.status().position === positions[3]);
    expect(errors).toEqual([['receiver down', 1]]);
    // The checkpoint never passed what the sink had not acknowledged, so nothing was skipped.
    expect(checkpointAtFailure).toBe(positions[1]);
    expect(acknowledged).toEqual(positions);
    expect(r.status()).toMatchObject({ errorsTotal: 1, consecutiveFailures: 0, lastError: undefined });
    expect(await store.load('relay-test')).toBe(positions[3]);
  });

  it('throttles checkpoint writes: the first acknowledgement at once, the latest one on stop', async () => {
    const positions = await append(3);
    const r = relay(recording(), { maxBatchSize: 1, checkpointIntervalMs: 60_000 });
    r.start();
    await until(() => r.status().position === positions[2]);
    expect(await store.load('relay-test')).toBe(positions[0]);
    await r.stop();
    expect(await store.load('relay-test')).toBe(positions[2]);

    // The next start goes on from there.
    const [next] = await append(1);
    const sink = recording();
    const again = relay(sink);
    again.start();
    await until(() => again.status().position === next);
    expect(sink.positions()).toEqual([next]);
  });

  it('stop gives up on a batch the sink never acknowledges; it stays behind the checkpoint for the next start', async () => {
    const positions = await append(2);
    let release!: () => void;
    const hanging = new Promise<void>((resolve) => (release = resolve));
    const delivered: number[] = [];
    const r = relay(
      {
        deliver: async (batch) => {
          delivered.push(batch[0].position);
          if (batch[0].position === positions[1]) await hanging;
        },
      },
      { maxBatchSize: 1, checkpointIntervalMs: 0, stopTimeoutMs: 50 },
    );
    r.start();
    await until(() => delivered.length === 2);
    await r.stop();
    expect(await store.load('relay-test')).toBe(positions[0]);

    const sink = recording();
    const again = relay(sink);
    again.start();
    await until(() => sink.positions().length > 0);
    expect(sink.positions()).toEqual([positions[1]]);
    // Let the abandoned subscription end, or closing the store would wait for it.
    release();
  });

  it('without restart, stops at its first failure and reports it once', async () => {
    await append(2);
    const errors: string[] = [];
    let calls = 0;
    const r = relay(
      {
        deliver: async () => {
          calls += 1;
          throw new Error('client gone');
        },
      },
      { restart: false, onError: (error) => errors.push(error.message) },
    );
    r.start();
    await until(() => errors.length > 0);
    await append(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect({ errors, calls }).toEqual({ errors: ['client gone'], calls: 1 });
    expect(r.status()).toMatchObject({ running: false, caughtUp: false, position: -1, consecutiveFailures: 1 });
  });

  it('opens the sink before every start and closes it after a failure and on stop', async () => {
    const [first] = await append(1);
    const calls: string[] = [];
    let fail = true;
    const r = relay({
      open: async () => void calls.push('open'),
      close: async () => void calls.push('close'),
      deliver: async () => {
        calls.push('deliver');
        if (fail) {
          fail = false;
          throw new Error('in doubt');
        }
      },
    });
    r.start();
    await until(() => r.status().position === first);
    await r.stop();
    expect(calls).toEqual(['open', 'deliver', 'close', 'open', 'deliver', 'close']);
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
