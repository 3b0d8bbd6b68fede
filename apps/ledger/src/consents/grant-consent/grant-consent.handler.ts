import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream, consentDecider, consentStreamFor } from '@ledger/domain';
import { AggregateRepository } from '../../infrastructure/aggregate-repository';
import { consentFromState } from '../consent.response';
import { GrantConsentCommand } from './grant-consent.command';

@CommandHandler(GrantConsentCommand)
export class GrantConsentHandler implements ICommandHandler<GrantConsentCommand> {
  constructor(private readonly repository: AggregateRepository) {}

  async execute({ data, meta }: GrantConsentCommand) {
    // Clients are never deleted, so reading the client outside the consent stream's transaction is safe.
    const { state: client } = await this.repository.load(clientStream(data.clientId), clientDecider);
    const { state, events, revision } = await this.repository.execute(
      consentStreamFor(data.userId, data.clientId),
      consentDecider,
      { type: 'GrantConsent', data, context: { client } },
      meta,
    );
    return { consent: consentFromState(state, revision), created: events.some((e) => e.type === 'ConsentGranted') };
  }
}
