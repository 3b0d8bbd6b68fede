import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify, JWTPayload } from 'jose';

/** A SET as an RFC 8935 receiver got it: verified, with the request's Authorization header. */
export interface PushedSet {
  jti: string;
  claims: JWTPayload & Record<string, any>;
  authorization: string | undefined;
  contentType: string | undefined;
}

/** What the receiver answers a verified SET: a status with an optional JSON body and headers, or no answer at all. */
export type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hold';

/**
 * An RFC 8935 push receiver written from the RFCs alone (RFC 8935 section 2, RFC 8417, SSF 1.0), sharing no code with
 * the transmitter: it verifies each SET with jose against the transmitter's JWKS (RS256, typ secevent+jwt, iss, aud),
 * answers as `answer` says (202 by default), and keeps every attempt and every accepted SET. It can go away
 * (connection refused) and come back on the same port.
 */
export class PushReceiver {
  readonly attempts: PushedSet[] = [];
  /** The SETs answered 202, in arrival order. */
  readonly accepted: PushedSet[] = [];
  answer: (set: PushedSet) => Answer = () => ({ status: 202 });
  private server?: Server;
  private readonly held = new Set<ServerResponse>();
  private jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    readonly port: number,
    private readonly expected: { issuer: string; audience: string },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/events`;
  }

  use(jwksUri: string): void {
    this.jwks = createRemoteJWKSet(new URL(jwksUri));
  }

  /** Accepted SETs once each, by jti (a SET pushed again after a crash is the same SET). */
  unique(): PushedSet[] {
    const seen = new Map<string, PushedSet>();
    for (const s of this.accepted) if (!seen.has(s.jti)) seen.set(s.jti, s);
    return [...seen.values()];
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', () => resolve()));
    this.server = server;
  }

  /** Down: connections are refused until start() again. Held requests are dropped unanswered. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const res of this.held) res.destroy();
    this.held.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/events' || !this.jwks) return void res.writeHead(404).end();
    let set: PushedSet;
    try {
      const { payload } = await jwtVerify(Buffer.concat(chunks).toString('utf8'), this.jwks, { issuer: this.expected.issuer, audience: this.expected.audience, typ: 'secevent+jwt', algorithms: ['RS256'] });
      set = { jti: payload.jti as string, claims: payload as PushedSet['claims'], authorization: req.headers.authorization, contentType: req.headers['content-type'] };
    } catch (error) {
      // RFC 8935 section 2.4: a SET that does not verify is answered with an err.
      return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_key', description: String(error) }));
    }
    this.attempts.push(set);
    const answer = this.answer(set);
    if (answer === 'hold') return void this.held.add(res);
    if (answer.status === 202) this.accepted.push(set);
    const body = answer.body === undefined ? undefined : JSON.stringify(answer.body);
    res.writeHead(answer.status, { ...(body ? { 'content-type': 'application/json' } : {}), ...answer.headers }).end(body);
  }
}
