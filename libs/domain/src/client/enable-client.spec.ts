import { CLIENT_ID, clientEvents as e } from '../testing/client-events';
import { DeciderSpecification } from '../testing/decider-spec';
import { clientDecider } from './client.decider';

const clientId = CLIENT_ID;

describe('EnableClient', () => {
  const spec = DeciderSpecification.for(clientDecider);

  it('enables a disabled client: ClientEnabled', () => {
    spec.given([e.registered(), e.disabled(-60)]).when({ type: 'EnableClient', data: { clientId } }).then([e.enabled()]);
  });

  it('on an active client is a no-op', () => {
    spec.given([e.registered()]).when({ type: 'EnableClient', data: { clientId } }).thenNothing();
  });

  it('refuses a deleted client: a delete is never undone', () => {
    spec.given([e.registered(), e.disabled(-60), e.deleted(-60)]).when({ type: 'EnableClient', data: { clientId } }).thenThrows('client_deleted', 'conflict');
    spec.given([]).when({ type: 'EnableClient', data: { clientId } }).thenThrows('client_not_found');
  });
});
