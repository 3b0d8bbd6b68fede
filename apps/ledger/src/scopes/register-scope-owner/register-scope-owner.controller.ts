import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CLIENT_ID_PATTERN, type CommandMetadata } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ClientIdParam } from '../../clients/client-id.param';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';
import { ConsistencyToken } from '../../http/consistency.hook';
import { Idempotent } from '../../http/idempotency.hook';
import { CommandMeta } from '../../http/request-context';
import { ScopeOwnerResponse } from '../scope-owner.response';
import { RegisterScopeOwnerCommand } from './register-scope-owner.command';
import { RegisterScopeOwnerRequest } from './register-scope-owner.request';

@ApiTags('scopes')
@Controller('v1/clients')
export class RegisterScopeOwnerController {
  constructor(private readonly commands: CommandBus) {}

  /** Globus Auth's resource servers declare their scopes the same way (a client's scopes). */
  @Post(':id/served-scopes')
  @RequireRole('commands')
  @Idempotent()
  @ConsistencyToken()
  @ApiOperation({
    summary: 'Declare a scope the client serves (RegisterScopeOwner)',
    description:
      'The client, a resource server, serves this scope. A scope has one owner: a grant of `a[b]` asks the owner of `a` to act on `b` for the user, and records that owner (`dependencyOwners`). Declaring it again is a no-op (200).',
  })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'id', description: 'Client id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiProblems([400, 'invalid_request, invalid_scope'], [404, 'client_not_found'], [409, 'scope_owned: another client serves it; client_disabled, client_deleted'], 422)
  @ApiCreatedResponse({ type: ScopeOwnerResponse, description: 'The client now serves the scope' })
  @ApiOkResponse({ type: ScopeOwnerResponse, description: 'The client served it already' })
  async register(@ClientIdParam() clientId: string, @Body() body: RegisterScopeOwnerRequest, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) reply: FastifyReply) {
    const { owner, created } = await this.commands.execute(new RegisterScopeOwnerCommand({ scope: body.scope, clientId }, meta));
    reply.status(created ? 201 : 200);
    return owner;
  }
}
