import { Command } from '@nestjs/cqrs';
import type { CommandMetadata } from '@ledger/domain';

/**
 * Ends one token, named by the SHA-256 hash of its raw value (RFC 7009) or by its id. `byClient`: the OAuth client
 * that asks through RFC 7009, which may revoke only its own tokens; absent for staff revoking by id.
 */
export class RevokeTokenCommand extends Command<{ revoked: boolean }> {
  constructor(
    readonly target: { tokenHash: string } | { tokenId: string },
    readonly meta: CommandMetadata,
    readonly byClient?: string,
  ) {
    super();
  }
}
