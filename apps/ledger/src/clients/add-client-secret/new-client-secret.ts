import { randomBytes } from 'node:crypto';
import { hashClientSecret } from '@ledger/domain';

export interface NewClientSecret {
  secretId: string;
  /** Shown once, in the answer; nothing keeps it. */
  secret: string;
  secretHash: string;
}

/**
 * `lcs_` (ledger client secret, so that secret scanners recognise a leak) and 256 random bits from the CSPRNG in
 * base64url, which is what lets a fast hash stand in for the secret (hashClientSecret).
 */
export function newClientSecret(): NewClientSecret {
  const secret = 'lcs_' + randomBytes(32).toString('base64url');
  return { secretId: 'sec_' + randomBytes(16).toString('hex'), secret, secretHash: hashClientSecret(secret) };
}
