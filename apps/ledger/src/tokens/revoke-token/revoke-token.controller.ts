import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashToken, TOKEN_ID_PATTERN, type CommandMetadata } from '@ledger/domain';
import { ConsistencyToken } from '../../http/consistency.interceptor';
import { problem, ProblemError } from '../../http/problem';
import { CommandMeta } from '../../http/request-context';
import { RequireRole } from '../../auth/role.guard';
import { tokenParameter } from '../oauth-form';
import { RevokeTokenCommand } from './revoke-token.command';
import { RevokeTokenRequest } from './revoke-token.request';
import { ApiCaller, ApiInitiator, ApiOAuthCaller, ApiProblems } from '../../docs/api-docs';

@ApiTags('tokens')
@Controller()
export class RevokeTokenController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * RFC 7009. 200 whether or not the token was known, so that the endpoint reveals nothing about which tokens exist;
   * the raw token is hashed at once and goes no further.
   */
  @Post('v1/oauth2/revoke')
  @HttpCode(200)
  @RequireRole('introspect')
  @ConsistencyToken()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ schema: { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1 }, token_type_hint: { type: 'string' } } } })
  @ApiOperation({ summary: 'Revoke a token (RFC 7009)', description: '200 whether or not the token was known.' })
  @ApiOAuthCaller('introspect')
  @ApiInitiator()
  @ApiProblems([400, 'invalid_request: no token parameter'])
  @ApiOkResponse({ description: 'Revoked, or unknown' })
  async revoke(@Req() request: FastifyRequest, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) reply: FastifyReply) {
    const tokenHash = hashToken(tokenParameter(request));
    await this.commands.execute(new RevokeTokenCommand({ tokenHash }, meta));
    reply.header('cache-control', 'no-store');
    return '';
  }

  /** The auth front end revokes by token id: it never holds raw tokens after issuing them. */
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
