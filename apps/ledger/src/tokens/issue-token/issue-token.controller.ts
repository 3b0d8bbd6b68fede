import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type CommandMetadata, parseConsentId } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ConsistencyToken } from '../../http/consistency.hook';
import { Idempotent, IdempotencyKey, type IdempotentRequest } from '../../http/idempotency.hook';
import { CommandMeta } from '../../http/request-context';
import { IssueTokenCommand } from './issue-token.command';
import { IssueTokenRequest } from './issue-token.request';
import { IssueTokenResponse } from './issue-token.response';
import { ApiCaller, ApiInitiator, ApiProblems } from '../../docs/api-docs';

@ApiTags('tokens')
@Controller('v1/tokens')
export class IssueTokenController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @RequireRole('commands')
  // The response holds the raw token, which is never stored: a retry re-derives it from the key and the nonce the
  // consent stream recorded for it.
  @Idempotent({ storeResponse: false })
  @ConsistencyToken()
  @ApiOperation({ summary: 'Issue a token within a consent (IssueToken)', description: 'The raw token is in this answer only; a retry with the same Idempotency-Key returns the same token.' })
  @ApiCaller('commands')
  @ApiInitiator()
  @ApiProblems(
    [400, 'invalid_request, or scope_not_consented: a scope outside the consent'],
    [404, 'consent_not_found'],
    [409, 'consent_not_active; consent_expired; client_disabled, client_deleted; or token_no_longer_active: a retry of an issue whose token has since ended'],
    422,
  )
  @ApiCreatedResponse({ type: IssueTokenResponse })
  async issue(
    @Body() body: IssueTokenRequest,
    @CommandMeta() meta: CommandMetadata,
    @IdempotencyKey() idempotency: IdempotentRequest | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IssueTokenResponse> {
    // RFC 6749 section 5.1: responses carrying tokens must not be cached.
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const { consentId, ...rest } = body;
    const consent = parseConsentId(consentId);
    // @Matches(CONSENT_ID_PATTERN) on the request has answered any other body with a 400 already.
    if (!consent) throw new Error('IssueTokenRequest.consentId passed validation but is not a consent id');
    return this.commands.execute(new IssueTokenCommand({ consent, ...rest }, meta, idempotency));
  }
}
