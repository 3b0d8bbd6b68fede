import type { Socket } from 'node:net';

/** How long, and how much, a closing connection is still read after its answer: enough for the client to see it. */
const LINGER_MS = 2_000;
const LINGER_BYTES = 1024 * 1024;
const CHECK_MS = 50;

/**
 * Makes Node close this connection in stages (RFC 9112 §9.6) once its answer is out. Node's own close after an
 * answer with `Connection: close` destroys the socket as soon as the answer is handed to the kernel; when the
 * client's unread body is still in the receive buffer, Linux then sends a reset instead of a FIN and drops what it
 * had not yet transmitted, so the client can lose the 401, 413 or 415 that told it why. Here the write side is closed
 * first (FIN after the answer), and the rest of the body is read and discarded (Node's parser dumps it) until the
 * client closes too, or LINGER_BYTES more arrive, or LINGER_MS pass: a client that never stops is still cut off.
 * Only refusals given before the body was read take this path, so the per-request cost elsewhere is nil.
 */
export function closeInStages(socket: Socket): void {
  (socket as Socket & { destroySoon: () => void }).destroySoon = function lingeringClose(this: Socket) {
    lingerThenDestroy(this);
  };
}

const LINGERING = Symbol('lingering');

/** Whether this connection is already closing in stages (lingerThenDestroy): what else arrives on it is dropped. */
export function isLingering(socket: Socket): boolean {
  return (socket as Socket & { [LINGERING]?: true })[LINGERING] === true;
}

/**
 * The staged close itself, for an answer already written: FIN, then the client's bytes read and dropped until it
 * closes too, LINGER_BYTES more arrive or LINGER_MS pass. Also the close of what Node's parser refuses
 * (client-error.ts), where the rest of the request is just as likely to be on its way.
 */
export function lingerThenDestroy(socket: Socket): void {
  if (isLingering(socket)) return;
  (socket as Socket & { [LINGERING]?: true })[LINGERING] = true;
  if (socket.writable) socket.end();
  const start = socket.bytesRead;
  const deadline = Date.now() + LINGER_MS;
  const check = setInterval(() => {
    if (socket.destroyed || socket.bytesRead - start > LINGER_BYTES || Date.now() >= deadline) stop();
  }, CHECK_MS);
  check.unref();
  const stop = () => {
    clearInterval(check);
    socket.destroy();
  };
  socket.once('end', stop);
  socket.once('error', stop);
  socket.once('close', () => clearInterval(check));
}
