import { Command } from '@nestjs/cqrs';
import type { CommandMetadata } from '@ledger/domain';
import type { UserResult } from '../user.result';

/** The user after the revocation, and how many active consents this request ended (0: it was a no-op). */
export type RevokeUserConsentsResult = UserResult & { consentsEnded: number };

export class RevokeUserConsentsCommand extends Command<RevokeUserConsentsResult> {
  constructor(
    readonly data: { userId: string },
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
