import { CommandMetadata } from '../shared/command-metadata';
import { userKey } from '../shared/ids';
import { ownStream } from './manage-ssf-stream';
import { SsfStreamEvent, SsfStreamState } from './ssf-stream';
import { assertEntitled, Entitlement, SsfSubject, storeSubject, subjectKey, subjectParts } from './ssf-subject';

/** SSF section 8.1.3.2. `entitlement`: the receiver's clients, from configuration (the edge passes it in). */
export interface AddSsfSubject {
  type: 'AddSsfSubject';
  data: { streamId: string; receiver: string; subject: SsfSubject; entitlement: Entitlement };
}
/** SSF section 8.1.3.3. A subject the stream does not have is no error: the outcome the receiver asked for holds. */
export interface RemoveSsfSubject {
  type: 'RemoveSsfSubject';
  data: { streamId: string; receiver: string; subject: SsfSubject };
}

export function addSsfSubject(command: AddSsfSubject, state: SsfStreamState, meta: CommandMetadata): SsfStreamEvent[] {
  const stream = ownStream(state, command.data.receiver);
  assertEntitled(command.data.subject, command.data.entitlement);
  const key = subjectKey(command.data.subject);
  if (key in stream.subjects) return [];
  return [{ type: 'SsfSubjectAdded', data: { streamId: stream.streamId, ...storeSubject(command.data.subject), addedAt: meta.now.toISOString() } }];
}

export function removeSsfSubject(command: RemoveSsfSubject, state: SsfStreamState, meta: CommandMetadata): SsfStreamEvent[] {
  const stream = ownStream(state, command.data.receiver);
  const key = subjectKey(command.data.subject);
  if (!(key in stream.subjects)) return [];
  const { userId, clientId } = subjectParts(command.data.subject);
  const parts = { ...(userId !== null ? { userId, userKey: userKey(userId) } : {}), ...(clientId !== null ? { clientId } : {}) };
  return [{ type: 'SsfSubjectRemoved', data: { streamId: stream.streamId, ...parts, removedAt: meta.now.toISOString() } }];
}
