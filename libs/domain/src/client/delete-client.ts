import { CommandMetadata } from '../shared/command-metadata';
import { notFound } from '../shared/domain-error';
import { ClientEvent, ClientState } from './client';

export interface DeleteClient {
  type: 'DeleteClient';
  data: { clientId: string };
}

/**
 * A disable that is never undone. An active client is disabled first, in the same append, so that the revocation
 * is the one ClientDisabled every consumer already knows, and ClientDeleted only makes it final. The stream stays:
 * history is kept, and the id is never registered again. Deleting a deleted client is a no-op.
 */
export function deleteClient(command: DeleteClient, state: ClientState, meta: CommandMetadata): ClientEvent[] {
  const { clientId } = command.data;
  if (state.status === 'unregistered') throw notFound('client_not_found', `Client ${clientId} is not registered`);
  if (state.status === 'deleted') return [];
  const at = meta.now.toISOString();
  const reason = meta.reason ?? null;
  const deleted: ClientEvent = { type: 'ClientDeleted', data: { clientId, deletedAt: at, reason } };
  if (state.status === 'disabled') return [deleted];
  return [{ type: 'ClientDisabled', data: { clientId, disabledAt: at, reason } }, deleted];
}
