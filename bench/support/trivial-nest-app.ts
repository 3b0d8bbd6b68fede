/**
 * The commands limit, the design card's ceiling: a trivial NestJS route on the same Fastify adapter the ledger
 * uses, that takes a small JSON body (the ledger's own GrantConsentRequest DTO), validates it with class-validator
 * through the ValidationPipe exactly as the ledger configures it (strictValidationPipe), and answers 201 with a
 * small JSON body, storing nothing. No authentication, hooks, logging, CQRS or storage: what Nest + Fastify +
 * class-validator cost on their own on this machine.
 */
import 'reflect-metadata';
import { Body, Controller, Post } from '@nestjs/common';
import { GrantConsentRequest } from '../../apps/ledger/src/consents/grant-consent/grant-consent.request';
import { serveNestLimit } from './nest-limit';

const TRIVIAL_PATH = '/v1/consents';

@Controller()
class TrivialController {
  @Post(TRIVIAL_PATH)
  create(@Body() body: GrantConsentRequest) {
    return { id: body.userId, clientId: body.clientId };
  }
}

serveNestLimit('trivial Nest app', TrivialController);
