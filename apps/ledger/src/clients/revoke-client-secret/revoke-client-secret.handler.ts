import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { clientSecretResult } from '../client-secret.result';
import { RevokeClientSecretCommand } from './revoke-client-secret.command';

@CommandHandler(RevokeClientSecretCommand)
export class RevokeClientSecretHandler implements ICommandHandler<RevokeClientSecretCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ data, meta }: RevokeClientSecretCommand) {
    // A revocation (a leaked secret): ahead of the stream's other commands, never shed.
    const { state } = await this.executor.execute(clientStream(data.clientId), clientDecider, { type: 'RevokeClientSecret', data }, meta, { priority: 'revocation' });
    const secret = state.status === 'unregistered' ? undefined : state.secrets.find((s) => s.secretId === data.secretId);
    if (!secret) throw new Error(`RevokeClientSecret found no secret ${data.secretId} after deciding`);
    return clientSecretResult(secret, meta.now.getTime());
  }
}
