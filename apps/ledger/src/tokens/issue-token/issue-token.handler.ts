import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { consentDecider, notFound, parseConsentId, scopeString } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { TokenMinter } from '../../infrastructure/token-minter';
import { IssueTokenCommand, IssueTokenResult } from './issue-token.command';

@CommandHandler(IssueTokenCommand)
export class IssueTokenHandler implements ICommandHandler<IssueTokenCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly minter: TokenMinter,
  ) {}

  async execute({ data, meta, idempotencyKey }: IssueTokenCommand): Promise<IssueTokenResult> {
    const parsed = parseConsentId(data.consentId);
    if (!parsed) throw notFound('consent_not_found', `Consent ${data.consentId} does not exist`);
    const token = this.minter.mint(idempotencyKey === undefined ? undefined : { actor: meta.actor, key: idempotencyKey });
    const { state } = await this.executor.execute(
      parsed.stream,
      consentDecider,
      { type: 'IssueToken', data: { ...data, tokenId: token.tokenId, tokenHash: token.tokenHash } },
      meta,
    );
    // On a retried request the token is already in the state (the decider appended nothing): answer with it.
    const issued = state.status === 'none' ? undefined : state.tokens.get(token.tokenId);
    if (!issued) throw new Error('IssueToken did not leave the token in the consent state');
    return {
      access_token: token.raw,
      token_type: 'Bearer',
      expires_in: Math.max(0, Math.round((issued.expiresAtMs - meta.now.getTime()) / 1000)),
      scope: scopeString(issued.scopes),
      token_id: token.tokenId,
    };
  }
}
