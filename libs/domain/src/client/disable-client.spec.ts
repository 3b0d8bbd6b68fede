import { CLIENT_ID, clientEvents as e } from '../testing/client-events';
import { DeciderSpecification } from '../testing/decider-spec';
import { clientDecider } from './client.decider';

const clientId = CLIENT_ID;

describe('DisableClient', () => {
  const spec = DeciderSpecification.for(clientDecider);

  it('is ONE ClientDisabled, with the reason from the metadata, whatever the client holds', () => {
    spec.given([e.registered()]).when({ type: 'DisableClient', data: { clientId } }, { reason: 'compromised' }).then([e.disabled(0, 'compromised')]);
  });

  it('on a disabled client is a no-op, so a retry is safe', () => {
    spec.given([e.registered(), e.disabled(-60)]).when({ type: 'DisableClient', data: { clientId } }).thenNothing();
  });

  it('disables again after an enable', () => {
    spec.given([e.registered(), e.disabled(-60), e.enabled(-30)]).when({ type: 'DisableClient', data: { clientId } }).then([e.disabled()]);
  });

  it('refuses an unknown client (client_not_found) and a deleted one (client_deleted)', () => {
    spec.given([]).when({ type: 'DisableClient', data: { clientId } }).thenThrows('client_not_found', 'not_found');
    spec.given([e.registered(), e.disabled(-60), e.deleted(-60)]).when({ type: 'DisableClient', data: { clientId } }).thenThrows('client_deleted', 'conflict');
  });
});
