import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { hashToken } from '@ledger/domain';
import { TokenKey } from './token-key';

export interface MintedToken {
  raw: string;
  tokenId: string;
  tokenHash: string;
}

/** Domain separation: these HMACs derive tokens and nothing else. v2: the derivation takes a nonce. */
const DERIVATION = 'ledger-idempotent-token-v2';
/** The refresh token of an idempotent issue: derived from the same inputs under a label of its own. */
const REFRESH_DERIVATION = 'ledger-idempotent-refresh-token-v1';

/**
 * Mints opaque bearer tokens: 256 bits, base64url, with a recognisable prefix so that secret scanners can find
 * leaked ones. Only the SHA-256 hash leaves this class; the raw value goes straight into the HTTP response.
 *
 * Under an Idempotency-Key the token is derived, HMAC(token key, caller, key, nonce), so that a retry can answer
 * with the same token without the raw token ever being stored. The nonce is random and chosen at the first issue
 * (the consent stream records it), so when the key's window has closed the same key derives another token, and an
 * old token id is never issued again. The token key lives outside the data directory (token-key.ts): the stream
 * and node.db together still derive nothing.
 *
 * Refresh tokens are minted and stored the same way (only the hash leaves), with a prefix of their own so that a
 * scanner, or a person, tells a long-lived refresh token from an access token.
 */
@Injectable()
export class TokenMinter {
  static readonly PREFIX = 'clt_';
  static readonly REFRESH_PREFIX = 'clr_';

  constructor(private readonly key: TokenKey) {}

  mint(): MintedToken {
    return TokenMinter.token(randomBytes(32));
  }

  /** A fresh nonce for a first issue under a key: 128 random bits, hex. */
  nonce(): string {
    return randomBytes(16).toString('hex');
  }

  derive(actor: string, idempotencyKey: string, nonce: string): MintedToken {
    return TokenMinter.token(this.key.hmac([DERIVATION, actor, idempotencyKey, nonce]));
  }

  mintRefresh(): MintedToken {
    return TokenMinter.token(randomBytes(32), TokenMinter.REFRESH_PREFIX);
  }

  deriveRefresh(actor: string, idempotencyKey: string, nonce: string): MintedToken {
    return TokenMinter.token(this.key.hmac([REFRESH_DERIVATION, actor, idempotencyKey, nonce]), TokenMinter.REFRESH_PREFIX);
  }

  private static token(secret: Buffer, prefix = TokenMinter.PREFIX): MintedToken {
    const raw = prefix + secret.toString('base64url');
    const tokenId = 'tok_' + createHash('sha256').update('token-id\u0000').update(raw).digest('hex').slice(0, 32);
    return { raw, tokenId, tokenHash: hashToken(raw) };
  }
}
