import { CLIENT_ID, clientEvents as e } from '../testing/client-events';
import { DeciderSpecification, stateAfter } from '../testing/decider-spec';
import { clientDecider } from './client.decider';

const clientId = CLIENT_ID;

describe('DeleteClient', () => {
  const spec = DeciderSpecification.for(clientDecider);

  it('disables an active client first, in the same append: the revocation is the one ClientDisabled', () => {
    spec
      .given([e.registered()])
      .when({ type: 'DeleteClient', data: { clientId } }, { reason: 'gone' })
      .then([e.disabled(0, 'gone'), e.deleted(0, 'gone')]);
  });

  it('on a disabled client appends ClientDeleted alone', () => {
    spec.given([e.registered(), e.disabled(-60)]).when({ type: 'DeleteClient', data: { clientId } }).then([e.deleted()]);
  });

  it('on a deleted client is a no-op, and on an unknown one client_not_found', () => {
    spec.given([e.registered(), e.disabled(-60), e.deleted(-60)]).when({ type: 'DeleteClient', data: { clientId } }).thenNothing();
    const error = spec.given([]).when({ type: 'DeleteClient', data: { clientId } }).thenThrows('client_not_found', 'not_found');
    expect(error.message).toBe('Client transfer-app is not registered');
  });

  it('evolve: disabled, enabled, deleted, each with updatedAt its time; the details stay', () => {
    const at = (s: number) => e.disabled(s).data.disabledAt;
    expect(stateAfter(clientDecider, [e.registered(), e.disabled(-60)])).toMatchObject({ status: 'disabled', updatedAt: at(-60), name: 'Transfer App' });
    expect(stateAfter(clientDecider, [e.registered(), e.disabled(-60), e.enabled(-30)])).toMatchObject({ status: 'active', updatedAt: at(-30) });
    expect(stateAfter(clientDecider, [e.registered(), e.disabled(-60), e.deleted(-10)])).toMatchObject({ status: 'deleted', updatedAt: at(-10) });
  });

  it('evolve: an event before any registration changes nothing', () => {
    expect(stateAfter(clientDecider, [e.disabled(), e.enabled(), e.updated('x', null)])).toEqual({ status: 'unregistered' });
  });
});
