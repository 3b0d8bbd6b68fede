import { readFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { secretFileOnce } from './secret-file';

export const TOKEN_KEY_FILE = 'token-key';
export const MIN_TOKEN_KEY_BYTES = 32;

/**
 * The key idempotent tokens are derived from. Whoever holds it and an Idempotency-Key (gateways log them) holds the
 * token, so it never lives in the data directory, is never logged, and does not print: the bytes sit in a private
 * field that JSON.stringify and util.inspect cannot see.
 */
export class TokenKey {
  readonly #bytes: Buffer;

  constructor(
    bytes: Buffer,
    /** Where it came from, for the start-up log line: never the key itself. */
    readonly source: string,
  ) {
    if (bytes.length < MIN_TOKEN_KEY_BYTES) throw new Error(`a token key needs at least ${MIN_TOKEN_KEY_BYTES} bytes`);
    this.#bytes = Buffer.from(bytes);
  }

  /** HMAC-SHA-256 under the key, over the parts separated by NUL (none of them may contain one). */
  hmac(parts: readonly string[]): Buffer {
    const mac = createHmac('sha256', this.#bytes);
    parts.forEach((part, i) => mac.update(i === 0 ? part : `\u0000${part}`));
    return mac.digest();
  }

  toJSON(): string {
    return `[token key from ${this.source}]`;
  }

  [inspect.custom](): string {
    return this.toJSON();
  }
}

/** LEDGER_TOKEN_KEY: base64 or base64url, at least 32 bytes once decoded. Messages never repeat the value. */
export function parseTokenKey(raw: string, source: string): TokenKey {
  const text = raw.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw new Error('must be base64 or base64url');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < MIN_TOKEN_KEY_BYTES) throw new Error(`must decode to at least ${MIN_TOKEN_KEY_BYTES} bytes (openssl rand -base64 32), got ${bytes.length}`);
  return new TokenKey(bytes, source);
}

/** The key file in the secrets directory (outside the data directory), created at the first start (secret-file.ts). */
export function loadOrCreateKeyFile(secretsDir: string): { key: TokenKey; created: boolean; looseMode: boolean } {
  const { file, created, looseMode } = secretFileOnce(secretsDir, TOKEN_KEY_FILE, () => `${randomBytes(MIN_TOKEN_KEY_BYTES).toString('base64url')}\n`);
  try {
    return { key: parseTokenKey(readFileSync(file, 'utf8'), file), created, looseMode };
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}; restore it, or delete it to generate a new key (retries of earlier idempotent requests then fail)`);
  }
}
