import { applyDecorators, CallHandler, createParamDecorator, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { from, Observable, of, switchMap, tap, finalize } from 'rxjs';
import { canonicalJson } from '@ledger/audit';
import { NodeState } from '../infrastructure/node-state';
import { callerOf, initiatorOf } from './request-context';
import { problem, ProblemError } from './problem';
import { routeOf } from './route-of';

const IDEMPOTENT_KEY = 'ledger:idempotent';
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

/**
 * `Idempotency-Key` on a command route: a retry with the same key and body gets the first answer and appends
 * nothing; the same key with another body is refused. Keys are scoped by caller and route. Requests with the same
 * key are serialised, so two in flight cannot both execute. A key stands for its request for
 * LEDGER_IDEMPOTENCY_TTL_SECONDS; after that it is free again.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly nodeState: NodeState,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const idempotent = idempotentRequestOf(request);
    if (idempotent === undefined) return next.handle();
    // A replay answers only a request the route would have accepted: its headers are checked as on the first call.
    initiatorOf(request);

    const options = this.reflector.get<IdempotentOptions>(IDEMPOTENT_KEY, context.getHandler()) ?? { storeResponse: true };
    const { keyHash: key, fingerprint } = idempotent;

    while (this.inFlight.has(key)) await this.inFlight.get(key);
    const record = this.nodeState.idempotencyRecord(key, new Date());
    if (record) {
      if (record.fingerprint !== fingerprint && record.fingerprint !== legacyFingerprint(request)) {
        throw new ProblemError(problem(422, 'idempotency_key_reused', 'Unprocessable request', 'This Idempotency-Key was used with a different request'));
      }
      reply.header('idempotent-replayed', 'true');
      if (record.body !== REEXECUTE) {
        reply.status(record.status);
        return of(JSON.parse(record.body));
      }
    }

    let release!: () => void;
    this.inFlight.set(key, new Promise<void>((r) => (release = r)));
    const status = this.reflector.get<number>('__httpCode__', context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
    return from(Promise.resolve()).pipe(
      switchMap(() => next.handle()),
      tap((body) => {
        if (record) return;
        this.nodeState.saveIdempotencyRecord(key, {
          fingerprint,
          status,
          body: options.storeResponse ? JSON.stringify(body) : REEXECUTE,
          createdAt: new Date().toISOString(),
        });
      }),
      finalize(() => {
        this.inFlight.delete(key);
        release();
      }),
    );
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
    SetMetadata(IDEMPOTENT_KEY, options),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'A retry with the same key and body returns the first result and appends nothing.',
      schema: { type: 'string', pattern: KEY_PATTERN.source },
    }),
  );

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
