import { CLIENT_ID, clientEvents as e, secretId } from '../testing/client-events';
import { DeciderSpecification } from '../testing/decider-spec';
import { clientDecider } from './client.decider';
import { RevokeClientSecret } from './revoke-client-secret';

const clientId = CLIENT_ID;
const revoke = (name: string): RevokeClientSecret => ({ type: 'RevokeClientSecret', data: { clientId, secretId: secretId(name) } });

describe('RevokeClientSecret', () => {
  const spec = DeciderSpecification.for(clientDecider);

  it('ends a valid secret at once: ClientSecretRevoked, with the reason from the metadata', () => {
    spec.given([e.registered(), e.secretAdded('a', -60)]).when(revoke('a'), { reason: 'leaked in a CI log' }).then([e.secretRevoked('a', 0, 'leaked in a CI log')]);
  });

  it('ends a superseded secret inside its overlap window too', () => {
    spec.given([e.registered(), e.secretAdded('a', -60), e.secretAdded('b', -30), e.secretsSuperseded(['a'], 'b', 3600, -30)]).when(revoke('a')).then([e.secretRevoked('a')]);
  });

  it('leaves a revoked secret, or one past its window, as it is: a retry is safe', () => {
    spec.given([e.registered(), e.secretAdded('a', -60), e.secretRevoked('a', -30)]).when(revoke('a')).thenNothing();
    spec.given([e.registered(), e.secretAdded('a', -60), e.secretAdded('b', -30), e.secretsSuperseded(['a'], 'b', 0, -30)]).when(revoke('a')).thenNothing();
  });

  it('revokes on a disabled client too', () => {
    spec.given([e.registered(), e.secretAdded('a', -60), e.disabled(-30)]).when(revoke('a')).then([e.secretRevoked('a')]);
  });

  it('refuses a secret the client never had (client_secret_not_found), an unknown client and a deleted one', () => {
    const error = spec.given([e.registered(), e.secretAdded('a', -60)]).when(revoke('other')).thenThrows('client_secret_not_found', 'not_found');
    expect(error.message).toBe(`Client transfer-app has no secret ${secretId('other')}`);
    spec.given([]).when(revoke('a')).thenThrows('client_not_found', 'not_found');
    spec.given([e.registered(), e.secretAdded('a', -60), e.disabled(-30), e.deleted(-30)]).when(revoke('a')).thenThrows('client_deleted', 'conflict');
  });
});
