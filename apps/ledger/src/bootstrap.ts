import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyReply, FastifyRequest, LogController } from 'fastify';
import type { DestinationStream } from 'pino';
import { randomUUID } from 'node:crypto';
import { Server, STATUS_CODES } from 'node:http';
import { AppModule } from './app.module';
import { Authenticator } from './auth/api-keys';
import { authenticationHook, clientSecretPostHook } from './auth/authentication.hook';
import { ClientAuthenticator } from './auth/client-authenticator';
import { LedgerConfig } from './config/ledger-config';
import { CLOCK, type Clock } from './infrastructure/clock';
import { setupOpenApi } from './docs/openapi';
import { problem, PROBLEM_CONTENT_TYPE, ProblemError } from './http/problem';
import { answerClientError, forgetRequestPath, rememberRequestPaths } from './http/client-error';
import { jsonDepthHook } from './http/json-depth';
import { closeInStages } from './http/lingering-close';
import { methodNotAllowedHook } from './http/method-not-allowed';
import { syncHook } from './http/sync-hook';
import { registerCommandHooks } from './http/command-hooks';
import { errorAnswer, ProblemDetailsFilter } from './http/problem-details.filter';
import { actorOf } from './http/request-context';
import { routeOf } from './http/route-of';
import { strictValidationPipe } from './http/validation';
import { createRootLogger, PinoLoggerService } from './logging/pino-logger';
import { requestLoggerFactory } from './logging/request-logger';
import { LedgerMetrics } from './metrics/ledger-metrics';
import { introspectionOperation } from './tokens/introspect-token/introspect-token.openapi';
import { IntrospectToken } from './tokens/introspect-token/introspect-token.query';
import { registerIntrospectionRoute } from './tokens/introspect-token/introspect-token.route';

/**
 * Builds the HTTP application; main.ts and the end-to-end suites share it, so tests run the real wiring. The log goes
 * to stdout unless a suite passes a destination to read it from; a suite may pass a clock too (infrastructure/clock.ts).
 */
export async function createLedgerApp(config: LedgerConfig, options: { log?: DestinationStream; clock?: Clock } = {}): Promise<NestFastifyApplication> {
  const logger = createRootLogger(config.logLevel, options.log);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Every id the API writes can be read back by path: the longest (a user or client id, 128 characters) fits even
    // when each character is percent-encoded (3 bytes). Longer path parameters are 414.
    routerOptions: { maxParamLength: 3 * 128 },
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Fastify logs through the same pino logger, every line of a request bound to its id. Its own two lines per
    // request are replaced by one (onResponse below) that carries no body, header or query string.
    loggerInstance: logger,
    childLoggerFactory: requestLoggerFactory,
    // No Nest middleware is used: without @fastify/middie a request passes one hook fewer.
    skipMiddie: true,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    // Errors Fastify raises before routing (an over-long or malformed path parameter) go through the one error
    // mapper too; those Node's HTTP parser raises before Fastify (oversized headers) in http/client-error.ts.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      const { status, body, headers } = errorAnswer(error, request.url.split('?')[0].slice(0, 200));
      reply.status(status).headers(headers).send(body);
    },
    clientErrorHandler: answerClientError,
    // The request id (the correlationId of every event the request appends) is always the server's own: a caller's
    // X-Request-Id could name another request. The caller's id is kept beside it as clientRequestId (request-context.ts).
    genReqId: () => randomUUID(),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forConfig(config, { clock: options.clock }), adapter, {
    logger: new PinoLoggerService(logger),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const server = app.getHttpServer() as Server;
  // Past the cap, Node closes a new connection as soon as it is accepted; idle keep-alive connections count too.
  server.maxConnections = config.maxConnections;
  server.headersTimeout = config.headersTimeoutMs;
  rememberRequestPaths(server);
  registerCommandHooks(app, fastify);
  // JSON routes take JSON only and the OAuth routes form-encoding only: a body in another encoding is refused with
  // 415 instead of being parsed into something that might pass validation by accident.
  fastify.removeContentTypeParser('text/plain');
  // First hook of every request: who is calling. A stranger is refused before anything else looks at the request.
  // Then 405 for a known path asked with the wrong method, then the body's media type. The three checks (and the two
  // that need the parsed body) run as one hook each: Fastify's hook runner costs a call, a closure and a `done` turn
  // per hook per request, and every request passes them, introspection (the hottest route) included.
  const authenticate = authenticationHook(app.get(Authenticator), app.get(ClientAuthenticator));
  const methodAllowed = methodNotAllowedHook(fastify);
  fastify.addHook('onRequest', syncHook((request) => {
    authenticate(request);
    methodAllowed(request);
    mediaTypeCheck(request);
  }));
  const clientSecretPost = clientSecretPostHook(app.get(Authenticator), app.get(ClientAuthenticator));
  fastify.addHook('preValidation', syncHook((request) => {
    clientSecretPost(request);
    jsonDepthHook(request);
  }));
  // While shutting down, answers to in-flight requests close their connection, so a keep-alive client cannot hold
  // the server open until its idle timeout. So does an answer given before the body was read in full (401, 413,
  // 415): the rest is read only for a bounded while after the answer, so that a reset cannot destroy the answer
  // (closeInStages), where Node would read and discard it to keep the connection, however long it is.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
    logger.info('shutting down: no new connections; finishing in-flight requests');
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    // Not `complete`: Node answers between the headers and the body, so a refusal comes before any body arrived.
    if (hasBody(request.headers) && !request.raw.readableEnded) {
      reply.header('connection', 'close');
      closeInStages(request.raw.socket);
    } else if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  const metrics: LedgerMetrics = app.get(LedgerMetrics);
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL: bounded label values, and nothing a client typed (a token in a query string).
    const route = routeOf(request) ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status: reply.statusCode }, reply.elapsedTime / 1000);
    const fields = { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, caller: actorOf(request) };
    // A health probe's 503 is its answer, not a failure of the request; HealthController logs the change of state once.
    if (reply.statusCode >= 500 && !route.startsWith('/health/')) request.log.error(fields, 'request failed');
    else request.log.info(fields, 'request completed');
    forgetRequestPath(request.raw.socket);
    done();
  });
  registerIntrospectionRoute(
    fastify,
    app.get(IntrospectToken),
    app.get<Clock>(CLOCK),
    // Children bound once: a labelled inc() hashes its label object on every call, on the hottest path there is.
    ((active, inactive) => (isActive: boolean) => (isActive ? active : inactive).inc())(
      metrics.introspections.labels('true'),
      metrics.introspections.labels('false'),
    ),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(strictValidationPipe());
  // SIGTERM: Nest closes the HTTP server first (no new requests, in-flight ones finish), then the shutdown hooks stop
  // the projection (its checkpoint is committed with every batch) and close the stores. process.exit at the end
  // lets pino flush.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });

  setupOpenApi(app);
  return app;
}

/** JSON routes take JSON only and the OAuth routes form-encoding only (see the text/plain parser above). */
function mediaTypeCheck(request: FastifyRequest): void {
  if (request.method !== 'POST' || !hasBody(request.headers)) return;
  const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const wanted = request.url.startsWith('/v1/oauth2/') ? 'application/x-www-form-urlencoded' : 'application/json';
  if (type !== wanted) {
    throw new ProblemError(problem(415, 'unsupported_media_type', 'Unsupported media type', `Send ${wanted}`));
  }
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined;
}
