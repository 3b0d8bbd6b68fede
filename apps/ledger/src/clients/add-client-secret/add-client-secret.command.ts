import { Command } from '@nestjs/cqrs';
import type { CommandMetadata } from '@ledger/domain';
import type { ClientSecretResult } from '../client-secret.result';

/** The answer that shows the secret, once: the caller must keep it now, since the ledger keeps only its hash. */
export interface AddedClientSecret extends ClientSecretResult {
  clientId: string;
  secret: string;
  /** The secrets this one superseded, each with the end of its overlap window. */
  superseded: Array<{ secretId: string; validUntil: string }>;
}

export class AddClientSecretCommand extends Command<AddedClientSecret> {
  constructor(
    readonly data: { clientId: string; overlapSeconds: number },
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
