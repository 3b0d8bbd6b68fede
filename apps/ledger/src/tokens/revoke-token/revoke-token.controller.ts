import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashToken, TOKEN_ID_PATTERN, type CommandMetadata } from '@ledger/domain';
import { ConsistencyToken } from '../../http/consistency.hook';
import { problem, ProblemError } from '../../http/problem';
import { REVOCATION_PATH } from '../../auth/oauth-callers';
import { RequireOAuthClient, RequireRole } from '../../auth/role.guard';
import { CommandMeta, oauthClientOf } from '../../http/request-context';
import { tokenParameter } from '../oauth-form';
import { RevokeTokenCommand } from './revoke-token.command';
import { RevokeTokenRequest } from './revoke-token.request';
import { ApiCaller, ApiInitiator, ApiOAuthClient, ApiProblems } from '../../docs/api-docs';

@ApiTags('tokens')
@Controller()
export class RevokeTokenController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * RFC 7009, for the OAuth client that owns the token, authenticated with its own secret. 200 for a token the ledger
   * does not know, so that the endpoint reveals nothing about which tokens exist; a token of another client is
   * refused (section 2.1), never answered 200, since that would tell the client a live token had ended. The raw
   * token is hashed at once and goes no further.
   */
  @Post(REVOCATION_PATH.slice(1))
  @HttpCode(200)
  @RequireOAuthClient()
  @ConsistencyToken()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['token'],
      properties: {
        token: { type: 'string', minLength: 1 },
        token_type_hint: { type: 'string' },
        client_id: { type: 'string', description: 'client_secret_post: the client id' },
        client_secret: { type: 'string', description: 'client_secret_post: one of the client\'s secrets (POST /v1/clients/{id}/secrets)' },
      },
    },
  })
  @ApiOperation({
    summary: 'Revoke a token (RFC 7009)',
    description:
      "For OAuth clients, each revoking its own tokens: client credentials as HTTP Basic (client_secret_basic) or client_id and client_secret in the form " +
      '(client_secret_post), exactly one of them. 200 for an unknown, expired or already revoked token of the client, and for a token the ledger does ' +
      "not know; 400 invalid_request for a token issued to another client. API keys are refused: staff revoke by token id.",
  })
  @ApiOAuthClient()
  @ApiInitiator()
  @ApiProblems([400, 'invalid_request: no token parameter, a repeated parameter, two authentication methods, or a token issued to another client (token_not_owned)'])
  @ApiOkResponse({ description: 'Revoked, or unknown' })
  async revoke(@Req() request: FastifyRequest, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) reply: FastifyReply) {
    const tokenHash = hashToken(tokenParameter(request));
    await this.commands.execute(new RevokeTokenCommand({ tokenHash }, meta, oauthClientOf(request).clientId));
    reply.header('cache-control', 'no-store');
    return '';
  }

  /** The auth front end and staff revoke by token id: they never hold raw tokens after issuing them. Any client's token. */
  @Post('v1/tokens/:tokenId/revoke')
  @HttpCode(200)
  @RequireRole('commands')
  @ConsistencyToken()
  @ApiOperation({ summary: 'Revoke a token by id (RevokeToken)' })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiParam({ name: 'tokenId', description: 'Token id; a malformed one is a 404 like any unknown id', schema: { type: 'string', pattern: TOKEN_ID_PATTERN.source } })
  @ApiProblems([404, 'token_not_found'])
  // No body, an empty one and JSON null all mean no reason.
  @ApiExtraModels(RevokeTokenRequest)
  @ApiBody({ required: false, schema: { nullable: true, allOf: [{ $ref: getSchemaPath(RevokeTokenRequest) }] } })
  @ApiOkResponse({ description: '{ revoked: true } when this call ended the token; false when it was unknown, expired or already revoked' })
  revokeById(@Param('tokenId') tokenId: string, @Body() body: RevokeTokenRequest, @CommandMeta() meta: CommandMetadata) {
    if (!TOKEN_ID_PATTERN.test(tokenId)) throw new ProblemError(problem(404, 'token_not_found', 'Not found', 'No such token'));
    // The reason travels with the metadata, as RevokeConsent's does.
    return this.commands.execute(new RevokeTokenCommand({ tokenId }, { ...meta, reason: body?.reason }));
  }
}
