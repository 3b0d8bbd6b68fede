import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequireRole } from '../../auth/role.guard';
import { CONSISTENCY_HEADER, consistencyPositions } from '../../http/consistency-token';
import { tokenParameter } from '../oauth-form';
import { IntrospectToken } from './introspect-token.query';
import { ApiOAuthCaller, ApiProblems } from '../../docs/api-docs';

const INTROSPECTION_SCHEMA = {
  type: 'object',
  required: ['active'],
  properties: {
    active: { type: 'boolean' },
    scope: { type: 'string', description: 'Space-delimited scopes' },
    client_id: { type: 'string' },
    sub: { type: 'string', description: 'The user' },
    token_type: { type: 'string' },
    exp: { type: 'integer' },
    iat: { type: 'integer' },
  },
};

const CONSISTENCY_DOC =
  'Optional consistency token from the Ledger-Consistency header of a command answer, from any instance: this instance answers only once its ' +
  'views include that command (at most LEDGER_CONSISTENCY_WAIT_MS), so a revocation acknowledged anywhere is never answered active here.';

@ApiTags('tokens')
@Controller('v1/oauth2')
export class IntrospectTokenController {
  constructor(private readonly introspection: IntrospectToken) {}

  /** RFC 7662. Unknown, expired and revoked tokens all get exactly {"active": false}. */
  @Post('introspect')
  @HttpCode(200)
  @RequireRole('introspect')
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['token'],
      properties: {
        token: { type: 'string', minLength: 1 },
        token_type_hint: { type: 'string' },
        // RFC 7662 section 2.1 allows extension parameters.
        consistency: { type: 'string', pattern: '^v1\\.[A-Za-z0-9_-]{11}$', description: CONSISTENCY_DOC },
      },
    },
  })
  @ApiHeader({ name: 'Ledger-Consistency', required: false, description: `${CONSISTENCY_DOC} Same as the consistency parameter; with both, the later position counts.` })
  @ApiOperation({ summary: 'Introspect a token (RFC 7662)', description: 'Unknown, expired and revoked tokens all get exactly {"active": false}.' })
  @ApiOAuthCaller('introspect')
  @ApiOkResponse({ description: 'RFC 7662 introspection response', schema: INTROSPECTION_SCHEMA })
  @ApiProblems(
    [400, 'invalid_request: no token; invalid_consistency_token: a consistency token this service did not issue'],
    [503, 'consistency_timeout: the views did not reach the consistency token in time (Retry-After); never a stale answer'],
  )
  async introspect(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    reply.header('cache-control', 'no-store');
    const token = tokenParameter(request);
    const consistency = (request.body as Record<string, unknown> | undefined)?.consistency;
    await this.introspection.whenConsistent(consistencyPositions(consistency, request.headers[CONSISTENCY_HEADER]));
    return this.introspection.answer(token, Date.now());
  }
}
