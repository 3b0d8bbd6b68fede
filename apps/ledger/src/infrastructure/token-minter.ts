import { Injectable } from '@nestjs/common';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { hashToken } from '@ledger/domain';
import { NodeState } from './node-state';

export interface MintedToken {
  raw: string;
  tokenId: string;
  tokenHash: string;
}

/**
 * Mints opaque bearer tokens: 256 bits, base64url, with a recognisable prefix so that secret scanners can find
 * leaked ones. Only the SHA-256 hash leaves this class; the raw value goes straight into the HTTP response.
 *
 * With an Idempotency-Key the token is derived (HMAC with a per-installation secret) from the caller and the key,
 * so a retried IssueToken yields the same token and token id, and the decider sees a known token id and appends
 * nothing, without the raw token ever being stored to replay it.
 */
@Injectable()
export class TokenMinter {
  static readonly PREFIX = 'clt_';

  constructor(private readonly nodeState: NodeState) {}

  mint(idempotency?: { actor: string; key: string }): MintedToken {
    const secret = idempotency
      ? createHmac('sha256', this.nodeState.secret('token-derivation')).update(idempotency.actor).update('\u0000').update(idempotency.key).digest()
      : randomBytes(32);
    const raw = TokenMinter.PREFIX + secret.toString('base64url');
    const tokenId = 'tok_' + createHash('sha256').update('token-id\u0000').update(raw).digest('hex').slice(0, 32);
    return { raw, tokenId, tokenHash: hashToken(raw) };
  }
}
