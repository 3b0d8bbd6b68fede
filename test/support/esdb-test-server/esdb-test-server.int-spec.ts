import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  Position,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import { EsdbTestServer, startEsdbTestServer } from './esdb-test-server';

/** The real, unmodified @eventstore/db-client against the wire-level test server. */
describe('ESDB test server with the real @eventstore/db-client', () => {
  let server: EsdbTestServer;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    server = await startEsdbTestServer();
    client = EventStoreDBClient.connectionString(server.connectionString);
  });
  afterAll(async () => {
    await client.dispose();
    await server.stop();
  });

  const stream = () => `s-${randomUUID()}`;
  const event = (type = 'Happened', data: Record<string, unknown> = {}) =>
    jsonEvent({ type, data, metadata: { actor: 'test' } });

  async function readAllOf<T>(iterable: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const x of iterable) out.push(x);
    return out;
  }

  it('connects with esdb://host:port?tls=false and falls back to plain Append (ServerFeatures is UNIMPLEMENTED)', async () => {
    expect(server.connectionString).toBe(`esdb://127.0.0.1:${server.port}?tls=false`);
    const result = await client.appendToStream(stream(), event());
    expect(result.success).toBe(true);
  });

  it('also connects through gossip discovery (esdb+discover://)', async () => {
    const discovering = EventStoreDBClient.connectionString(`esdb+discover://127.0.0.1:${server.port}?tls=false`);
    try {
      const s = stream();
      await discovering.appendToStream(s, event());
      expect(await readAllOf(discovering.readStream(s))).toHaveLength(1);
    } finally {
      await discovering.dispose();
    }
  });

  describe('append', () => {
    it('honours every kind of expected revision', async () => {
      const s = stream();
      const created = await client.appendToStream(s, event(), { expectedRevision: NO_STREAM });
      expect(created.nextExpectedRevision).toBe(0n);
      expect((await client.appendToStream(s, event(), { expectedRevision: STREAM_EXISTS })).nextExpectedRevision).toBe(1n);
      expect((await client.appendToStream(s, event(), { expectedRevision: 1n })).nextExpectedRevision).toBe(2n);
      expect((await client.appendToStream(s, [event(), event()], { expectedRevision: ANY })).nextExpectedRevision).toBe(4n);
    });

    it('gives every event commit == prepare; an append reports commit = last event, prepare = first event', async () => {
      const s = stream();
      const one = await client.appendToStream(s, event());
      const two = await client.appendToStream(s, [event(), event()]);
      expect(one.position!.commit).toBe(one.position!.prepare);
      expect(two.position!.commit).toBeGreaterThan(two.position!.prepare);
      expect(two.position!.prepare).toBeGreaterThan(one.position!.commit);
      const events = await readAllOf(client.readStream(s));
      for (const e of events) expect(e.event!.position!.commit).toBe(e.event!.position!.prepare);
      expect(events.map((e) => e.event!.position!.commit)).toEqual([one.position!.commit, two.position!.prepare, two.position!.commit]);
    });

    it('throws WrongExpectedVersionError from the wrong_expected_version response field', async () => {
      const s = stream();
      const missing = await client.appendToStream(s, event(), { expectedRevision: 3n }).catch((e) => e);
      expect(missing).toBeInstanceOf(WrongExpectedVersionError);
      expect(missing.actualVersion).toBe('no_stream');
      expect(missing.expectedVersion).toBe(3n);

      await client.appendToStream(s, event(), { expectedRevision: NO_STREAM });
      const exists = await client.appendToStream(s, event(), { expectedRevision: NO_STREAM }).catch((e) => e);
      expect(exists).toBeInstanceOf(WrongExpectedVersionError);
      expect(exists.actualVersion).toBe(0n);
      expect(exists.expectedVersion).toBe('no_stream');

      const stale = await client.appendToStream(s, event(), { expectedRevision: 5n }).catch((e) => e);
      expect(stale.actualVersion).toBe(0n);

      const notThere = await client.appendToStream(stream(), event(), { expectedRevision: STREAM_EXISTS }).catch((e) => e);
      expect(notThere).toBeInstanceOf(WrongExpectedVersionError);
      expect(notThere.expectedVersion).toBe('stream_exists');
    });

    it('is idempotent for the same event ids at the same place', async () => {
      const s = stream();
      const events = [event('A'), event('B')];
      const first = await client.appendToStream(s, events, { expectedRevision: NO_STREAM });
      const again = await client.appendToStream(s, events, { expectedRevision: NO_STREAM });
      expect(again).toEqual(first);
      const anyAgain = await client.appendToStream(s, events, { expectedRevision: ANY });
      expect(anyAgain).toEqual(first);

      const third = event('C');
      const afterOne = await client.appendToStream(s, third, { expectedRevision: 1n });
      expect(await client.appendToStream(s, third, { expectedRevision: 1n })).toEqual(afterOne);
      expect(await readAllOf(client.readStream(s))).toHaveLength(3);

      // The same ids at another place, or only some of them again, are a conflict.
      const elsewhere = await client.appendToStream(s, events, { expectedRevision: 0n }).catch((e) => e);
      expect(elsewhere).toBeInstanceOf(WrongExpectedVersionError);
      const partly = await client.appendToStream(s, [events[0], event('D')], { expectedRevision: ANY }).catch((e) => e);
      expect(partly).toBeInstanceOf(WrongExpectedVersionError);
    });

    it('keeps metadata, content type, created and ids', async () => {
      const s = stream();
      const id = randomUUID();
      const before = Date.now();
      await client.appendToStream(s, jsonEvent({ id, type: 'T', data: { a: [1, 'x'] }, metadata: { m: true } }));
      const [e] = await readAllOf(client.readStream(s));
      expect(e.event).toMatchObject({ id, type: 'T', streamId: s, revision: 0n, data: { a: [1, 'x'] }, metadata: { m: true }, isJson: true });
      expect(e.event!.created.getTime()).toBeGreaterThanOrEqual(before - 1);
    });
  });

  describe('read', () => {
    it('reads a stream forwards and backwards, from a revision, with a count', async () => {
      const s = stream();
      await client.appendToStream(s, [0, 1, 2, 3, 4].map((n) => event('N', { n })));
      const revisions = async (opts: Parameters<EventStoreDBClient['readStream']>[1]) =>
        (await readAllOf(client.readStream(s, opts))).map((e) => Number(e.event!.revision));
      expect(await revisions({})).toEqual([0, 1, 2, 3, 4]);
      expect(await revisions({ fromRevision: 2n, maxCount: 2 })).toEqual([2, 3]);
      expect(await revisions({ direction: BACKWARDS, fromRevision: END })).toEqual([4, 3, 2, 1, 0]);
      expect(await revisions({ direction: BACKWARDS, fromRevision: 1n })).toEqual([1, 0]);
      expect(await revisions({ direction: FORWARDS, fromRevision: END })).toEqual([]);
    });

    it('throws StreamNotFoundError for a missing stream', async () => {
      const error = await readAllOf(client.readStream(stream())).catch((e) => e);
      expect(error).toBeInstanceOf(StreamNotFoundError);
    });

    it('reads $all forwards (inclusive) and backwards (exclusive) from a position, with a count', async () => {
      const s = stream();
      await client.appendToStream(s, [0, 1, 2].map((n) => event('N', { n })));
      const mine = (await readAllOf(client.readAll())).filter((e) => e.event!.streamId === s);
      expect(mine.map((e) => e.event!.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
      const middle = mine[1].event!.position!;
      const forwards = await readAllOf(client.readAll({ fromPosition: middle, maxCount: 2 }));
      expect(forwards.map((e) => e.event!.data)).toEqual([{ n: 1 }, { n: 2 }]);
      const backwards = await readAllOf(client.readAll({ fromPosition: middle, direction: BACKWARDS, maxCount: 1 }));
      expect(backwards.map((e) => e.event!.data)).toEqual([{ n: 0 }]);
      const last = await readAllOf(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
      expect(last[0].event!.data).toEqual({ n: 2 });
      expect(await readAllOf(client.readAll({ fromPosition: START, direction: BACKWARDS }))).toEqual([]);
    });

    it('has no system events except the ones clients wrote, and honours $maxCount on stream reads', async () => {
      const s = stream();
      expect((await readAllOf(client.readAll())).filter((e) => e.event!.type.startsWith('$'))).toEqual([]);
      await client.setStreamMetadata(s, { maxCount: 2 });
      await client.appendToStream(s, [1, 2, 3].map((n) => event('N', { n })));
      expect((await readAllOf(client.readStream(s))).map((e) => e.event!.data)).toEqual([{ n: 2 }, { n: 3 }]);
      expect((await client.getStreamMetadata(s)).metadata).toEqual({ maxCount: 2 });
      const system = (await readAllOf(client.readAll())).filter((e) => e.event!.type.startsWith('$'));
      expect(system.map((e) => [e.event!.streamId, e.event!.type])).toEqual([[`$$${s}`, '$metadata']]);
    });
  });

  describe('subscriptions', () => {
    it('subscribes to $all with a filter: history after the start point, caught-up, then live, with checkpoints', async () => {
      const prefix = `sub${randomUUID().slice(0, 8)}`;
      await client.appendToStream(`${prefix}-1`, [event(`${prefix}.A`, { n: 1 }), event('Other'), event(`${prefix}.B`, { n: 2 })]);
      const [first] = await readAllOf(client.readStream(`${prefix}-1`));
      const checkpoints: Position[] = [];
      const sub = client.subscribeToAll({
        fromPosition: first.event!.position!,
        filter: eventTypeFilter({
          prefixes: [`${prefix}.`],
          maxSearchWindow: 1,
          checkpointInterval: 2,
          checkpointReached: (_s, p) => void checkpoints.push(p),
        }),
      });
      const seen: string[] = [];
      sub.on('caughtUp', () => {
        seen.push('caught-up');
        void client.appendToStream(`${prefix}-2`, [event('Other'), event(`${prefix}.C`, { n: 3 })]);
      });
      for await (const resolved of sub) {
        seen.push(`${resolved.event!.type}:${(resolved.event!.data as { n: number }).n}`);
        if (seen.length === 3) break;
      }
      await sub.unsubscribe();
      expect(seen).toEqual([`${prefix}.B:2`, 'caught-up', `${prefix}.C:3`]);
      expect(checkpoints.length).toBeGreaterThan(0);
      for (let i = 1; i < checkpoints.length; i++) expect(checkpoints[i].commit).toBeGreaterThan(checkpoints[i - 1].commit);
    });

    it('filters $all by stream name with a regex', async () => {
      const prefix = `re${randomUUID().slice(0, 8)}`;
      const sub = client.subscribeToAll({ fromPosition: END, filter: streamNameFilter({ regex: `^${prefix}-(a|c)$` }) });
      sub.once('caughtUp', () => {
        void (async () => {
          for (const name of ['a', 'b', 'c']) await client.appendToStream(`${prefix}-${name}`, event('X'));
        })();
      });
      const streams: string[] = [];
      for await (const resolved of sub) {
        streams.push(resolved.event!.streamId);
        if (streams.length === 2) break;
      }
      expect(streams).toEqual([`${prefix}-a`, `${prefix}-c`]);
    });

    it('subscribes to a stream: history exclusive of the revision, caught-up, live', async () => {
      const s = stream();
      await client.appendToStream(s, [0, 1].map((n) => event('N', { n })));
      const sub = client.subscribeToStream(s, { fromRevision: 0n });
      const seen: unknown[] = [];
      sub.on('caughtUp', () => {
        seen.push('caught-up');
        void client.appendToStream(s, event('N', { n: 2 }));
      });
      for await (const resolved of sub) {
        seen.push(resolved.event!.data);
        if (seen.length === 3) break;
      }
      expect(seen).toEqual([{ n: 1 }, 'caught-up', { n: 2 }]);
    });

    it('drops connections on demand, keeps the data, and the client reconnects', async () => {
      const s = stream();
      await client.appendToStream(s, event());
      const sub = client.subscribeToAll({ fromPosition: END });
      const failed = new Promise<Error>((resolve) => sub.once('error', resolve));
      await new Promise<void>((resolve) => sub.once('confirmation', resolve));
      await server.dropConnections();
      expect((await failed).constructor.name).toMatch(/Unavailable|Cancelled/);
      // The first call after the drop may still see the dead channel; the client then reconnects.
      let events: unknown[] | undefined;
      for (let attempt = 0; attempt < 5 && !events; attempt++) {
        events = await readAllOf(client.readStream(s)).catch(() => undefined);
      }
      expect(events).toHaveLength(1);
    });
  });
});
