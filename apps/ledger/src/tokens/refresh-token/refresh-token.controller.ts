import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandMetadata } from '@ledger/domain';
import { TOKEN_PATH } from '../../auth/oauth-callers';
import { RequireOAuthClient } from '../../auth/role.guard';
import { ConsistencyToken } from '../../http/consistency.hook';
import { problem, ProblemError } from '../../http/problem';
import { CommandMeta, oauthClientOf } from '../../http/request-context';
import { ApiInitiator, ApiOAuthClient, ApiProblems } from '../../docs/api-docs';
import { formParameters } from '../oauth-form';
import { exchangeTokenCommand } from '../exchange-token/exchange-token.request';
import type { ExchangeTokenResult } from '../exchange-token/exchange-token.command';
import { GRANT_TYPES, TOKEN_EXCHANGE } from '../grant-types';
import { RefreshTokenCommand, RefreshTokenResult } from './refresh-token.command';

@ApiTags('tokens')
@Controller()
export class RefreshTokenController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * RFC 6749 section 6 at the token endpoint, for the OAuth client the refresh token was issued to, authenticated
   * with its own credentials. Errors are RFC 6749 section 5.2's JSON (the mapper answers every /v1/oauth2/* path so),
   * which OAuth client libraries parse.
   */
  @Post(TOKEN_PATH.slice(1))
  @HttpCode(200)
  @RequireOAuthClient()
  @ConsistencyToken()
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['grant_type'],
      properties: {
        grant_type: { type: 'string', enum: [...GRANT_TYPES] },
        refresh_token: { type: 'string', minLength: 1, maxLength: 4096, description: 'refresh_token: required' },
        scope: {
          type: 'string',
          description: 'refresh_token: space-delimited, the same as the refresh token carries or fewer (absent: all of them). Token exchange: required, the one dependent scope asked for.',
        },
        subject_token: { type: 'string', minLength: 1, maxLength: 4096, description: "Token exchange (RFC 8693): required, the user's access token carrying the parent scope" },
        subject_token_type: { type: 'string', enum: ['urn:ietf:params:oauth:token-type:access_token'], description: 'Token exchange: required' },
        requested_token_type: { type: 'string', enum: ['urn:ietf:params:oauth:token-type:access_token'], description: 'Token exchange: optional; only an access token is issued' },
        client_id: { type: 'string', description: 'client_secret_post: the client id' },
        client_secret: { type: 'string', description: "client_secret_post: one of the client's secrets" },
      },
    },
  })
  @ApiOperation({
    summary: 'Refresh a token (RFC 6749 section 6), or exchange one for a dependent token (RFC 8693)',
    description:
      'grant_type=urn:ietf:params:oauth:grant-type:token-exchange: the dependent service, authenticated as its own client, presents the ' +
      "user's access token carrying a scope granted with dependencies (subject_token) and asks for one dependent scope (scope); the answer is one " +
      'access token within the dependent consent (issued_token_type access_token), ended with its root. ' +
      'grant_type=refresh_token: ends the refresh token presented and answers a new access token and a new refresh token of the same family ' +
      '(rotation). Presenting a refresh token that a refresh already ended is reuse (RFC 9700 section 4.14.2): every token of its family is ' +
      'revoked, and the answer is invalid_grant. Client credentials as HTTP Basic (client_secret_basic) or in the form (client_secret_post).',
  })
  @ApiOAuthClient()
  @ApiInitiator()
  @ApiProblems([
    400,
    'RFC 6749 section 5.2: invalid_request (a missing or repeated parameter; for token exchange, a subject_token that is inactive, a refresh token, lacks the parent scope or was not issued for a consent with a dependency for this client), unsupported_grant_type, invalid_grant (unknown, expired, revoked or reused refresh token, or one of another client), invalid_scope, invalid_target (resource or audience)',
  ])
  @ApiOkResponse({ description: 'RFC 6749 section 5.1: access_token, token_type Bearer, expires_in, scope; refresh_token for a refresh; issued_token_type for a token exchange (RFC 8693 section 2.2.1)' })
  async token(@Req() request: FastifyRequest, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) reply: FastifyReply): Promise<RefreshTokenResult | ExchangeTokenResult> {
    // RFC 6749 section 5.1: responses carrying tokens must not be cached (errors neither: they can say a token exists).
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const form = formParameters(request, ['grant_type', 'refresh_token', 'scope']);
    if (form.grant_type === undefined) throw new ProblemError(problem(400, 'invalid_request', 'Bad request', 'grant_type is required'));
    if (!(GRANT_TYPES as readonly string[]).includes(form.grant_type)) {
      throw new ProblemError(problem(400, 'unsupported_grant_type', 'Unsupported grant type', `This endpoint serves grant_type ${GRANT_TYPES.join(', ')}`));
    }
    if (form.grant_type === TOKEN_EXCHANGE) return this.commands.execute(exchangeTokenCommand(request, meta));
    if (form.refresh_token === undefined) throw new ProblemError(problem(400, 'invalid_request', 'Bad request', 'refresh_token is required'));
    // RFC 6749 section 3.3: space-delimited; the decider checks each scope-token.
    const scopes = form.scope === undefined ? undefined : form.scope.split(' ').filter((s) => s.length > 0);
    return this.commands.execute(new RefreshTokenCommand(form.refresh_token, scopes, oauthClientOf(request).clientId, meta));
  }
}
