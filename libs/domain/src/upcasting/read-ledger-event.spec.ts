import { readLedgerEvent, UnreadableEventError } from './read-ledger-event';

const at = { id: 'e-1', stream: 'consent-0123', revision: 4, position: 17 };
const granted = { type: 'ConsentGranted', data: { consentId: 'cns_x_1' }, metadata: { eventVersion: 1 } };

describe('readLedgerEvent: what every reader of the log is handed', () => {
  it('given an event outside the domain streams (a lease), then it is nobody\'s to fold: undefined', () => {
    expect(readLedgerEvent({ ...at, ...granted, stream: '$lease-publisher' })).toBeUndefined();
  });

  it('given a known event, then it is read as the current version of its type', () => {
    expect(readLedgerEvent({ ...at, ...granted })).toEqual({ type: 'ConsentGranted', data: { consentId: 'cns_x_1' } });
  });

  it.each([
    ['a type this build does not know', { type: 'ConsentErased', data: {}, metadata: { eventVersion: 1 } }, 'its type ConsentErased is unknown to this build'],
    ['a newer version', { ...granted, metadata: { eventVersion: 9 } }, 'it is ConsentGranted v9, and this build reads up to v2'],
    ['a malformed version', { ...granted, metadata: { eventVersion: '2' } }, 'its version "2" is not a whole number from 1'],
  ])('given %s, then it throws UnreadableEventError naming the event and why', (_name, event, why) => {
    const read = () => readLedgerEvent({ ...at, ...event });
    expect(read).toThrow(UnreadableEventError);
    expect(read).toThrow(`cannot apply the event at position 17 (stream consent-0123, revision 4, id e-1): ${why}`);
    try {
      read();
    } catch (error) {
      expect((error as Error).name).toBe('UnreadableEventError');
    }
  });

  it('given a known set without the type (a build that does not know it yet), then that type is unreadable', () => {
    expect(() => readLedgerEvent({ ...at, ...granted }, { ConsentRevoked: 2 })).toThrow('its type ConsentGranted is unknown to this build');
  });
});
