import { Command } from '@nestjs/cqrs';
import type { CommandMetadata, RegisterClient } from '@ledger/domain';

/** The client as registered (plain data: command files import nothing from HTTP). */
export interface ClientResult {
  id: string;
  name: string;
  allowedScopes: string[] | null;
  termsUrl: string | null;
  registeredAt: string;
}

export class RegisterClientCommand extends Command<{ client: ClientResult; created: boolean }> {
  constructor(
    readonly data: RegisterClient['data'],
    readonly meta: CommandMetadata,
  ) {
    super();
  }
}
