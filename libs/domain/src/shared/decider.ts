import { CommandMetadata } from './command-metadata';

/** What every domain event is: a past-tense type and a plain data object. */
export interface DomainEvent {
  type: string;
  data: object;
  /**
   * An event that follows from an earlier event of the same decision (a cascade): that event's index in the
   * decision. The command executor records that event's id as this one's causationId, as a process reacting to the
   * log would; it is attribution, not data, and is not stored as such.
   */
  causedBy?: number;
}

/**
 * An aggregate as three plain functions (emmett's decider): the state before the first event, how an event moves
 * the state on, and what a command decides given the state. `decide` is pure: time and actor come in as metadata.
 * The one type every aggregate, the command executor and the given/when/then specs share.
 */
export interface Decider<State, Command, Event> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State, meta: CommandMetadata) => Event[];
}
