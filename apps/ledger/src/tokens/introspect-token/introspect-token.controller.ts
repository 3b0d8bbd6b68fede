import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequireRole } from '../../auth/role.guard';
import { tokenParameter } from '../oauth-form';
import { IntrospectToken } from './introspect-token.query';

@ApiTags('tokens')
@Controller('v1/oauth2')
export class IntrospectTokenController {
  constructor(private readonly introspection: IntrospectToken) {}

  /** RFC 7662. Unknown, expired and revoked tokens all get exactly {"active": false}. */
  @Post('introspect')
  @HttpCode(200)
  @RequireRole('introspect')
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ schema: { type: 'object', required: ['token'], properties: { token: { type: 'string' }, token_type_hint: { type: 'string' } } } })
  @ApiOkResponse({ description: 'RFC 7662 introspection response' })
  introspect(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    reply.header('cache-control', 'no-store');
    return this.introspection.answer(tokenParameter(request), Date.now());
  }
}
