import { consentIdFor, hashToken, pairKey } from '../shared/ids';
import { DeciderSpecification, secondsAfter } from '../testing/decider-spec';
import { ConsentEvent, ConsentGranted, ConsentRevoked, ConsentScopesRevoked, TokenIssued, TokenRevoked } from './consent';
import { consentDecider } from './consent.decider';
import { RevokeToken } from './revoke-token';

const USER = 'alice';
const CLIENT = 'transfer-app';
const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';

const consentId = (generation = 1) => consentIdFor(pairKey(USER, CLIENT), generation);
const ref = (generation = 1) => ({ consentId: consentId(generation), userId: USER, clientId: CLIENT });
const at = (seconds: number) => secondsAfter(seconds).toISOString();

const tokenId = (name: string) => `tok_${Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('hex')}`;
const tokenHash = (name: string) => hashToken(`raw-${name}`);

const granted = (scopes: string[], generation = 1, seconds = -7200): ConsentGranted => ({
  type: 'ConsentGranted',
  data: { ...ref(generation), scopes, grantedAt: at(seconds) },
});
const issued = (name: string, scopes: string[], { issuedAt = -600, expiresIn = 3600, generation = 1 } = {}): TokenIssued => ({
  type: 'TokenIssued',
  data: { ...ref(generation), tokenId: tokenId(name), tokenHash: tokenHash(name), scopes, issuedAt: at(issuedAt), expiresAt: at(issuedAt + expiresIn) },
});
const tokenRevoked = (name: string, { seconds = -60, reason = null as string | null } = {}): TokenRevoked => ({
  type: 'TokenRevoked',
  data: { ...ref(1), tokenId: tokenId(name), tokenHash: tokenHash(name), revokedAt: at(seconds), reason },
});
const ended = (...names: string[]) => names.map((name) => ({ tokenId: tokenId(name), tokenHash: tokenHash(name) }));

const revokeToken = (name: string): RevokeToken => ({ type: 'RevokeToken', data: { tokenId: tokenId(name) } });

describe('RevokeToken (RFC 7009: success either way, and the caller learns nothing about other tokens)', () => {
  const spec = DeciderSpecification.for(consentDecider);
  const history: ConsentEvent[] = [granted(['openid', TRANSFER]), issued('live', ['openid']), issued('other', ['openid'])];

  it('a live token: TokenRevoked with its hash, so resource services can drop it without ever seeing the raw token', () => {
    spec
      .given(history)
      .when(revokeToken('live'), { reason: 'lost laptop' })
      .then([
        {
          type: 'TokenRevoked',
          data: { ...ref(1), tokenId: tokenId('live'), tokenHash: hashToken('raw-live'), revokedAt: at(0), reason: 'lost laptop' },
        },
      ]);
  });

  it('takes the reason from the metadata, else null', () => {
    spec.given(history).when(revokeToken('live'), { reason: 'admin action' }).then([tokenRevoked('live', { seconds: 0, reason: 'admin action' })]);
    spec.given(history).when(revokeToken('live')).then([tokenRevoked('live', { seconds: 0, reason: null })]);
  });

  it('an unknown token: nothing', () => {
    spec.given(history).when(revokeToken('never-issued')).thenNothing();
  });

  it('any token when the pair has no consent: nothing', () => {
    spec.given([]).when(revokeToken('live')).thenNothing();
  });

  it('an expired token: nothing', () => {
    spec
      .given([...history, issued('short', ['openid'], { issuedAt: -120, expiresIn: 60 })])
      .when(revokeToken('short'))
      .thenNothing();
  });

  it('a token that expires exactly now: nothing (expiry is exclusive)', () => {
    spec
      .given([...history, issued('edge', ['openid'], { issuedAt: -60, expiresIn: 60 })])
      .when(revokeToken('edge'))
      .thenNothing();
  });

  it('a token one second before its expiry: still live, so revoked', () => {
    spec
      .given([...history, issued('edge', ['openid'], { issuedAt: -59, expiresIn: 60 })])
      .when(revokeToken('edge'))
      .then([expect.objectContaining({ type: 'TokenRevoked' })]);
  });

  it('a token already revoked: nothing', () => {
    spec
      .given([...history, tokenRevoked('live')])
      .when(revokeToken('live'))
      .thenNothing();
  });

  it('a token ended by a partial revocation of its scope: nothing', () => {
    const partial: ConsentScopesRevoked = {
      type: 'ConsentScopesRevoked',
      data: { ...ref(1), revokedScopes: [TRANSFER], remainingScopes: ['openid'], endedTokens: ended('transfer'), revokedAt: at(-30), reason: null },
    };
    spec
      .given([...history, issued('transfer', [TRANSFER], { issuedAt: -300 }), partial])
      .when(revokeToken('transfer'))
      .thenNothing();
  });

  it('a token ended by the revocation of its consent: nothing', () => {
    const full: ConsentRevoked = {
      type: 'ConsentRevoked',
      data: { ...ref(1), revokedScopes: ['openid', TRANSFER], endedTokens: ended('live', 'other'), revokedAt: at(-30), reason: null },
    };
    spec
      .given([...history, full])
      .when(revokeToken('live'))
      .thenNothing();
  });

  describe('by an OAuth client (RFC 7009 section 2.1: only the client the token was issued to)', () => {
    const byClient = (name: string, client: string): RevokeToken => ({ type: 'RevokeToken', data: { tokenId: tokenId(name), byClient: client } });

    it("revokes the client's own token", () => {
      spec.given(history).when(byClient('live', CLIENT)).then([tokenRevoked('live', { seconds: 0 })]);
    });

    it("refuses another client's token: token_not_owned, whether it is live, revoked or expired", () => {
      const error = spec.given(history).when(byClient('live', 'other-app')).thenThrows('token_not_owned', 'validation');
      expect(error.message).toBe('The token was not issued to this client');
      spec.given([...history, tokenRevoked('live')]).when(byClient('live', 'other-app')).thenThrows('token_not_owned');
      spec.given([...history, issued('short', ['openid'], { issuedAt: -120, expiresIn: 60 })]).when(byClient('short', 'other-app')).thenThrows('token_not_owned');
    });

    it('compares client ids exactly', () => {
      spec.given(history).when(byClient('live', CLIENT.toUpperCase())).thenThrows('token_not_owned');
    });
  });

  it('revokes only the named token: the other stays live', () => {
    const [event] = spec.given(history).when(revokeToken('live')).events() as TokenRevoked[];
    expect(event.data.tokenId).toBe(tokenId('live'));
    spec.given([...history, event]).when(revokeToken('other')).then([tokenRevoked('other', { seconds: 0 })]);
  });
});
