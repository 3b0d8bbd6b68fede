import { existsSync, readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { SetSigner } from '@ledger/revocations';
import { secretFileOnce } from './secret-file';

export const SSF_SIGNING_KEY_FILE = 'ssf-signing-key.pem';
/** The key signed with before the last rotation: still in the JWKS, signing nothing (docs/ssf.md, "Rotation"). */
export const SSF_PREVIOUS_KEY_FILE = 'ssf-signing-key.previous.pem';

/**
 * The RS256 key SETs are signed with (2048-bit RSA, as the CAEP interoperability profile requires), kept like the
 * token key: a file of the secrets directory, never of the data directory, 0600 in a 0700 directory, generated at
 * the first start. Never logged: SetSigner holds it where neither JSON nor inspect reaches.
 *
 * Rotation with overlap: the operator renames the key to SSF_PREVIOUS_KEY_FILE and restarts; a new key is generated
 * and signs from then on, while the previous one's public half stays in the JWKS, so a receiver holding a SET signed
 * before still verifies it, and one with a cached JWKS finds the new kid on its next fetch. Deleting the previous
 * file (and restarting) ends the overlap.
 */
export function loadOrCreateSigningKey(secretsDir: string): { signer: SetSigner; file: string; created: boolean; looseMode: boolean } {
  const generate = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const { file, created, looseMode } = secretFileOnce(secretsDir, SSF_SIGNING_KEY_FILE, generate);
  const previousFile = join(secretsDir, SSF_PREVIOUS_KEY_FILE);
  try {
    const previous = existsSync(previousFile) ? createPublicKey(createPrivateKey(readFileSync(previousFile))) : undefined;
    return { signer: new SetSigner(createPrivateKey(readFileSync(file)), previous ? [previous] : []), file, created, looseMode };
  } catch (error) {
    // A failed parse's message never holds the key material.
    throw new Error(`${file} or ${SSF_PREVIOUS_KEY_FILE}: ${(error as Error).message}; restore it, or delete it to generate a new key (receivers then fetch the JWKS again)`);
  }
}
