import { CLIENT_ID, clientEvents as e } from '../testing/client-events';
import { DeciderSpecification, secondsAfter, stateAfter } from '../testing/decider-spec';
import { clientDecider } from './client.decider';

const clientId = CLIENT_ID;
const at = (seconds: number) => secondsAfter(seconds).toISOString();
const set = (notBefore?: string) => ({ type: 'SetClientNotBefore' as const, data: { clientId, ...(notBefore ? { notBefore } : {}) } });

describe('SetClientNotBefore', () => {
  const spec = DeciderSpecification.for(clientDecider);

  it('is ONE ClientNotBeforeSet, whatever the client holds, with the reason from the metadata', () => {
    spec.given([e.registered()]).when(set(at(-60)), { reason: 'leaked refresh' }).then([e.notBeforeSet(at(-60), 0, 'leaked refresh')]);
  });

  it('without a time means now; a time in the future is refused', () => {
    spec.given([e.registered()]).when(set()).then([e.notBeforeSet(at(0))]);
    spec.given([e.registered()]).when(set(at(30))).thenThrows('not_before_in_future', 'validation');
  });

  it('raises; the same one again (a retry) or an earlier one is a no-op', () => {
    spec.given([e.registered(), e.notBeforeSet(at(-60), -60)]).when(set(at(-10))).then([e.notBeforeSet(at(-10))]);
    spec.given([e.registered(), e.notBeforeSet(at(-60), -60)]).when(set(at(-60))).thenNothing();
    spec.given([e.registered(), e.notBeforeSet(at(-60), -60)]).when(set(at(-120))).thenNothing();
  });

  it('takes a disabled client; refuses an unknown one (client_not_found) and a deleted one (client_deleted)', () => {
    spec.given([e.registered(), e.disabled(-60)]).when(set()).then([e.notBeforeSet(at(0))]);
    spec.given([]).when(set()).thenThrows('client_not_found', 'not_found');
    spec.given([e.registered(), e.disabled(-60), e.deleted(-60)]).when(set()).thenThrows('client_deleted', 'conflict');
  });

  it('evolve: the client keeps its status and scopes, and records the not-before', () => {
    const state = stateAfter(clientDecider, [e.registered(), e.notBeforeSet(at(-5), -1)]);
    expect(state).toMatchObject({ status: 'active', allowedScopes: e.registered().data.allowedScopes, notBefore: at(-5), updatedAt: at(-1) });
  });
});
