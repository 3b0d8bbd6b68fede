/**
 * The commands limit, the design card's ceiling: a trivial NestJS route on the same Fastify adapter the ledger
 * uses, that takes a small JSON body (the ledger's own GrantConsentRequest DTO), validates it with class-validator
 * through the ValidationPipe exactly as the ledger configures it (strictValidationPipe), and answers 201 with a
 * small JSON body, storing nothing. No authentication, hooks, logging, CQRS or storage: what Nest + Fastify +
 * class-validator cost on their own on this machine.
 */
import 'reflect-metadata';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AddressInfo } from 'node:net';
import { GrantConsentRequest } from '../../apps/ledger/src/consents/grant-consent/grant-consent.request';
import { strictValidationPipe } from '../../apps/ledger/src/http/validation';
import { serveParent } from './limit-process';

const TRIVIAL_PATH = '/v1/consents';

@Controller()
class TrivialController {
  @Post(TRIVIAL_PATH)
  create(@Body() body: GrantConsentRequest) {
    return { id: body.userId, clientId: body.clientId };
  }
}

@Module({ controllers: [TrivialController] })
class TrivialModule {}

async function main() {
  const app = await NestFactory.create<NestFastifyApplication>(TrivialModule, new FastifyAdapter(), { logger: false });
  app.useGlobalPipes(strictValidationPipe());
  await app.listen(0, '127.0.0.1');
  serveParent({ url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` });
}

main().catch((error) => {
  process.stderr.write(`trivial Nest app failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
