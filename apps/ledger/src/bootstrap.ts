import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { LedgerConfig } from './config/ledger-config';
import { problem, PROBLEM_CONTENT_TYPE, ProblemError } from './http/problem';
import { ProblemDetailsFilter, toProblem } from './http/problem-details.filter';
import { strictValidationPipe } from './http/validation';

const REQUEST_ID = /^[A-Za-z0-9._:\-]{1,128}$/;

const NEST_LEVELS: Record<string, LogLevel[]> = {
  silent: [],
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Builds the HTTP application; main.ts and the end-to-end suites share it, so tests run the real wiring. */
export async function createLedgerApp(config: LedgerConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // A caller's X-Request-Id becomes the correlation id of every event the request appends, when it is sane.
    genReqId: (req: import("node:http").IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forConfig(config), adapter, {
    logger: new ConsoleLogger({ json: true, logLevels: NEST_LEVELS[config.logLevel] }),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // JSON routes take JSON only and the OAuth routes form-encoding only: a body in another encoding is refused with
  // 415 instead of being parsed into something that might pass validation by accident.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', async (request) => {
    if (request.method !== 'POST' || !hasBody(request.headers)) return;
    const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const wanted = request.url.startsWith('/v1/oauth2/') ? 'application/x-www-form-urlencoded' : 'application/json';
    if (type !== wanted) {
      throw new ProblemError(problem(415, 'unsupported_media_type', 'Unsupported media type', `Send ${wanted}`, wanted.startsWith('application/x-www') ? { error: 'invalid_request' } : {}));
    }
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(strictValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Consent ledger')
      .setDescription('Consents, tokens within them, and revocations that take effect everywhere at once. Errors are RFC 7807 application/problem+json.')
      .setVersion('1')
      .addBearerAuth()
      .addBasicAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined;
}
