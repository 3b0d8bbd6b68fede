import type { Duplex } from 'node:stream';
import { Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { isLingering, lingerThenDestroy } from './lingering-close';
import { problem, ProblemError } from './problem';
import { errorAnswer } from './problem-details.filter';

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (oversized headers, a timeout, bytes that are no
 * HTTP). They get the same mapper as every other refusal: problem+json, or RFC 6749 JSON when the request line that
 * Node had read names an OAuth path, since OAuth libraries parse only that. The path is the request line's in the
 * packet Node choked on, else that of the request whose body broke off (a bad chunk), else unknown (headers so
 * large that the request line was in an earlier packet), and then the answer is problem+json.
 */
export function answerClientError(error: Error & { code?: string; rawPacket?: unknown }, socket: Duplex): void {
  // The parser refuses every packet after the first too; the connection is already closing in stages.
  if (isLingering(socket as Socket)) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // A request refused before its body was read (401, 413, 415) has had its answer, and a second one on the same
  // connection would be read as the answer to the next request: the close alone. Node's own clientError handling
  // makes the same check (the response the socket is writing has put bytes on it: _headerSent, not headersSent,
  // which is true from writeHead on, before anything is written).
  if ((socket as Duplex & { _httpMessage?: { _headerSent?: boolean } })._httpMessage?._headerSent) {
    lingerThenDestroy(socket as Socket);
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const refusal = problem(status, status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'malformed_request', STATUS_CODES[status] ?? 'Bad request');
  // Node hands over the bytes it choked on as a Buffer (Fastify's type for it says otherwise).
  const path = requestPath(Buffer.isBuffer(error.rawPacket) ? error.rawPacket : undefined) || ((socket as PathHolder)[LAST_PATH] ?? '');
  const answer = errorAnswer(new ProblemError(refusal), path);
  const body = JSON.stringify(answer.body);
  const headers = Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  // The rest of the request may still be coming (headers past the limit, a body after a bad chunk): closed at once
  // with it unread, the connection is reset, and a reset can destroy the answer before the client reads it.
  lingerThenDestroy(socket as Socket);
}

/** The path of the request line at the start of `packet`, without the query; '' when there is none. */
export function requestPath(packet: Buffer | undefined): string {
  const line = packet?.subarray(0, 4096).toString('latin1').split('\r\n', 1)[0] ?? '';
  const target = /^[A-Z]{3,10} (\S+) HTTP\/1\.[01]/.exec(line)?.[1] ?? '';
  return target.startsWith('/') ? target.split('?')[0].slice(0, 200) : '';
}

const LAST_PATH = Symbol('requestPath');
type PathHolder = Duplex & { [LAST_PATH]?: string };

/**
 * Keeps on each connection the path of the request it is reading, for answerClientError, from the moment its
 * headers are parsed until its answer is sent (forgetRequestPath): a property set per request, nothing allocated.
 */
export function rememberRequestPaths(server: Server): void {
  server.on('request', (request) => {
    (request.socket as PathHolder)[LAST_PATH] = String(request.url ?? '').split('?')[0].slice(0, 200);
  });
}

/** The answer is out: a refusal Node's parser makes on this connection next is about another request. */
export function forgetRequestPath(socket: Duplex): void {
  (socket as PathHolder)[LAST_PATH] = undefined;
}
