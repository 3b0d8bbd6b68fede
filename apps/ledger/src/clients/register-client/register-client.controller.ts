import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CommandMetadata } from '@ledger/domain';
import { ConsistencyToken } from '../../http/consistency.interceptor';
import { Idempotent } from '../../http/idempotency.interceptor';
import { CommandMeta } from '../../http/request-context';
import { RequireRole } from '../../auth/role.guard';
import { RegisterClientCommand } from './register-client.command';
import { RegisterClientRequest } from './register-client.request';
import { ClientResponse } from './register-client.response';

@ApiTags('clients')
@Controller('v1/clients')
export class RegisterClientController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiCreatedResponse({ type: ClientResponse, description: 'Registered' })
  @ApiOkResponse({ type: ClientResponse, description: 'Already registered with the same details; nothing changed' })
  async register(@Body() body: RegisterClientRequest, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) reply: FastifyReply) {
    const { client, created } = await this.commands.execute(new RegisterClientCommand(body, meta));
    reply.status(created ? 201 : 200);
    return client;
  }
}
