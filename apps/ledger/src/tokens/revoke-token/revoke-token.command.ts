import { Command } from '@nestjs/cqrs';
import type { CommandMetadata } from '@ledger/domain';

/** Ends one token, named by the SHA-256 hash of its raw value (RFC 7009) or by its id. */
export class RevokeTokenCommand extends Command<{ revoked: boolean }> {
  constructor(
    readonly target: { tokenHash: string } | { tokenId: string },
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
