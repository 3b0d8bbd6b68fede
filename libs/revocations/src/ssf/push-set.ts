import { Agent, request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** RFC 8935 section 2.2: what a POST of one SET came to. */
export type PushOutcome =
  /** 202: the receiver has it; the stream's checkpoint may pass it. */
  | { kind: 'accepted' }
  /** 400 with an RFC 8935 section 2.3 error: the receiver refuses this SET; sending it again would not help. */
  | { kind: 'rejected'; err: string; description: string }
  /** Anything else (network error, timeout, 3xx, 4xx without an err, 5xx, another 2xx): try again later. */
  | { kind: 'failed'; reason: string };

export interface PushOptions {
  /** The whole exchange, from connecting to the answer's last byte. */
  timeoutMs: number;
  /** Read at most this much of an answer; the rest is dropped with the connection. */
  maxResponseBytes?: number;
  /** Ends the exchange at once (the worker is stopping): a failure, so the SET is sent again later. */
  signal?: AbortSignal;
  /** Kept-alive connections to reuse (an https.Agent for https); none: a connection of its own. */
  agent?: Agent;
}

export const MAX_PUSH_RESPONSE_BYTES = 64 * 1024;
const ERROR_TOKEN = /^[\x21-\x7e]{1,64}$/;

/**
 * POSTs one SET (RFC 8935 section 2): `application/secevent+jwt`, the receiver's authorization header if it gave
 * one, node's own http client, so nothing follows a redirect (a 3xx is a failure like a 5xx: the endpoint was
 * allowed, where it points is not), the time is bounded by timeoutMs and the answer read is bounded in size. Never
 * throws: every way it can go is an outcome, and no outcome carries the header or the SET.
 */
export function pushSet(endpoint: string, set: string, authorization: string | null, options: PushOptions): Promise<PushOutcome> {
  const limit = options.maxResponseBytes ?? MAX_PUSH_RESPONSE_BYTES;
  return new Promise((resolve) => {
    let settled = false;
    let complete = false;
    const done = (outcome: PushOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A connection whose answer was read to its end goes back to the agent; any other is closed.
      if (outcome.kind === 'failed' || !options.agent || !complete) req.destroy();
      resolve(outcome);
    };
    const url = new URL(endpoint);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string | number> = { 'content-type': 'application/secevent+jwt', accept: 'application/json', 'content-length': Buffer.byteLength(set) };
    if (authorization !== null) headers.authorization = authorization;
    const req = send(url, { method: 'POST', headers, agent: options.agent ?? false }, (res) =>
      void readAnswer(res, limit).then(
        ({ body, whole }) => ((complete = whole), done(outcomeOf(res.statusCode ?? 0, body))),
        () => done({ kind: 'failed', reason: 'the answer broke off' }),
      ),
    );
    const timer = setTimeout(() => done({ kind: 'failed', reason: `no answer within ${options.timeoutMs} ms` }), options.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => done({ kind: 'failed', reason: error.code ?? 'network error' }));
    const abort = () => done({ kind: 'failed', reason: 'stopped' });
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    req.on('close', () => options.signal?.removeEventListener('abort', abort));
    req.end(set);
  });
}

async function readAnswer(res: IncomingMessage, limit: number): Promise<{ body: string; whole: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    chunks.push(chunk.subarray(0, limit - size));
    size += chunk.length;
    // Enough to judge the answer by: an RFC 8935 error is a small JSON object.
    if (size >= limit) return { body: Buffer.concat(chunks).toString('utf8'), whole: false };
  }
  return { body: Buffer.concat(chunks).toString('utf8'), whole: true };
}

function outcomeOf(status: number, body: string): PushOutcome {
  if (status === 202) return { kind: 'accepted' };
  if (status === 400) {
    const error = rfc8935Error(body);
    if (error) return { kind: 'rejected', ...error };
  }
  return { kind: 'failed', reason: `HTTP ${status}` };
}

/** `{"err": "...", "description": "..."}`; an err that is not a short printable token is no RFC 8935 answer. */
function rfc8935Error(body: string): { err: string; description: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { err?: unknown; description?: unknown };
    if (typeof parsed?.err !== 'string' || !ERROR_TOKEN.test(parsed.err)) return undefined;
    return { err: parsed.err, description: typeof parsed.description === 'string' ? parsed.description.slice(0, 1024) : '' };
  } catch {
    return undefined;
  }
}
