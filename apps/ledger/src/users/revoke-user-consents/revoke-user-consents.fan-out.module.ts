import { BeforeApplicationShutdown, Logger, Module, OnModuleInit } from '@nestjs/common';
import { CommandExecutor, READ_YOUR_WRITES, ReadYourWrites } from '@ledger/commands';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@ledger/event-store';
import { CONSENT_VIEW, ConsentView, USER_VIEW, UserView } from '@ledger/projections';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { LeaderHandle, Leadership } from '../../infrastructure/leadership';
import { UserRevocationFanOut } from './revoke-user-consents.fan-out';

/** Instances on one EventStoreDB compete for this lease; its holder runs the fan-out (the others would only race it). */
export const FAN_OUT_LEASE = 'user-revocations-fan-out';

/**
 * The fan-out of user-wide revocations, under its own lease: on the embedded store it simply runs. Whoever holds the
 * lease starts from the shared checkpoint, so a handover or a crash redoes at most a batch, which appends nothing new.
 */
@Module({
  providers: [
    {
      provide: UserRevocationFanOut,
      inject: [EVENT_STORE, CHECKPOINT_STORE, CommandExecutor, READ_YOUR_WRITES, CONSENT_VIEW, USER_VIEW, LEDGER_CONFIG],
      useFactory: (store: EventStore, checkpoints: CheckpointStore, executor: CommandExecutor, views: ReadYourWrites, consents: ConsentView, users: UserView, config: LedgerConfig) => {
        const logger = new Logger('UserRevocationFanOut');
        if (config.faultAfterFanOut !== undefined) logger.warn({ msg: 'fault injection on: SIGKILL after this many consent revocations', faultAfterFanOut: config.faultAfterFanOut });
        return new UserRevocationFanOut(store, checkpoints, executor, views, consents, users, {
          faultAfter: config.faultAfterFanOut,
          knownEvents: config.knownEvents,
          onError: (error, attempt) => logger.error({ msg: 'fan-out of a user-wide revocation failed; restarting from its checkpoint', error: error.message, attempt }),
        });
      },
    },
  ],
})
export class UserRevocationFanOutModule implements OnModuleInit, BeforeApplicationShutdown {
  private handle?: LeaderHandle;

  constructor(
    private readonly fanOut: UserRevocationFanOut,
    private readonly leadership: Leadership,
  ) {}

  onModuleInit(): void {
    this.handle = this.leadership.runWhileLeader(FAN_OUT_LEASE, () => this.fanOut.start(), () => this.fanOut.stop());
  }

  /** Before the store closes: the checkpoint of what is done is saved, the lease released. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.handle?.stop();
  }
}
