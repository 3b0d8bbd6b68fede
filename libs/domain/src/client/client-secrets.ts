import { createHash } from 'node:crypto';
import type { ClientSecretState, RegisteredClient } from './client';

/**
 * Client secrets: what they look like and when one authenticates. The ledger generates every secret (256 random
 * bits); a secret a client or an operator chose could be short, reused or guessable, and nothing at the edge could
 * tell.
 */

/** `lcs_` (ledger client secret, so that secret scanners recognise a leak) and 32 random bytes in base64url. */
export const CLIENT_SECRET_PATTERN = /^lcs_[A-Za-z0-9_-]{43}$/;
export const CLIENT_SECRET_ID_PATTERN = /^sec_[0-9a-f]{32}$/;
const SECRET_HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * SHA-256 hex of a raw secret: the only form in which a secret is stored, in events and views. A fast hash is right
 * here, unlike for passwords: the secret is 256 bits from a CSPRNG, so there is no dictionary to try and a preimage
 * search is 2^256 work whatever the hash costs. A slow hash (bcrypt, scrypt, Argon2) would add nothing but
 * milliseconds of CPU to every OAuth request, which an attacker could spend for us with wrong secrets.
 */
export const hashClientSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * Overlap of a rotation: how long the secrets a new one supersedes keep authenticating. A day by default, so that a
 * deployment can pick the new secret up; at most a week, so that a rotation always ends the old secret; 0 ends it at
 * once (the secret leaked).
 */
export const SECRET_OVERLAP_SECONDS = { default: 86_400, max: 604_800 } as const;

/** Secrets that authenticate at one time: enough for a rotation or two in flight, few enough to compare them all. */
export const MAX_VALID_SECRETS = 5;

export type ClientSecretStatus = 'active' | 'expiring' | 'expired' | 'revoked';

/** A secret at `nowMs`: active (no end), expiring (a rotation ends it later), expired or revoked. */
export function secretStatus(secret: Pick<ClientSecretState, 'validUntil' | 'revokedAt'>, nowMs: number): ClientSecretStatus {
  if (secret.revokedAt !== null) return 'revoked';
  if (secret.validUntil === null) return 'active';
  return Date.parse(secret.validUntil) > nowMs ? 'expiring' : 'expired';
}

export const isSecretValid = (secret: Pick<ClientSecretState, 'validUntil' | 'revokedAt'>, nowMs: number) => {
  const status = secretStatus(secret, nowMs);
  return status === 'active' || status === 'expiring';
};

/** The secrets of a registered client that authenticate at `nowMs`. */
export const validSecrets = (client: RegisteredClient, nowMs: number) => client.secrets.filter((s) => isSecretValid(s, nowMs));

/** The handler generates ids and hashes; anything else reaching the decider is a bug, not a request to refuse. */
export function assertGenerated(secretId: string, secretHash: string): void {
  if (!CLIENT_SECRET_ID_PATTERN.test(secretId)) throw new Error('A client secret id must be generated (sec_ and 32 hex digits)');
  if (!SECRET_HASH_PATTERN.test(secretHash)) throw new Error('A client secret must arrive as its SHA-256 hash');
}
