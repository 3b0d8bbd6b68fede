import { readFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { SetSigner } from '@ledger/revocations';
import { secretFileOnce } from './secret-file';

export const SSF_SIGNING_KEY_FILE = 'ssf-signing-key.pem';

/**
 * The RS256 key SETs are signed with (2048-bit RSA, as the CAEP interoperability profile requires), kept like the
 * token key: a file of the secrets directory, never of the data directory, 0600 in a 0700 directory, generated at
 * the first start. Never logged: SetSigner holds it where neither JSON nor inspect reaches. Rotation: docs/ssf.md.
 */
export function loadOrCreateSigningKey(secretsDir: string): { signer: SetSigner; file: string; created: boolean; looseMode: boolean } {
  const generate = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const { file, created, looseMode } = secretFileOnce(secretsDir, SSF_SIGNING_KEY_FILE, generate);
  try {
    return { signer: new SetSigner(createPrivateKey(readFileSync(file))), file, created, looseMode };
  } catch (error) {
    // A failed parse's message never holds the key material.
    throw new Error(`${file}: ${(error as Error).message}; restore it, or delete it to generate a new key (receivers then fetch the JWKS again)`);
  }
}
