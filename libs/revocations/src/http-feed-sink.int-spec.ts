import { createServer, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { AddressInfo } from 'node:net';
import { HttpFeedSink } from './http-feed-sink';
import { FeedChunk } from './revocation-feed';

/**
 * The feed's HTTP sink on a real node:http server, read byte for byte off a raw socket: the shared chunks it writes
 * to the socket itself must make the very bytes ServerResponse.write makes, chunk framing included, in order with
 * the response's own writes, and an HTTP/1.0 client (no chunked encoding) gets them unframed.
 */
describe('HttpFeedSink (real node:http)', () => {
  let server: Server;
  let port: number;
  let handle: (res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      handle(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** Every byte of the response, the status line and headers stripped, read until the server closes. */
  function rawBody(version: '1.0' | '1.1'): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(`GET /stream HTTP/${version}\r\nHost: x\r\nConnection: close\r\n\r\n`));
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => (text += d));
      socket.on('error', reject);
      socket.on('close', () => resolve(text.slice(text.indexOf('\r\n\r\n') + 4)));
    });
  }

  /** The feed's sequence: its first message through write, shared batches, a message of its own, more, the end. */
  function feed(res: ServerResponse, counted: { writes: number }) {
    const write = res.write.bind(res);
    res.write = ((...args: Parameters<ServerResponse['write']>) => (counted.writes++, write(...args))) as ServerResponse['write'];
    const sink = new HttpFeedSink(res);
    const batch = FeedChunk.of('id: 7\nevent: consent.revoked\ndata: {"é":1}\n\n');
    sink.write('retry: 2000\n: connected\n\n');
    sink.writeShared(batch);
    sink.writeShared(FeedChunk.of(': heartbeat\n\n'));
    sink.write('event: dropped\ndata: {}\n\n');
    sink.writeShared(batch);
    sink.end();
  }

  it('writes shared chunks to the socket as one framed write each, byte for byte what res.write would frame', async () => {
    const counted = { writes: 0 };
    handle = (res) => feed(res, counted);
    const body = await rawBody('1.1');
    const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
    const revocation = 'id: 7\nevent: consent.revoked\ndata: {"é":1}\n\n';
    expect(Buffer.from(body, 'latin1').toString('utf8')).toBe(
      chunk('retry: 2000\n: connected\n\n') + chunk(revocation) + chunk(': heartbeat\n\n') + chunk('event: dropped\ndata: {}\n\n') + chunk(revocation) + '0\r\n\r\n',
    );
    // The two messages of the feed's own; the shared chunks did not take the response's write path.
    expect(counted.writes).toBe(2);
  });

  it('sends the same messages unframed to an HTTP/1.0 client, whose response is not chunked', async () => {
    handle = (res) => feed(res, { writes: 0 });
    const body = await rawBody('1.0');
    const revocation = 'id: 7\nevent: consent.revoked\ndata: {"é":1}\n\n';
    expect(Buffer.from(body, 'latin1').toString('utf8')).toBe('retry: 2000\n: connected\n\n' + revocation + ': heartbeat\n\n' + 'event: dropped\ndata: {}\n\n' + revocation);
  });

  it('frames a shared chunk once, however many subscribers it goes to', () => {
    const chunk = FeedChunk.of('id: 1\n\n');
    expect(chunk.chunked()).toBe(chunk.chunked());
    expect(chunk.chunked().toString()).toBe('7\r\nid: 1\n\n\r\n');
  });

  it('goes through res.write while the headers are not on the socket yet', async () => {
    const counted = { writes: 0 };
    handle = (res) => {
      const write = res.write.bind(res);
      res.write = ((...args: Parameters<ServerResponse['write']>) => (counted.writes++, write(...args))) as ServerResponse['write'];
      const sink = new HttpFeedSink(res);
      sink.writeShared(FeedChunk.of('id: 1\n\n'));
      sink.end();
    };
    expect(await rawBody('1.1')).toBe('7\r\nid: 1\n\n\r\n0\r\n\r\n');
    expect(counted.writes).toBe(1);
  });
});
