/**
 * Given / when / then for pure deciders, with no mocks:
 *
 *   DeciderSpecification.for(consentDecider)
 *     .given([consentGranted])            // past events of the stream
 *     .when(issueTokenCommand, { now })    // command + (optional) metadata overrides
 *     .then([tokenIssued]);                // the events decide() must return
 *
 * The state is rebuilt exactly as a handler would: `events.reduce(evolve, initialState())`. Metadata is always
 * explicit: every field has a fixed default (FIXED_NOW, a fixed actor, ...) that a test overrides when it matters,
 * so a test never depends on the wall clock.
 *
 * Lives under src/testing/, which tsconfig.build.json excludes: it is never shipped.
 */
import { CommandMetadata } from '../shared/command-metadata';
import type { Decider } from '../shared/decider';
import { DomainError, ErrorCategory } from '../shared/domain-error';

/** The instant every test lives at unless it says otherwise. */
export const FIXED_NOW = new Date('2025-03-01T12:00:00.000Z');

/** `FIXED_NOW` moved by a number of seconds (negative goes back). */
export const secondsAfter = (seconds: number, from: Date = FIXED_NOW) => new Date(from.getTime() + seconds * 1000);

export function testMeta(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return { now: FIXED_NOW, actor: 'test-actor', correlationId: 'test-correlation', initiator: 'user', ...overrides };
}

/** The state a handler would decide against, after the given events. */
export function stateAfter<State, Event>(decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>, events: readonly Event[]): State {
  return events.reduce(decider.evolve, decider.initialState());
}

export interface Then<Event> {
  /** decide() returns exactly these events (deep equality; jest asymmetric matchers allowed). */
  then(expected: Event[]): void;
  /** decide() returns no events: the command is an accepted no-op (idempotent retry, nothing to change). */
  thenNothing(): void;
  /** decide() throws a DomainError with this code (and, if given, this category). */
  thenThrows(code: string, category?: ErrorCategory): DomainError;
  /** The raw outcome, for assertions the three above cannot express. Throws if decide() throws. */
  events(): Event[];
}

export interface When<Command, Event> {
  when(command: Command, meta?: Partial<CommandMetadata>): Then<Event>;
}

export const DeciderSpecification = {
  for<State, Command, Event>(decider: Decider<State, Command, Event>) {
    return {
      given(events: readonly Event[] = []): When<Command, Event> {
        return {
          when(command: Command, meta: Partial<CommandMetadata> = {}): Then<Event> {
            const run = () => decider.decide(command, stateAfter(decider, events), testMeta(meta));
            return {
              then(expected) {
                expect(run()).toEqual(expected);
              },
              thenNothing() {
                expect(run()).toEqual([]);
              },
              thenThrows(code, category) {
                let outcome: unknown;
                try {
                  outcome = run();
                } catch (error) {
                  if (!(error instanceof DomainError)) {
                    throw new Error(`Expected DomainError '${code}' but got ${String(error)}`);
                  }
                  expect(error.code).toBe(code);
                  if (category !== undefined) expect(error.category).toBe(category);
                  return error;
                }
                throw new Error(`Expected DomainError '${code}' but decide() returned ${JSON.stringify(outcome)}`);
              },
              events: run,
            };
          },
        };
      },
    };
  },
};
