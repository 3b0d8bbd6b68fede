import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream, consentDecider, consentStreamFor } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { consentFromState } from '../consent.result';
import { GrantConsentCommand } from './grant-consent.command';

@CommandHandler(GrantConsentCommand)
export class GrantConsentHandler implements ICommandHandler<GrantConsentCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: GrantConsentCommand) {
    // A registered client never changes or goes away, so a cached registration is as good as a read, and reading
    // it outside the consent stream's expected-revision check is safe. Only "not registered" is re-read.
    const stream = clientStream(data.clientId);
    let { state: client } = await this.executor.load(stream, clientDecider, { fresh: false });
    if (client.status !== 'registered') ({ state: client } = await this.executor.load(stream, clientDecider, { fresh: true }));
    const { state, events, revision } = await this.executor.execute(
      consentStreamFor(data.userId, data.clientId),
      consentDecider,
      { type: 'GrantConsent', data, context: { client } },
      meta,
    );
    return { consent: consentFromState(state, revision), created: events.some((e) => e.type === 'ConsentGranted') };
  }
}
