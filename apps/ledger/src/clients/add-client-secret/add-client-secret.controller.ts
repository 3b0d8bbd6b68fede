import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiCreatedResponse, ApiExtraModels, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CLIENT_ID_PATTERN, MAX_VALID_SECRETS, SECRET_OVERLAP_SECONDS, type CommandMetadata } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';
import { ConsistencyToken } from '../../http/consistency.hook';
import { problem, ProblemError } from '../../http/problem';
import { CommandMeta } from '../../http/request-context';
import { ClientIdParam } from '../client-id.param';
import { AddClientSecretCommand } from './add-client-secret.command';
import { AddClientSecretRequest } from './add-client-secret.request';
import { AddedClientSecretResponse } from './add-client-secret.response';

@ApiTags('clients')
@Controller('v1/clients')
export class AddClientSecretController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * Not @Idempotent: its stored answer would be the secret, in node.db. A retry creates another secret (and
   * supersedes the first, which nobody saw); GET .../secrets lists them and DELETE ends one.
   */
  @Post(':id/secrets')
  @RequireRole('commands')
  @ConsistencyToken()
  @ApiOperation({
    summary: 'Create or rotate a client secret (AddClientSecret)',
    description:
      `Generates a secret (256 random bits) and shows it once; the ledger keeps only its SHA-256 hash. The secrets valid until now keep ` +
      `authenticating for overlapSeconds (default ${SECRET_OVERLAP_SECONDS.default}, at most ${SECRET_OVERLAP_SECONDS.max}), then end. ` +
      `At most ${MAX_VALID_SECRETS} secrets are valid at once. A secret chosen by the caller is refused (secret_not_accepted). Not idempotent: a retry is another secret.`,
  })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'id', description: 'Client id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: CLIENT_ID_PATTERN.source } })
  @ApiProblems(
    [400, 'invalid_request (overlapSeconds), or secret_not_accepted: the body names a secret, which only the ledger generates'],
    [404, 'client_not_found'],
    [409, `client_deleted, or client_secret_limit: more than ${MAX_VALID_SECRETS} secrets would be valid at once`],
  )
  @ApiExtraModels(AddClientSecretRequest)
  @ApiBody({ required: false, schema: { nullable: true, allOf: [{ $ref: getSchemaPath(AddClientSecretRequest) }] } })
  @ApiCreatedResponse({ type: AddedClientSecretResponse, description: 'The new secret, shown this once (Cache-Control: no-store)' })
  async add(@ClientIdParam() clientId: string, @Body() body: AddClientSecretRequest, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) reply: FastifyReply) {
    if (body && (body.secret !== undefined || body.clientSecret !== undefined || body.client_secret !== undefined)) {
      throw new ProblemError(
        problem(400, 'secret_not_accepted', 'Bad request', 'The ledger generates client secrets (256 random bits); a secret chosen by the caller is refused. Send no secret.'),
      );
    }
    const overlapSeconds = body?.overlapSeconds ?? SECRET_OVERLAP_SECONDS.default;
    const added = await this.commands.execute(new AddClientSecretCommand({ clientId, overlapSeconds }, meta));
    // The one answer that holds the secret: no cache along the way may keep it (RFC 6749 section 5.1 does the same).
    reply.status(201).header('cache-control', 'no-store').header('pragma', 'no-cache');
    return added;
  }
}
