import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CommandMetadata } from '@ledger/domain';
import { ConsistencyToken } from '../../http/consistency.hook';
import { Idempotent } from '../../http/idempotency.hook';
import { CommandMeta } from '../../http/request-context';
import { RequireRole } from '../../auth/role.guard';
import { ConsentResponse } from '../consent.response';
import { GrantConsentCommand } from './grant-consent.command';
import { GrantConsentRequest } from './grant-consent.request';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';

@ApiTags('consents')
@Controller('v1/consents')
export class GrantConsentController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({ summary: 'Grant consent (GrantConsent)', description: 'A user consents to a client holding scopes, until expiresAt (or for expiresIn seconds) if given. With an active consent of this user and client, the scopes are added to it and a given expiry renews it; after a revocation or the expiry, a new consent starts.' })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiProblems([400, 'invalid_request; scope_not_allowed: the client may not be granted a scope; invalid_consent_expiry, consent_expiry_in_past, consent_expiry_too_long: the expiry'], [404, 'client_not_found: the client is not registered'], [409, 'client_disabled, client_deleted: the client may get no new consent'], 422)
  @ApiCreatedResponse({ type: ConsentResponse, description: 'A new consent' })
  @ApiOkResponse({ type: ConsentResponse, description: 'The active consent of this user and client, extended (or unchanged when it held every scope already)' })
  async grant(@Body() body: GrantConsentRequest, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) reply: FastifyReply) {
    const { consent, created } = await this.commands.execute(new GrantConsentCommand(body, meta));
    reply.status(created ? 201 : 200);
    return consent;
  }
}
