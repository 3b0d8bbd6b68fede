import { applyDecorators, CallHandler, createParamDecorator, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { from, Observable, of, switchMap, tap, finalize } from 'rxjs';
import { NodeState } from '../infrastructure/node-state';
import { callerOf } from './request-context';
import { problem, ProblemError } from './problem';

const IDEMPOTENT_KEY = 'ledger:idempotent';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Stored instead of a response that holds a secret: the retry re-runs the command, which is deterministic then. */
const REEXECUTE = '"__reexecute__"';

interface IdempotentOptions {
  /** false for responses that carry a secret (a raw token): they are never stored, the retry re-derives them. */
  storeResponse: boolean;
}

/**
 * `Idempotency-Key` on a command route: a retry with the same key and body gets the first answer and appends
 * nothing; the same key with another body is refused. Keys are scoped by caller and route. Requests with the same
 * key are serialised, so two in flight cannot both execute.
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
    const raw = idempotencyKeyOf(request);
    if (raw === undefined) return next.handle();

    const options = this.reflector.get<IdempotentOptions>(IDEMPOTENT_KEY, context.getHandler()) ?? { storeResponse: true };
    const route = `${request.method} ${request.routeOptions.url}`;
    const key = sha256(`${callerOf(request).name}\u0000${route}\u0000${raw}`);
    const fingerprint = sha256(`${request.url}\u0000${JSON.stringify(request.body ?? null)}`);

    while (this.inFlight.has(key)) await this.inFlight.get(key);
    const record = this.nodeState.idempotencyRecord(key);
    if (record) {
      if (record.fingerprint !== fingerprint) {
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

/** The Idempotency-Key of this request, if any (validated). */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext) => idempotencyKeyOf(ctx.switchToHttp().getRequest()));

export const Idempotent = (options: IdempotentOptions = { storeResponse: true }) =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_KEY, options),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key and body returns the first result and appends nothing.' }),
  );

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
