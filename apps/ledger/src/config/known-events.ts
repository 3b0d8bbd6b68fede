import { EVENT_VERSIONS } from '@ledger/domain';
import { ConfigError } from './config-error';

/**
 * LEDGER_TEST_UNKNOWN_EVENT_TYPES, for tests only: comma-separated event types this instance plays not to know, so
 * that a test can run "a build that does not know one event type" beside one that does (a rolling upgrade,
 * test/esdb-unknown-event.e2e-spec.ts). The types are taken out of the known set that the views and the command
 * executor read with; nothing else changes. Unset: every type this build has (EVENT_VERSIONS).
 */
export function knownEvents(raw: string | undefined): { knownEvents: Readonly<Record<string, number>>; unknownEventTypesForTests: string[] } {
  const names = (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(EVENT_VERSIONS, name)) throw new ConfigError('LEDGER_TEST_UNKNOWN_EVENT_TYPES', `${name} is not an event type of this build`);
  }
  if (names.length === 0) return { knownEvents: EVENT_VERSIONS, unknownEventTypesForTests: [] };
  const known: Record<string, number> = { ...EVENT_VERSIONS };
  for (const name of names) delete known[name];
  return { knownEvents: Object.freeze(known), unknownEventTypesForTests: names };
}
