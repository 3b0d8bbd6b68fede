import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientDecider, clientStream, type ClientSecretsSuperseded } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { clientSecretResult } from '../client-secret.result';
import { AddClientSecretCommand } from './add-client-secret.command';
import { newClientSecret } from './new-client-secret';

@CommandHandler(AddClientSecretCommand)
export class AddClientSecretHandler implements ICommandHandler<AddClientSecretCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  /** The secret is generated here, outside the decider (which stays pure), and only its hash goes into the command. */
  async execute({ data, meta }: AddClientSecretCommand) {
    const { secretId, secret, secretHash } = newClientSecret();
    const { state, events } = await this.executor.execute(
      clientStream(data.clientId),
      clientDecider,
      { type: 'AddClientSecret', data: { clientId: data.clientId, secretId, secretHash, overlapSeconds: data.overlapSeconds } },
      meta,
    );
    const added = state.status === 'unregistered' ? undefined : state.secrets.find((s) => s.secretId === secretId);
    if (!added) throw new Error(`AddClientSecret appended no secret ${secretId}`);
    const superseded = events.find((e): e is ClientSecretsSuperseded => e.type === 'ClientSecretsSuperseded');
    return {
      clientId: data.clientId,
      ...clientSecretResult(added, meta.now.getTime()),
      secret,
      superseded: superseded ? superseded.data.secretIds.map((id) => ({ secretId: id, validUntil: superseded.data.validUntil })) : [],
    };
  }
}
