import { clientAllows, ClientState } from '../client/client';
import { CommandMetadata } from '../shared/command-metadata';
import { invalid } from '../shared/domain-error';
import { TOKEN_ID_PATTERN } from '../shared/ids';
import { normaliseScopes } from '../shared/scope';
import { ConsentEvent, ConsentState, isTokenLive, revokedWithUser } from './consent';
import type { DependentState } from './dependent-consents';
import { DEFAULT_TOKEN_LIFETIME_S } from './issue-token';
import type { MintedIds } from './refresh-lifetimes';

export interface ExchangeToken {
  type: 'ExchangeToken';
  /**
   * RFC 8693 token exchange for a dependent consent. `subjectTokenId`: the access token presented as subject_token,
   * as the handler found it by its hash on this (its root consent's) stream. `byClient`: the client that asks, as it
   * authenticated. `scopes`: the `scope` parameter. `access`: the new token, minted by the handler (id and hash).
   */
  data: { subjectTokenId: string; byClient: string; scopes: string[]; access: MintedIds };
  /**
   * `client`: the asking client's state (it must still allow the scope). `userRevocations`: as for IssueToken.
   * `lookupActive`: whether the token view holds the subject token active; it alone knows the cuts of other streams.
   */
  context: { client: ClientState; userRevocations?: number; lookupActive: boolean };
}

/** RFC 8693 section 2.2.2: a subject_token that is not acceptable is invalid_request. */
const unacceptable = (message: string) => invalid('invalid_request', message);

/**
 * The dependent token grant. The service that owns a scope the user granted with dependencies (the owner of
 * `transfer:all`, granted as `transfer:all[collection-A:data_access]`) presents the user's access token carrying that
 * scope, and gets ONE token, issued to itself, within the dependent consent for the scope it asks for. The subject may
 * itself be a dependent token: the chain goes down one level per exchange.
 *
 * Decided on the root's stream, after every grant and revocation of the tree before it: an exchange that wins a race
 * with the root's revocation has its token ended by it (the revocation's cut is later in the log), and one that
 * loses finds the root revoked and appends nothing.
 */
export function exchangeToken(command: ExchangeToken, state: ConsentState, meta: CommandMetadata): ConsentEvent[] {
  const { subjectTokenId, byClient, access } = command.data;
  if (state.status === 'none') throw unacceptable('subject_token is not an active access token');
  const subject = state.tokens.get(subjectTokenId);
  const live = isTokenLive(state, subjectTokenId, meta.now) && !revokedWithUser(state, command.context.userRevocations) && command.context.lookupActive;
  if (subject === undefined || !live) throw unacceptable('subject_token is not an active access token');
  // The consent the subject token stands for: the root's, or a dependent one's for a dependent token.
  const node = subject.dependentConsentId ?? state.consentId;
  const mine = [...state.dependents.values()].filter((d) => d.status === 'active' && d.parentId === node && d.clientId === byClient);
  if (mine.length === 0) throw unacceptable(`subject_token was not issued for a consent with a dependency for client ${byClient}`);
  const carried = mine.filter((d) => subject.scopes.includes(parentScope(d)));
  if (carried.length === 0) throw unacceptable(`subject_token lacks the scope the dependency hangs on (${[...new Set(mine.map(parentScope))].join(' ')})`);

  const scopes = normaliseScopes(command.data.scopes, 'scope');
  if (scopes.length !== 1) throw invalid('invalid_scope', 'One dependent scope per exchange: each exchange returns one token within one dependent consent');
  const target = carried.find((d) => d.scope === scopes[0]);
  if (!target) throw invalid('invalid_scope', `No dependent consent under this subject_token grants ${scopes[0]} to ${byClient}`, { scopes });
  if (!clientAllows(command.context.client, [target.scope])) throw invalid('invalid_scope', `Client ${byClient} is not active or no longer allows ${target.scope}`, { scopes });
  if (!TOKEN_ID_PATTERN.test(access.tokenId) || !/^[0-9a-f]{64}$/.test(access.tokenHash) || state.tokens.has(access.tokenId)) {
    throw new Error('ExchangeToken needs a new token id with a SHA-256 hex hash');
  }
  // No token outlives the root consent, which a dependent consent ends with.
  const endMs = Math.min(meta.now.getTime() + DEFAULT_TOKEN_LIFETIME_S * 1000, state.expiresAt === null ? Infinity : Date.parse(state.expiresAt));
  const data = {
    consentId: state.consentId,
    userId: state.userId,
    clientId: byClient,
    tokenId: access.tokenId,
    tokenHash: access.tokenHash,
    scopes: [target.scope],
    issuedAt: meta.now.toISOString(),
    expiresAt: new Date(endMs).toISOString(),
    dependent: { consentId: target.id, dependencyPath: target.path, rootScope: target.scopePath[0] },
  };
  return [{ type: 'TokenIssued', data }];
}

const parentScope = (d: DependentState) => d.scopePath[d.scopePath.length - 2];
