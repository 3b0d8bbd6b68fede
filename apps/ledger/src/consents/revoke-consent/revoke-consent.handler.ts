import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { consentDecider, ConsentState, notFound, tokensEndedBy } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { CONSENT_VIEW, ConsentView } from '@ledger/projections';
import { RevokeConsentCommand } from './revoke-consent.command';
import { consentFromState, consentFromView } from '../consent.result';

@CommandHandler(RevokeConsentCommand)
export class RevokeConsentHandler implements ICommandHandler<RevokeConsentCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(CONSENT_VIEW) private readonly views: ConsentView,
  ) {}

  async execute({ data, meta }: RevokeConsentCommand) {
    const { state, events, revision } = await this.executor.execute(data.consent.stream, consentDecider, { type: 'RevokeConsent', data }, meta, {
      priority: 'revocation',
    });
    const tokensEnded = events.reduce((n, e) => n + (e.type === 'ConsentRevoked' || e.type === 'ConsentScopesRevoked' ? tokensEndedBy(e.data) : 0), 0);
    // Revoking an earlier generation changes nothing; answer with that consent as the views know it.
    const nowMs = meta.now.getTime();
    const consent = isCurrent(state, data.consent.id) ? consentFromState(state, revision, nowMs) : this.fromView(data.consent.id, nowMs);
    return { ...consent, tokensEnded };
  }

  private fromView(consentId: string, nowMs: number) {
    const row = this.views.consent(consentId);
    if (!row) throw notFound('consent_not_found', `Consent ${consentId} does not exist`);
    return consentFromView(row, nowMs);
  }
}

const isCurrent = (state: ConsentState, consentId: string) => state.status !== 'none' && state.consentId === consentId;
