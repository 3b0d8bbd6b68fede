import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { canonicalJson } from '@ledger/audit';
import { NodeState } from '../infrastructure/node-state';
import { callerOf, initiatorOf } from './request-context';
import { problem, ProblemError } from './problem';
import { AddRouteConfig, routeOf } from './route-of';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Stored instead of a response that holds a secret: the retry re-runs the command, which is deterministic then. */
const REEXECUTE = '"__reexecute__"';

interface IdempotentOptions {
  /**
   * false for responses that carry a secret (a raw token): they are never stored. The command then records the key
   * in its own stream, where every instance sees it, and answers a retry itself (IssueToken); the record here only
   * refuses another body early on this instance.
   */
  storeResponse: boolean;
}

/** What a command needs to know about an idempotent request: never the raw key alone, always with its hashes. */
export interface IdempotentRequest {
  key: string;
  /** SHA-256 hex of (caller, route, key): keys are scoped by caller and route. */
  keyHash: string;
  /** SHA-256 hex of the URL and the canonical JSON body: key order and whitespace do not make another request. */
  fingerprint: string;
}

/** What the route's decorators told the hook, read once when the route is registered. */
export interface IdempotentRoute extends IdempotentOptions {
  /** The status of the route's answer, stored with it (@HttpCode, or Nest's default for the method). */
  status: number;
  /** Who may call the route: RoleGuard's decision, asked before a replay (see assertRouteAccess). */
  assertAccess: (request: FastifyRequest) => void;
}

/** Config key of @Idempotent() routes: the options, and the handler and controller that carry the role metadata. */
export const IDEMPOTENT_CONFIG = 'ledgerIdempotent';
export interface IdempotentConfig {
  options: IdempotentOptions;
  handler: Function;
  controller: Function;
}

const PENDING = Symbol('idempotent');
interface Pending {
  key: string;
  fingerprint: string;
  /** A replay that runs the command again (REEXECUTE): its answer is not stored over the record. */
  replayed: boolean;
  release: () => void;
}
type WithPending = FastifyRequest & { [PENDING]?: Pending };

/**
 * `Idempotency-Key` on a command route: a retry with the same key and body gets the first answer and appends
 * nothing; the same key with another body is refused. Keys are scoped by caller and route. Requests with the same
 * key are serialised, so two in flight cannot both execute. A key stands for its request for
 * LEDGER_IDEMPOTENCY_TTL_SECONDS; after that it is free again.
 *
 * Route hooks (preHandler, onSend) rather than a Nest interceptor: an interceptor costs every request of its route
 * an rxjs pipeline and two AsyncResource.bind calls, key or no key; a request without a key passes these hooks with
 * one header read. A replay is answered before Nest's guards run, so the hook asks RoleGuard's rule first.
 */
export class IdempotencyHooks {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly nodeState: NodeState) {}

  preHandler(route: IdempotentRoute) {
    return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
      if (request.headers['idempotency-key'] === undefined) return done();
      this.before(route, request, reply).then((replayed) => (replayed ? undefined : done()), done);
    };
  }

  onSend(route: IdempotentRoute) {
    return (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void => {
      const pending = (request as WithPending)[PENDING];
      if (pending !== undefined) {
        (request as WithPending)[PENDING] = undefined;
        // Only an answer the handler gave is stored: an error's is the exception filter's, and is never replayed.
        if (!pending.replayed && reply.statusCode < 400) {
          this.nodeState.saveIdempotencyRecord(pending.key, {
            fingerprint: pending.fingerprint,
            status: route.status,
            body: route.storeResponse ? String(payload) : REEXECUTE,
            createdAt: new Date().toISOString(),
          });
        }
        this.inFlight.delete(pending.key);
        pending.release();
      }
      done(null, payload);
    };
  }

  /** True when it answered the request itself (a replay). */
  private async before(route: IdempotentRoute, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    // In the order Nest ran them for the interceptor: the guard, the key, then the initiator header, which a replay
    // checks as the first call did.
    route.assertAccess(request);
    const { keyHash: key, fingerprint } = idempotentRequestOf(request)!;
    initiatorOf(request);

    while (this.inFlight.has(key)) await this.inFlight.get(key);
    const record = this.nodeState.idempotencyRecord(key, new Date());
    if (record) {
      if (record.fingerprint !== fingerprint && record.fingerprint !== legacyFingerprint(request)) {
        throw new ProblemError(problem(422, 'idempotency_key_reused', 'Unprocessable request', 'This Idempotency-Key was used with a different request'));
      }
      reply.header('idempotent-replayed', 'true');
      if (record.body !== REEXECUTE) {
        reply.status(record.status).type('application/json; charset=utf-8').send(record.body);
        return true;
      }
    }
    let release!: () => void;
    this.inFlight.set(key, new Promise<void>((r) => (release = r)));
    (request as WithPending)[PENDING] = { key, fingerprint, replayed: record !== undefined, release };
    return false;
  }
}

export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY_PATTERN.test(raw)) {
    throw new ProblemError(problem(400, 'invalid_idempotency_key', 'Bad request', 'Idempotency-Key must be 1-255 printable ASCII characters'));
  }
  return raw;
}

export function idempotentRequestOf(request: FastifyRequest): IdempotentRequest | undefined {
  const key = idempotencyKeyOf(request);
  if (key === undefined) return undefined;
  const route = `${request.method} ${routeOf(request)}`;
  return { key, keyHash: sha256(`${callerOf(request).name}\u0000${route}\u0000${key}`), fingerprint: fingerprintOf(request) };
}

function fingerprintOf(request: FastifyRequest): string {
  let body: string;
  try {
    body = canonicalJson(request.body ?? null);
  } catch {
    // A parsed body canonicalJson refuses (a number beyond double range): validation refuses it next; hash it as is.
    body = JSON.stringify(request.body ?? null);
  }
  return sha256(`${request.url}\u0000${body}`);
}

/**
 * The fingerprint records written before fingerprints were canonical. Accepted until such records are older than
 * the window (one LEDGER_IDEMPOTENCY_TTL_SECONDS after the upgrade), then this can go.
 */
const legacyFingerprint = (request: FastifyRequest) => sha256(`${request.url}\u0000${JSON.stringify(request.body ?? null)}`);

/** The Idempotency-Key of this request, if any, with its hashes (validated). */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext) => idempotentRequestOf(ctx.switchToHttp().getRequest()));

export const Idempotent = (options: IdempotentOptions = { storeResponse: true }) =>
  applyDecorators(
    (target: object, key: string | symbol, descriptor: PropertyDescriptor) =>
      AddRouteConfig({ [IDEMPOTENT_CONFIG]: { options, handler: descriptor.value, controller: target.constructor } satisfies IdempotentConfig })(target, key, descriptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'A retry with the same key and body returns the first result and appends nothing.',
      schema: { type: 'string', pattern: KEY_PATTERN.source },
    }),
  );

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
