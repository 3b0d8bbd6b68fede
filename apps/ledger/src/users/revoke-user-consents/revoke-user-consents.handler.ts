import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor, READ_YOUR_WRITES, ReadYourWrites } from '@ledger/commands';
import { expiredAt, userDecider, userStream } from '@ledger/domain';
import { CONSENT_VIEW, ConsentView } from '@ledger/projections';
import { userFromState } from '../user.result';
import { RevokeUserConsentsCommand } from './revoke-user-consents.command';

@CommandHandler(RevokeUserConsentsCommand)
export class RevokeUserConsentsHandler implements ICommandHandler<RevokeUserConsentsCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(CONSENT_VIEW) private readonly consents: ConsentView,
    @Inject(READ_YOUR_WRITES) private readonly views: ReadYourWrites,
  ) {}

  /**
   * ONE append to the user's stream; the token view ends every token of the user's consents at lookup before this
   * answers, and the fan-out (revoke-user-consents.fan-out.ts) then revokes each consent on its own stream. The views
   * are read only to tell a retry from a new revocation, and only once they hold everything the store does, so that a
   * consent just granted on another instance is not missed.
   */
  async execute({ data, meta }: RevokeUserConsentsCommand) {
    await this.views.caughtUp();
    // An expired consent has ended already: it is not one this revocation ends, nor one that makes it more than a retry.
    const activeConsents = this.consents
      .consentsByUser(data.userId, 'active')
      .filter((c) => !expiredAt(c.expiresAt, meta.now))
      .map(({ consentId, afterUserRevocation }) => ({ consentId, afterUserRevocation }));
    const { state, events, revision } = await this.executor.execute(
      userStream(data.userId),
      userDecider,
      { type: 'RevokeUserConsents', data, context: { activeConsents } },
      meta,
      { priority: 'revocation' },
    );
    const consentsEnded = events.reduce((n, e) => n + (e.type === 'UserConsentsRevoked' ? e.data.consentsEnded : 0), 0);
    return { ...userFromState(data.userId, state, revision), consentsEnded };
  }
}
