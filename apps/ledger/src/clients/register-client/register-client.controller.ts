import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CommandMetadata } from '@ledger/domain';
import { ConsistencyToken } from '../../http/consistency.hook';
import { Idempotent } from '../../http/idempotency.hook';
import { CommandMeta } from '../../http/request-context';
import { RequireRole } from '../../auth/role.guard';
import { RegisterClientCommand } from './register-client.command';
import { RegisterClientRequest } from './register-client.request';
import { ClientResponse } from '../client.response';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';

@ApiTags('clients')
@Controller('v1/clients')
export class RegisterClientController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({ summary: 'Register a client (RegisterClient)', description: 'A client must be registered before consents are granted to it. Registering it again with the same details changes nothing.' })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiProblems([409, 'client_already_registered: this client id is registered with other details; client_deleted: a deleted client had this id, which is never used again'], 422)
  @ApiCreatedResponse({ type: ClientResponse, description: 'Registered' })
  @ApiOkResponse({ type: ClientResponse, description: 'Already registered with the same details; nothing changed' })
  async register(@Body() body: RegisterClientRequest, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) reply: FastifyReply) {
    const { client, created } = await this.commands.execute(new RegisterClientCommand(body, meta));
    reply.status(created ? 201 : 200);
    return client;
  }
}
