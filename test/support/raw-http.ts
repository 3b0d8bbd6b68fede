import { once } from 'node:events';
import { request } from 'node:http';
import { connect, Socket } from 'node:net';

const portOf = (url: string) => Number(new URL(url).port);

/** A raw TCP connection to the service, with everything it answered collected as text. */
export async function rawSocket(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(portOf(url), '127.0.0.1');
  let text = '';
  socket.on('data', (d) => (text += d.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return { socket, received: () => text, closed };
}

/** One 16 KiB chunk of a chunked body, and the head of a chunked POST with the given headers. */
const CHUNK = Buffer.concat([Buffer.from('4000\r\n'), Buffer.alloc(0x4000, 'a'), Buffer.from('\r\n')]);
const chunkedHead = (headers: Record<string, string>) => Object.entries({ host: 'ledger', 'transfer-encoding': 'chunked', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');

/**
 * Streams a chunked request body of 16 KiB chunks, one at a time, until the server closes the connection or `cap`
 * bytes are written. The written count is what the server could have read, give or take the sockets' buffers.
 */
export async function slowChunkedPost(url: string, path: string, headers: Record<string, string>, cap: number): Promise<{ response: string; written: number; closedByServer: boolean }> {
  const { socket, received, closed } = await rawSocket(url);
  let gone = false;
  void closed.then(() => (gone = true));
  const head = chunkedHead(headers);
  socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
  const chunk = CHUNK;
  let written = 0;
  while (!gone && written < cap) {
    await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
    written += chunk.length;
    // Pacing, so that what the kernel buffers stays small next to the cap; nothing is measured by time.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const closedByServer = gone;
  socket.destroy();
  return { response: received(), written, closedByServer };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One request through node:http, so that a body can be sent chunked (no Content-Length) and headers exactly as given. */
export function send(url: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string; chunked?: boolean }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const headers = { ...options.headers, ...(body && !options.chunked ? { 'content-length': String(body.length) } : {}) };
    const req = request({ host: '127.0.0.1', port: portOf(url), path, method: options.method ?? 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    if (body && options.chunked) for (let i = 0; i < body.length; i += 1000) req.write(body.subarray(i, i + 1000));
    else if (body) req.write(body);
    req.end();
  });
}

/**
 * Writes a whole chunked request body of `size` bytes at once, so that what the server does not read is still in its
 * receive buffer when it answers. Once the server's FIN arrives the client writes one more chunk and then closes its
 * side, as a client does that sends its body to the end. `errors` holds the socket errors seen: a server that closes
 * with unread bytes sends a reset, and the client sees ECONNRESET or EPIPE instead of a clean close.
 */
export async function wholeChunkedPost(url: string, path: string, headers: Record<string, string>, size: number): Promise<{ response: string; errors: string[] }> {
  return wholeRequest(url, `POST ${path} HTTP/1.1\r\n${chunkedHead(headers)}\r\n`, CHUNK, size, '0\r\n\r\n');
}

/**
 * Writes `head` and then `filler` until `size` bytes are out, all at once, as a client that writes its whole request
 * before it reads does; once the server has closed its side, one more filler, `last` and a close. A server that closes in
 * stages reads on until then; one that closes at once resets the connection (ECONNRESET, EPIPE in `errors`).
 */
export async function wholeRequest(url: string, head: string, filler: Buffer, size: number, last = ''): Promise<{ response: string; errors: string[] }> {
  const socket = connect({ port: portOf(url), host: '127.0.0.1', allowHalfOpen: true });
  let text = '';
  const errors: string[] = [];
  socket.on('data', (d) => (text += d.toString('latin1')));
  socket.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  socket.write(Buffer.concat([Buffer.from(head), ...Array.from({ length: Math.ceil(size / filler.length) }, () => filler)]));
  socket.once('end', () => {
    if (!socket.destroyed) socket.write(filler, () => socket.end(last));
  });
  await closed;
  return { response: text, errors };
}
