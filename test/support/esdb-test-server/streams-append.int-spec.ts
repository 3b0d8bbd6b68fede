import { randomUUID } from 'node:crypto';
import { ANY, EventStoreDBClient, NO_STREAM, STREAM_EXISTS, WrongExpectedVersionError, jsonEvent } from '@eventstore/db-client';
import { EsdbTestServer, startEsdbTestServer } from './esdb-test-server';

/** Streams.Append of the wire-level test server, through the real, unmodified @eventstore/db-client. */
describe('ESDB test server: append', () => {
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

  it('honours every kind of expected revision', async () => {
    const s = stream();
    const created = await client.appendToStream(s, event(), { expectedRevision: NO_STREAM });
    expect(created.nextExpectedRevision).toBe(0n);
    expect((await client.appendToStream(s, event(), { expectedRevision: STREAM_EXISTS })).nextExpectedRevision).toBe(1n);
    expect((await client.appendToStream(s, event(), { expectedRevision: 1n })).nextExpectedRevision).toBe(2n);
    expect((await client.appendToStream(s, [event(), event()], { expectedRevision: ANY })).nextExpectedRevision).toBe(4n);
  });

  it('gives every event commit == prepare; an append answers its last event’s position as both (EventStoreDB 22.6+)', async () => {
    const s = stream();
    const one = await client.appendToStream(s, event());
    const batch = [event(), event(), event()];
    const three = await client.appendToStream(s, batch);
    expect(one.position!.commit).toBe(one.position!.prepare);
    expect(three.position!.commit).toBe(three.position!.prepare);
    const events = await readAllOf(client.readStream(s));
    for (const e of events) expect(e.event!.position!.commit).toBe(e.event!.position!.prepare);
    const positions = events.map((e) => e.event!.position!.commit);
    expect(positions[0]).toBe(one.position!.commit);
    expect(positions[3]).toBe(three.position!.commit);
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
    // An idempotent re-append answers the same: the last stored event’s position.
    expect((await client.appendToStream(s, batch, { expectedRevision: 0n })).position).toEqual(three.position);
  });

  it('accepts stream_exists on a stream that has only metadata, as EventStoreDB does', async () => {
    const s = stream();
    await client.setStreamMetadata(s, { maxCount: 10 });
    const result = await client.appendToStream(s, event(), { expectedRevision: STREAM_EXISTS });
    expect(result.nextExpectedRevision).toBe(0n);
    expect(await readAllOf(client.readStream(s))).toHaveLength(1);
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

  describe('with a small window of recently written ids (idempotencyWindow: 3)', () => {
    let small: EsdbTestServer;
    let smallClient: EventStoreDBClient;
    beforeAll(async () => {
      small = await startEsdbTestServer({ idempotencyWindow: 3 });
      smallClient = EventStoreDBClient.connectionString(small.connectionString);
    });
    afterAll(async () => {
      await smallClient.dispose();
      await small.stop();
    });

    it('recognises an any / stream_exists re-append only while its ids are recent; past that it writes them again', async () => {
      const s = stream();
      const events = [event('A'), event('B')];
      const first = await smallClient.appendToStream(s, events, { expectedRevision: ANY });
      expect(await smallClient.appendToStream(s, events, { expectedRevision: STREAM_EXISTS })).toEqual(first);
      // Two more events elsewhere push both ids out of a window of three.
      await smallClient.appendToStream(stream(), [event(), event()]);
      const again = await smallClient.appendToStream(s, events, { expectedRevision: ANY });
      expect(again.nextExpectedRevision).toBe(3n);
      const stored = await readAllOf(smallClient.readStream(s));
      expect(stored.map((e) => e.event!.id)).toEqual([...events, ...events].map((e) => e.id));
    });

    it('recognises a re-append with an exact expected revision at any age: those ids are compared with the stream', async () => {
      const s = stream();
      const events = [event('A'), event('B')];
      const first = await smallClient.appendToStream(s, events, { expectedRevision: NO_STREAM });
      await smallClient.appendToStream(stream(), [event(), event(), event(), event()]);
      expect(await smallClient.appendToStream(s, events, { expectedRevision: NO_STREAM })).toEqual(first);
      expect((await smallClient.appendToStream(s, [events[1]], { expectedRevision: 0n })).nextExpectedRevision).toBe(1n);
      expect(await readAllOf(smallClient.readStream(s))).toHaveLength(2);
    });
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
