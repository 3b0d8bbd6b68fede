import type { ConsentTokenRow, TokenRow } from './ledger-views';

/**
 * The token validity view as its readers see it (introspection, revocation by token). Readers inject it by
 * TOKEN_VIEW and never learn where it is stored. While `available` is false (a rebuild from 0 is staging the
 * view), the lookups throw ViewsRebuildingError: the answer is not known, and "inactive" would be a wrong one.
 */
export interface TokenView {
  readonly available: boolean;
  /** Undefined when the hash is unknown. Runs on every introspection: one lookup, nothing else. */
  token(tokenHash: string): TokenRow | undefined;
  tokenById(tokenId: string): TokenRow | undefined;
  /** The consent's tokens in issue order, after `afterPosition` if given: ids and metadata, never a hash or a token. */
  tokensOfConsent(consentId: string, options: { afterPosition?: number; limit: number }): ConsentTokenRow[];
}
