import { type ClientSecretStatus, secretStatus, type ClientSecretState } from '@ledger/domain';

/** A client secret as the API shows it: never the secret, never its hash. */
export interface ClientSecretResult {
  secretId: string;
  status: ClientSecretStatus;
  addedAt: string;
  validUntil: string | null;
  revokedAt: string | null;
}

/** From the domain state or a view row alike: both carry the id, the times and the revocation. */
export function clientSecretResult(secret: ClientSecretState, nowMs: number): ClientSecretResult {
  const { secretId, addedAt, validUntil, revokedAt } = secret;
  return { secretId, status: secretStatus(secret, nowMs), addedAt, validUntil, revokedAt };
}
