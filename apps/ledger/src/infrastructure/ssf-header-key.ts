import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { secretFileOnce } from './secret-file';

export const SSF_HEADER_KEY_FILE = 'ssf-header-key';
const VERSION = 'v1';

/**
 * Seals a push stream's authorization_header (RFC 8935: the transmitter sends it back to the receiver, so unlike an
 * API key it cannot be hashed) with AES-256-GCM under a key of the secrets directory. Only the sealed form reaches
 * the log, the audit export and the reads; the push worker opens it just before a POST. The stream id is the
 * additional data, so a sealed header copied into another stream's event does not open there.
 * Sealed form: `v1.<iv>.<tag>.<ciphertext>`, base64url.
 */
export class HeaderSealer {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the authorization header key is 32 bytes');
    this.#key = key;
  }

  seal(streamId: string, header: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv).setAAD(Buffer.from(streamId));
    const body = Buffer.concat([cipher.update(header, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** Throws on a sealed value it did not make for this stream (tampered, moved, or another key). */
  open(streamId: string, sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || body === undefined) throw new Error('not a sealed authorization header');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(streamId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  toJSON(): string {
    return '[authorization header key]';
  }

  [inspect.custom](): string {
    return this.toJSON();
  }
}

/**
 * The key, kept like the token key and the SET signing key: 32 random bytes (hex) in the secrets directory, 0600 in
 * a 0700 directory, generated at the first start, never logged. Lose it and every push stream's header is lost
 * with it (the receiver sets it again with a PATCH); on EventStoreDB every instance needs the same file.
 */
export function loadOrCreateHeaderKey(secretsDir: string): { sealer: HeaderSealer; file: string; created: boolean; looseMode: boolean } {
  const { file, created, looseMode } = secretFileOnce(secretsDir, SSF_HEADER_KEY_FILE, () => randomBytes(32).toString('hex'));
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length !== 32) throw new Error(`${file} is not 64 hex digits; restore it from the backup of the secrets directory`);
  return { sealer: new HeaderSealer(key), file, created, looseMode };
}
