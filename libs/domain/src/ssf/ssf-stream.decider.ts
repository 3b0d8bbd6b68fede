import { CommandMetadata } from '../shared/command-metadata';
import type { Decider } from '../shared/decider';
import { AcknowledgeSets, acknowledgeSets } from './acknowledge-sets';
import {
  CreateSsfStream,
  createSsfStream,
  DeleteSsfStream,
  deleteSsfStream,
  ReplaceSsfStream,
  replaceSsfStream,
  UpdateSsfStream,
  updateSsfStream,
  UpdateSsfStreamStatus,
  updateSsfStreamStatus,
  VerifySsfStream,
  verifySsfStream,
} from './manage-ssf-stream';
import { evolveSsfStream, initialSsfStreamState, SsfStreamEvent, SsfStreamState } from './ssf-stream';
import { AddSsfSubject, addSsfSubject, RemoveSsfSubject, removeSsfSubject } from './ssf-subjects';

export type SsfStreamCommand =
  | CreateSsfStream
  | UpdateSsfStream
  | ReplaceSsfStream
  | DeleteSsfStream
  | UpdateSsfStreamStatus
  | VerifySsfStream
  | AddSsfSubject
  | RemoveSsfSubject
  | AcknowledgeSets;

export function decideSsfStream(command: SsfStreamCommand, state: SsfStreamState, meta: CommandMetadata): SsfStreamEvent[] {
  switch (command.type) {
    case 'CreateSsfStream':
      return createSsfStream(command, state, meta);
    case 'UpdateSsfStream':
      return updateSsfStream(command, state, meta);
    case 'ReplaceSsfStream':
      return replaceSsfStream(command, state, meta);
    case 'DeleteSsfStream':
      return deleteSsfStream(command, state, meta);
    case 'UpdateSsfStreamStatus':
      return updateSsfStreamStatus(command, state, meta);
    case 'VerifySsfStream':
      return verifySsfStream(command, state, meta);
    case 'AddSsfSubject':
      return addSsfSubject(command, state, meta);
    case 'RemoveSsfSubject':
      return removeSsfSubject(command, state, meta);
    case 'AcknowledgeSets':
      return acknowledgeSets(command, state, meta);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown SSF stream command ${String((_exhaustive as { type?: unknown }).type)}`);
    }
  }
}

export const ssfStreamDecider: Decider<SsfStreamState, SsfStreamCommand, SsfStreamEvent> = {
  initialState: initialSsfStreamState,
  evolve: evolveSsfStream,
  decide: decideSsfStream,
};
