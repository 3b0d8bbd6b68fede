import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  Position,
  START,
  StreamNotFoundError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
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

  it('connects with esdb://host:port?tls=false', async () => {
    expect(server.connectionString).toBe(`esdb://127.0.0.1:${server.port}?tls=false`);
    const result = await client.appendToStream(stream(), event());
    expect(result.success).toBe(true);
  });

  it('answers ServerFeatures as EventStoreDB 24.10, listing only what it serves, so the client appends with plain Append', async () => {
    const fresh = EventStoreDBClient.connectionString(server.connectionString);
    // What the client concluded from the answer: protected in its typings, read here as the client itself reads it.
    const { capabilities } = fresh as unknown as {
      capabilities: Promise<{ serverVersion: string; supports(method: unknown, feature?: string): boolean }>;
    };
    try {
      const features = await capabilities;
      expect(features.serverVersion).toBe('24.10.0');
      expect(features.supports(StreamsService.read, 'position')).toBe(true);
      expect(features.supports(StreamsService.batchAppend)).toBe(false);
      const appends = server.servedCalls('Streams.Append');
      await fresh.appendToStream(stream(), [event(), event()]);
      expect(server.servedCalls('Streams.Append')).toBe(appends + 1);
    } finally {
      await fresh.dispose();
    }
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
