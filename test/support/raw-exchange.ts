import { connect } from 'node:net';

export interface RawAnswer {
  /** undefined when the server closed the connection without an answer. */
  status?: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 exchange written byte for byte: for what fetch will not send (invalid UTF-8 in a header or a path,
 * duplicate headers, chunked and truncated bodies). `parts` are written in order with a pause between them; with
 * `halfClose` the client then ends its side, so a body shorter than its Content-Length stays short.
 */
export function rawRequest(url: string, head: string | Buffer, parts: Array<string | Buffer> = [], options: { halfClose?: boolean; timeoutMs?: number } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : (clearTimeout(timer), reject(e))));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parse(Buffer.concat(chunks).toString('latin1')));
    });
    socket.on('connect', async () => {
      socket.write(head);
      for (const part of parts) {
        await new Promise((r) => setTimeout(r, 5));
        if (!socket.writable) break;
        socket.write(part);
      }
      if (options.halfClose) socket.end();
    });
  });
}

function parse(text: string): RawAnswer {
  const end = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/1.1 ') || end < 0) return { headers: {}, body: '' };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
  let body = text.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    let out = '';
    for (let rest = body; rest.length > 0; ) {
      const nl = rest.indexOf('\r\n');
      const size = parseInt(rest.slice(0, nl), 16);
      if (!size) break;
      out += rest.slice(nl + 2, nl + 2 + size);
      rest = rest.slice(nl + 2 + size + 2);
    }
    body = out;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}
