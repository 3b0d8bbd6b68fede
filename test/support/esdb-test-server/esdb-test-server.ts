/**
 * Wire-level EventStoreDB test server: a @grpc/grpc-js server speaking the Streams (Read, Append) and Gossip (Read)
 * services with the protocol definitions that @eventstore/db-client itself ships, so that the real, unmodified client
 * can run against it. In-memory, single node, insecure. A test fixture, not a product: see README.md for what it
 * emulates and what it leaves out.
 */
import * as net from 'node:net';
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { GossipService } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { ClusterInfo, EndPoint, MemberInfo } from '@eventstore/db-client/generated/gossip_pb';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { EventLog, ExpectedRevision, ProposedRecord, RecordedRecord } from './event-log';

export interface EsdbTestServerOptions {
  /** Port clients connect to; 0 / absent: a free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Largest append (sum of data + metadata + type bytes), like the server's MaxAppendSize; default 1 MiB. */
  maxAppendSize?: number;
}

export interface EsdbTestServer {
  /** esdb://host:port?tls=false */
  connectionString: string;
  port: number;
  stop(): Promise<void>;
  /** Abruptly ends every active call and TCP connection (no GOAWAY); data is kept and the server keeps listening. */
  dropConnections(): Promise<void>;
}

/** The server reads this many events per page; it is also the default filter search window. */
const READ_BATCH_SIZE = 32;
const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;

export async function startEsdbTestServer(opts: EsdbTestServerOptions = {}): Promise<EsdbTestServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = new EventLog();
  const activeCalls = new Set<{ cancel(): void }>();
  let publicPort = 0;

  const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': 17 * 1024 * 1024 });
  grpcServer.addService(StreamsService, {
    read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) =>
      void handleRead(log, call, activeCalls).catch((err: Error) =>
        call.emit('error', { code: grpc.status.INTERNAL, details: `Test server failure: ${err.message}` }),
      ),
    append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) =>
      handleAppend(log, call, callback, opts.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE),
    // delete, tombstone, batchAppend: not provided → grpc-js answers UNIMPLEMENTED.
  });
  grpcServer.addService(GossipService, {
    read: (_call: grpc.ServerUnaryCall<Empty, ClusterInfo>, callback: grpc.sendUnaryData<ClusterInfo>) =>
      callback(null, clusterInfo(host, publicPort)),
  });
  // ServerFeatures is deliberately not served: the client treats UNIMPLEMENTED as "unknown server version, no
  // optional features" and therefore uses plain Streams.Append instead of BatchAppend.

  const internalPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );

  // Clients talk to a TCP pass-through in front of the gRPC server, so that dropConnections() can cut connections
  // abruptly using public APIs only.
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((downstream) => {
    const upstream = net.connect(internalPort, '127.0.0.1');
    sockets.add(downstream);
    sockets.add(upstream);
    downstream.setNoDelay(true);
    upstream.setNoDelay(true);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    const teardown = () => {
      sockets.delete(downstream);
      sockets.delete(upstream);
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(opts.port ?? 0, host, () => {
      proxy.off('error', reject);
      resolve();
    });
  });
  publicPort = (proxy.address() as net.AddressInfo).port;

  const dropConnections = async () => {
    for (const socket of [...sockets]) socket.resetAndDestroy();
    // The server side notices the reset on its own; make sure no call of ours lingers either way.
    for (const call of [...activeCalls]) call.cancel();
    await new Promise((resolve) => setImmediate(resolve));
  };

  let stopped = false;
  return {
    connectionString: `esdb://${host}:${publicPort}?tls=false`,
    port: publicPort,
    dropConnections,
    async stop() {
      if (stopped) return;
      stopped = true;
      const closed = new Promise<void>((resolve) => proxy.close(() => resolve()));
      await dropConnections();
      grpcServer.forceShutdown();
      await closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Streams.Append

function handleAppend(
  log: EventLog,
  call: grpc.ServerReadableStream<AppendReq, AppendResp>,
  callback: grpc.sendUnaryData<AppendResp>,
  maxAppendSize: number,
): void {
  let options: AppendReq.Options | undefined;
  const proposed: ProposedRecord[] = [];
  let size = 0;
  let failure: Partial<grpc.StatusObject> | undefined;
  let done = false;
  const finish = (err: Partial<grpc.StatusObject> | null, resp?: AppendResp) => {
    if (done) return;
    done = true;
    callback(err, resp);
  };

  call.on('data', (req: AppendReq) => {
    if (failure) return;
    if (!options) {
      if (!req.hasOptions()) {
        failure = { code: grpc.status.INVALID_ARGUMENT, details: 'First append message must carry the options.' };
        return;
      }
      options = req.getOptions()!;
      return;
    }
    const message = req.getProposedMessage();
    if (!message) {
      failure = { code: grpc.status.INVALID_ARGUMENT, details: 'Expected a proposed message.' };
      return;
    }
    const meta = message.getMetadataMap();
    const type = meta.get('type');
    const contentType = meta.get('content-type');
    const missing = type === undefined ? 'type' : contentType === undefined ? 'content-type' : undefined;
    if (missing) {
      failure = exceptionStatus(grpc.status.INVALID_ARGUMENT, `Missing required metadata property ${missing}`, {
        exception: 'missing-required-metadata-property',
        'required-metadata-properties': missing,
      });
      return;
    }
    const data = message.getData_asU8();
    const customMetadata = message.getCustomMetadata_asU8();
    size += data.length + customMetadata.length + Buffer.byteLength(type!);
    if (size > maxAppendSize) {
      failure = exceptionStatus(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
        exception: 'maximum-append-size-exceeded',
        'maximum-append-size': String(maxAppendSize),
      });
      return;
    }
    proposed.push({ id: uuidToString(message.getId()), type: type!, contentType: contentType!, data, customMetadata });
  });
  call.on('error', () => finish({ code: grpc.status.CANCELLED, details: 'Append call failed' }));
  call.on('end', () => {
    if (failure) return finish(failure);
    if (!options) return finish({ code: grpc.status.INVALID_ARGUMENT, details: 'No append options received.' });
    const stream = streamName(options.getStreamIdentifier());
    const expected = appendExpectation(options);
    const outcome = log.append(stream, expected, proposed);
    const resp = new AppendResp();
    if (outcome.ok) {
      const success = new AppendResp.Success();
      if (outcome.lastRevision < 0) success.setNoStream(new Empty());
      else success.setCurrentRevision(String(outcome.lastRevision));
      if (outcome.position === undefined) success.setNoPosition(new Empty());
      else {
        // Like EventStoreDB's WriteEventsCompleted: commit = position of the last event, prepare = position of the first
        // (the transaction position). Both are the event's own position for a single-event append.
        const position = new AppendResp.Position();
        position.setCommitPosition(String(outcome.position));
        position.setPreparePosition(String(outcome.firstPosition ?? outcome.position));
        success.setPosition(position);
      }
      resp.setSuccess(success);
    } else {
      // Reported in the response, not as a gRPC error: this is what EventStoreDB 21+ does for Streams.Append.
      const wev = new AppendResp.WrongExpectedVersion();
      if (outcome.currentRevision < 0) wev.setCurrentNoStream(new Empty());
      else wev.setCurrentRevision(String(outcome.currentRevision));
      switch (expected.kind) {
        case 'any':
          wev.setExpectedAny(new Empty());
          break;
        case 'stream_exists':
          wev.setExpectedStreamExists(new Empty());
          break;
        case 'no_stream':
          wev.setExpectedNoStream(new Empty());
          break;
        case 'revision':
          wev.setExpectedRevision(String(expected.revision));
          break;
      }
      resp.setWrongExpectedVersion(wev);
    }
    finish(null, resp);
  });
}

function appendExpectation(options: AppendReq.Options): ExpectedRevision {
  if (options.hasRevision()) return { kind: 'revision', revision: Number(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

// ---------------------------------------------------------------------------------------------------------------
// Streams.Read: reads and catch-up subscriptions

type Call = grpc.ServerWritableStream<ReadReq, ReadResp>;

interface EventPredicate {
  (record: RecordedRecord): boolean;
}

interface CompiledFilter {
  matches: EventPredicate;
  /** Checkpoint every `interval` considered events (multiplier × search window). */
  interval: number;
}

async function handleRead(log: EventLog, call: Call, activeCalls: Set<{ cancel(): void }>): Promise<void> {
  const options = call.request.getOptions();
  if (!options) {
    call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'Read options are required.' });
    return;
  }
  const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
  let filter: CompiledFilter | undefined;
  try {
    filter = options.hasFilter() ? compileFilter(options.getFilter()!) : undefined;
  } catch (err) {
    call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: (err as Error).message });
    return;
  }

  let closed = false;
  const handle = {
    cancel: () => {
      if (closed) return;
      closed = true;
      call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'Connection dropped by the test server' });
    },
  };
  activeCalls.add(handle);
  const onGone = () => {
    closed = true;
    activeCalls.delete(handle);
  };
  call.on('cancelled', onGone);
  call.on('close', onGone);
  call.on('error', onGone);

  const writer = new BackpressuredWriter(call, () => closed);
  try {
    if (options.hasSubscription()) {
      await subscribe(log, call, options, filter, structuredIds, writer, () => closed);
      return;
    }
    const count = options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    if (options.hasStream()) {
      const streamOptions = options.getStream()!;
      const name = streamName(streamOptions.getStreamIdentifier());
      const events = log.streamEvents(name);
      if (!events || events.length === 0) {
        const notFound = new ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(identifier(name));
        const resp = new ReadResp();
        resp.setStreamNotFound(notFound);
        await writer.write(resp);
      } else {
        const min = log.minimumReadableRevision(name);
        const last = events.length - 1;
        let from: number;
        if (streamOptions.hasRevision()) from = Number(streamOptions.getRevision());
        else if (streamOptions.hasEnd()) from = backwards ? last : last + 1;
        else from = 0;
        let sent = 0;
        if (backwards) {
          for (let r = Math.min(from, last); r >= min && sent < count && !closed; r--, sent++) {
            await writer.write(eventResp(events[r], structuredIds));
          }
        } else {
          for (let r = Math.max(from, min); r <= last && sent < count && !closed; r++, sent++) {
            await writer.write(eventResp(events[r], structuredIds));
          }
        }
      }
    } else {
      const all = options.getAll()!;
      let sent = 0;
      if (backwards) {
        let index = all.hasPosition()
          ? log.firstIndexAtOrAfter(Number(all.getPosition()!.getCommitPosition())) - 1
          : all.hasStart()
            ? -1
            : log.length - 1;
        for (; index >= 0 && sent < count && !closed; index--) {
          const record = log.at(index);
          if (filter && !filter.matches(record)) continue;
          await writer.write(eventResp(record, structuredIds));
          sent++;
        }
      } else {
        let index = all.hasPosition()
          ? log.firstIndexAtOrAfter(Number(all.getPosition()!.getCommitPosition()))
          : all.hasEnd()
            ? log.length
            : 0;
        for (; index < log.length && sent < count && !closed; index++) {
          const record = log.at(index);
          if (filter && !filter.matches(record)) continue;
          await writer.write(eventResp(record, structuredIds));
          sent++;
        }
      }
    }
    if (!closed) call.end();
  } finally {
    activeCalls.delete(handle);
  }
}

/**
 * Catch-up subscription: confirmation, history after the start point (exclusive), caught_up, then live events.
 * One cursor walks the global log for history and live alike, waiting for the client whenever the transport pushes
 * back, so a slow subscriber is never dropped and never skips anything.
 */
async function subscribe(
  log: EventLog,
  call: Call,
  options: ReadReq.Options,
  filter: CompiledFilter | undefined,
  structuredIds: boolean,
  writer: BackpressuredWriter,
  isClosed: () => boolean,
): Promise<void> {
  let cursor: number;
  let matches: EventPredicate;
  if (options.hasStream()) {
    const streamOptions = options.getStream()!;
    const name = streamName(streamOptions.getStreamIdentifier());
    let after: number;
    if (streamOptions.hasRevision()) after = Number(streamOptions.getRevision());
    else if (streamOptions.hasEnd()) after = log.currentRevision(name);
    else after = -1;
    cursor = streamOptions.hasEnd() ? log.length : 0;
    matches = (r) => r.stream === name && r.revision > after;
    filter = undefined; // server-side filters only apply to $all
  } else {
    const all = options.getAll()!;
    if (all.hasPosition()) cursor = log.firstIndexAfter(Number(all.getPosition()!.getCommitPosition()));
    else if (all.hasEnd()) cursor = log.length;
    else cursor = 0;
    matches = filter ? filter.matches : () => true;
  }

  const confirmation = new ReadResp.SubscriptionConfirmation();
  confirmation.setSubscriptionId(randomUUID());
  const confirm = new ReadResp();
  confirm.setConfirmation(confirmation);
  await writer.write(confirm);

  let caughtUp = false;
  let considered = 0;
  let pumping = false;
  let stopListening: () => void = () => {};

  const pump = async () => {
    if (pumping) return; // the running pump re-checks the log length before it stops
    pumping = true;
    try {
      while (!isClosed() && cursor < log.length) {
        const record = log.at(cursor++);
        if (matches(record)) await writer.write(eventResp(record, structuredIds));
        if (filter && ++considered >= filter.interval) {
          considered = 0;
          const checkpoint = new ReadResp.Checkpoint();
          checkpoint.setCommitPosition(String(record.position));
          checkpoint.setPreparePosition(String(record.position));
          const resp = new ReadResp();
          resp.setCheckpoint(checkpoint);
          await writer.write(resp);
        }
      }
      if (!caughtUp && !isClosed()) {
        caughtUp = true;
        const resp = new ReadResp();
        resp.setCaughtUp(new ReadResp.CaughtUp());
        await writer.write(resp);
      }
    } finally {
      pumping = false;
    }
    if (!isClosed() && cursor < log.length) void pump();
  };

  await new Promise<void>((resolve) => {
    const done = () => {
      stopListening();
      resolve();
    };
    call.on('cancelled', done);
    call.on('close', done);
    call.on('error', done);
    if (isClosed()) return done();
    stopListening = log.onAppend(() => void pump().catch(() => undefined));
    void pump().catch(() => undefined);
  });
}

/** Writes in order, waiting for 'drain' whenever grpc-js reports a full buffer. */
class BackpressuredWriter {
  constructor(
    private readonly call: Call,
    private readonly isClosed: () => boolean,
  ) {}

  async write(resp: ReadResp): Promise<void> {
    if (this.isClosed()) return;
    if (this.call.write(resp)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.call.off('drain', done);
        this.call.off('cancelled', done);
        this.call.off('close', done);
        resolve();
      };
      this.call.on('drain', done);
      this.call.on('cancelled', done);
      this.call.on('close', done);
    });
  }
}

function compileFilter(options: ReadReq.Options.FilterOptions): CompiledFilter {
  const onStream = options.hasStreamIdentifier();
  const expression = onStream ? options.getStreamIdentifier() : options.getEventType();
  if (!expression) throw new Error('A filter needs a stream identifier or an event type expression.');
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex();
  let test: (value: string) => boolean;
  if (prefixes.length > 0) test = (value) => prefixes.some((p) => value.startsWith(p));
  else if (regex) {
    const re = new RegExp(regex);
    test = (value) => re.test(value);
  } else test = () => true;
  const window = options.hasMax() && options.getMax() > 0 ? options.getMax() : READ_BATCH_SIZE;
  const multiplier = Math.max(1, options.getCheckpointintervalmultiplier());
  return {
    matches: onStream ? (r) => test(r.stream) : (r) => test(r.type),
    interval: multiplier * window,
  };
}

function eventResp(record: RecordedRecord, structuredIds: boolean): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(uuidMessage(record.id, structuredIds));
  recorded.setStreamIdentifier(identifier(record.stream));
  recorded.setStreamRevision(String(record.revision));
  recorded.setPreparePosition(String(record.position));
  recorded.setCommitPosition(String(record.position));
  const meta = recorded.getMetadataMap();
  meta.set('type', record.type);
  meta.set('content-type', record.contentType);
  meta.set('created', record.createdTicks.toString());
  recorded.setCustomMetadata(record.customMetadata);
  recorded.setData(record.data);
  const readEvent = new ReadResp.ReadEvent();
  readEvent.setEvent(recorded);
  readEvent.setCommitPosition(String(record.position));
  const resp = new ReadResp();
  resp.setEvent(readEvent);
  return resp;
}

// ---------------------------------------------------------------------------------------------------------------
// Gossip.Read: a one-member cluster (the client only asks for it with several hosts or esdb+discover://)

function clusterInfo(host: string, port: number): ClusterInfo {
  const endpoint = new EndPoint();
  endpoint.setAddress(host);
  endpoint.setPort(port);
  const member = new MemberInfo();
  member.setInstanceId(uuidMessage(INSTANCE_ID, false));
  member.setTimeStamp(String(BigInt(Date.now()) * 10_000n));
  member.setState(MemberInfo.VNodeState.LEADER);
  member.setIsAlive(true);
  member.setHttpEndPoint(endpoint);
  const info = new ClusterInfo();
  info.setMembersList([member]);
  return info;
}

const INSTANCE_ID = randomUUID();

// ---------------------------------------------------------------------------------------------------------------
// helpers

function streamName(id: StreamIdentifier | undefined): string {
  return id ? Buffer.from(id.getStreamName_asU8()).toString('utf8') : '';
}

function identifier(name: string): StreamIdentifier {
  const id = new StreamIdentifier();
  id.setStreamName(Uint8Array.from(Buffer.from(name, 'utf8')));
  return id;
}

function uuidToString(uuid: UUID | undefined): string {
  if (!uuid) return randomUUID();
  if (uuid.hasStructured()) {
    const s = uuid.getStructured()!;
    const buf = Buffer.alloc(16);
    buf.writeBigInt64BE(BigInt(s.getMostSignificantBits()), 0);
    buf.writeBigInt64BE(BigInt(s.getLeastSignificantBits()), 8);
    const hex = buf.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return uuid.getString().toLowerCase();
}

function uuidMessage(id: string, structured: boolean): UUID {
  const uuid = new UUID();
  if (!structured) {
    uuid.setString(id);
    return uuid;
  }
  const buf = Buffer.from(id.replace(/-/g, ''), 'hex');
  const s = new UUID.Structured();
  s.setMostSignificantBits(buf.readBigInt64BE(0).toString());
  s.setLeastSignificantBits(buf.readBigInt64BE(8).toString());
  uuid.setStructured(s);
  return uuid;
}

function exceptionStatus(code: grpc.status, details: string, entries: Record<string, string>): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return { code, details, metadata };
}
