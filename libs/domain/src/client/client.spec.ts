import { CLIENT_ID, clientEvents as e, TRANSFER } from '../testing/client-events';
import { clientState } from '../testing/client-fixtures';
import { stateAfter } from '../testing/decider-spec';
import { ClientEvent, clientAllows } from './client';
import { clientDecider } from './client.decider';

/** The client aggregate outside any one command: evolve at its edge, and what a client lets a token carry. */
describe('Client aggregate', () => {
  it('evolve ignores an event type it does not know (one from a later version)', () => {
    const state = stateAfter(clientDecider, [e.registered()]);
    expect(clientDecider.evolve(state, { type: 'ClientRenamed', data: { clientId: CLIENT_ID } } as unknown as ClientEvent)).toBe(state);
  });

  describe('clientAllows', () => {
    it('an active client with a list allows a token exactly the scopes on it', () => {
      const listed = clientState(['email', 'openid']);
      expect(clientAllows(listed, ['openid'])).toBe(true);
      expect(clientAllows(listed, ['email', 'openid'])).toBe(true);
      expect(clientAllows(listed, ['openid', TRANSFER])).toBe(false);
    });

    it('an active client without a list allows any scope', () => {
      expect(clientAllows(clientState(null), ['openid', TRANSFER])).toBe(true);
    });

    it('a disabled, deleted or unregistered client allows nothing', () => {
      expect(clientAllows(clientState(null, 'disabled'), ['openid'])).toBe(false);
      expect(clientAllows(clientState(null, 'deleted'), ['openid'])).toBe(false);
      expect(clientAllows({ status: 'unregistered' }, ['openid'])).toBe(false);
    });
  });
});
