import { CommandMetadata } from '../shared/command-metadata';
import { notBeforeToSet } from '../shared/not-before';
import { ClientEvent, ClientState } from './client';
import { existingClient } from './client-details';

export interface SetClientNotBefore {
  type: 'SetClientNotBefore';
  /** notBefore absent: now. */
  data: { clientId: string; notBefore?: string };
}

/**
 * Ends every token of the client issued before it, of every user, and nothing else: the client stays active, and
 * tokens issued after it work. A disabled client may get one too (it ends what enabling would otherwise leave).
 */
export function setClientNotBefore(command: SetClientNotBefore, state: ClientState, meta: CommandMetadata): ClientEvent[] {
  const { clientId } = command.data;
  const client = existingClient(state, clientId);
  const notBefore = notBeforeToSet(command.data.notBefore, client.notBefore, meta.now);
  if (notBefore === undefined) return [];
  return [{ type: 'ClientNotBeforeSet', data: { clientId, notBefore, setAt: meta.now.toISOString(), reason: meta.reason ?? null } }];
}
