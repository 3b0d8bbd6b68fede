/**
 * Wire-level EventStoreDB test server: a @grpc/grpc-js server speaking the Streams (Read, Append), Gossip (Read) and
 * ServerFeatures (GetSupportedMethods) services with the protocol definitions that @eventstore/db-client itself
 * ships, so that the real, unmodified client can run against it. In-memory, single node, insecure. A test fixture,
 * not a product: see README.md for what it emulates and what it leaves out. One file per service
 * (streams-append.ts, streams-read.ts with streams-subscription.ts, gossip.ts, server-features.ts); event-log.ts
 * holds the data and the append rules, wire.ts the message helpers.
 */
import * as net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { GossipService } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { ClusterInfo } from '@eventstore/db-client/generated/gossip_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { EventLog } from './event-log';
import { clusterInfo } from './gossip';
import { supportedMethods } from './server-features';
import { handleAppend } from './streams-append';
import { handleRead } from './streams-read';

export interface EsdbTestServerOptions {
  /** Port clients connect to; 0 / absent: a free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Largest append (sum of data + metadata + type bytes), like the server's MaxAppendSize; default 1 MiB. */
  maxAppendSize?: number;
  /**
   * How many of the most recently written event ids an `any` / `stream_exists` append is recognised by, as in
   * EventStoreDB's bounded cache of committed event ids (DEFAULT_IDEMPOTENCY_WINDOW). Past it, such a re-append is
   * written again. Appends with an exact expected revision (or no_stream) are checked against the stream at any age.
   */
  idempotencyWindow?: number;
  /**
   * The clock that stamps each appended event's `created` (epoch ms); Date.now by default. Lets a test import a log
   * recorded elsewhere with the times it was recorded at, as a migration into EventStoreDB would keep them in metadata.
   */
  now?: () => number;
}

export interface EsdbTestServer {
  /** esdb://host:port?tls=false */
  connectionString: string;
  port: number;
  stop(): Promise<void>;
  /** Abruptly ends every active call and TCP connection (no GOAWAY); data is kept and the server keeps listening. */
  dropConnections(): Promise<void>;
  /**
   * How many calls of a method the server has been asked to serve so far, e.g. 'Streams.Read': lets a test see what
   * a client sends for an operation (say, whether an append is followed by a read).
   */
  servedCalls(method: ServedMethod): number;
}

export type ServedMethod = 'Streams.Read' | 'Streams.Append' | 'Gossip.Read' | 'ServerFeatures.GetSupportedMethods';

const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;

export async function startEsdbTestServer(opts: EsdbTestServerOptions = {}): Promise<EsdbTestServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = new EventLog(opts.idempotencyWindow, opts.now);
  const activeCalls = new Set<{ cancel(): void }>();
  const served = new Map<ServedMethod, number>();
  const count = (method: ServedMethod) => served.set(method, (served.get(method) ?? 0) + 1);
  let publicPort = 0;

  const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': 17 * 1024 * 1024 });
  grpcServer.addService(StreamsService, {
    read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => {
      count('Streams.Read');
      void handleRead(log, call, activeCalls).catch((err: Error) =>
        call.emit('error', { code: grpc.status.INTERNAL, details: `Test server failure: ${err.message}` }),
      );
    },
    append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) => {
      count('Streams.Append');
      handleAppend(log, call, callback, opts.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE);
    },
    // delete, tombstone, batchAppend: not provided → grpc-js answers UNIMPLEMENTED.
  });
  grpcServer.addService(GossipService, {
    read: (_call: grpc.ServerUnaryCall<Empty, ClusterInfo>, callback: grpc.sendUnaryData<ClusterInfo>) => {
      count('Gossip.Read');
      callback(null, clusterInfo(host, publicPort));
    },
  });
  grpcServer.addService(ServerFeaturesService, {
    getSupportedMethods: (_call: grpc.ServerUnaryCall<Empty, SupportedMethods>, callback: grpc.sendUnaryData<SupportedMethods>) => {
      count('ServerFeatures.GetSupportedMethods');
      callback(null, supportedMethods());
    },
  });

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
    servedCalls: (method) => served.get(method) ?? 0,
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
