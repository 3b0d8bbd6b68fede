import { EVENT_VERSIONS } from '@ledger/domain';
import { knownEvents } from './known-events';

describe('LEDGER_TEST_UNKNOWN_EVENT_TYPES', () => {
  it('unset or blank: every event type of this build, the very EVENT_VERSIONS', () => {
    for (const raw of [undefined, '', ' , ']) expect(knownEvents(raw)).toEqual({ knownEvents: EVENT_VERSIONS, unknownEventTypesForTests: [] });
    expect(knownEvents(undefined).knownEvents).toBe(EVENT_VERSIONS);
  });

  it('takes the named types out of the known set, and nothing else', () => {
    const { knownEvents: known, unknownEventTypesForTests } = knownEvents(' ConsentScopesRevoked , TokenRevoked');
    expect(unknownEventTypesForTests).toEqual(['ConsentScopesRevoked', 'TokenRevoked']);
    const { ConsentScopesRevoked: _a, TokenRevoked: _b, ...rest } = EVENT_VERSIONS;
    expect(known).toEqual(rest);
    expect(Object.isFrozen(known)).toBe(true);
    expect('TokenRevoked' in EVENT_VERSIONS).toBe(true);
  });

  it('refuses a name that is not an event type of this build, by own property only', () => {
    expect(() => knownEvents('ConsentErased')).toThrow('Invalid configuration: LEDGER_TEST_UNKNOWN_EVENT_TYPES ConsentErased is not an event type of this build');
    expect(() => knownEvents('toString')).toThrow('toString is not an event type');
  });
});
