import { chmodSync, closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ApiKey, CALLER_NAME, GENERATED_ROLES, generateSecret, hashApiKeys, HashedApiKey, parseApiKeys, Role, ROLES } from './api-keys';

/** In the secrets directory: the generated secrets, written once, for the operator to read. */
export const CREDENTIALS_FILE = 'credentials.json';
/** In the data directory: what the service checks against. Hashes only, so a backup of the data holds no key. */
export const CREDENTIAL_HASHES_FILE = 'credential-hashes.json';

export interface ResolvedKeys {
  keys: HashedApiKey[];
  /** What the operator must be told on stderr: where the secrets are. Never a secret. */
  notice?: string;
}

/**
 * LEDGER_API_KEYS wins. Without it the quick start still works with nothing configured: the first start generates
 * one secret per role into `credentials.json` in the SECRETS directory (never the data directory) and their SHA-256
 * hashes into `credential-hashes.json` in the data directory; later starts verify against the hashes and never read
 * a secret. Deleting the hash file rotates: the next start generates new secrets (and overwrites the secrets file).
 *
 * Earlier versions kept the raw secrets in the data directory (`credentials.json` there). Such a file is converted at
 * start-up: its secrets move to the secrets directory, their hashes are written, and it is removed.
 */
export function resolveApiKeys(configured: HashedApiKey[] | undefined, dataDir: string, secretsDir: string): ResolvedKeys {
  if (configured) return { keys: configured };
  const hashes = join(dataDir, CREDENTIAL_HASHES_FILE);
  const secrets = join(secretsDir, CREDENTIALS_FILE);
  const legacy = join(dataDir, CREDENTIALS_FILE);
  if (existsSync(legacy)) {
    const keys = readSecrets(legacy);
    writeSecrets(secretsDir, secrets, keys);
    writeHashes(hashes, hashApiKeys(keys));
    unlinkSync(legacy);
    return {
      keys: hashApiKeys(keys),
      notice:
        `Moved the generated credentials out of the data directory: the secrets are now in ${secrets} (mode 0600), ` +
        `and ${hashes} keeps only their hashes. Backups of the data directory taken before hold the raw secrets: if ` +
        `one may have leaked, delete ${hashes} and restart to generate new ones.\n`,
    };
  }
  if (existsSync(hashes)) return { keys: readHashes(hashes) };
  const keys: ApiKey[] = GENERATED_ROLES.map((role) => ({ name: role, role, secret: generateSecret() }));
  // Secrets first: a crash between the two writes leaves no hash file, so the next start generates again.
  writeSecrets(secretsDir, secrets, keys);
  writeHashes(hashes, hashApiKeys(keys));
  return {
    keys: hashApiKeys(keys),
    notice:
      `No LEDGER_API_KEYS set: generated one credential per role (${keys.map((k) => k.name).join(', ')}) into ${secrets} ` +
      `(mode 0600, outside the data directory); send one as "Authorization: Bearer <secret>". The data directory keeps ` +
      `only their hashes (${hashes}); delete that file and restart to generate new ones.\n`,
  };
}

function writeSecrets(secretsDir: string, file: string, keys: ApiKey[]): void {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  chmodSync(secretsDir, 0o700);
  writePrivately(file, JSON.stringify({ version: 1, keys }, null, 2) + '\n');
}

function writeHashes(file: string, keys: HashedApiKey[]): void {
  const entries = keys.map((k) => ({ name: k.name, role: k.role, sha256: k.secretHash.toString('hex') }));
  writePrivately(file, JSON.stringify({ version: 1, keys: entries }, null, 2) + '\n');
}

/** Written under a temporary name, 0600 from the start whatever the umask, then renamed: never readable by others, never half-written. */
function writePrivately(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function readJson(file: string, what: string): { keys?: Array<Record<string, unknown>> } {
  let parsed: { keys?: Array<Record<string, unknown>> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file} is not valid JSON; fix it or delete it to generate new ${what}`);
  }
  if (!Array.isArray(parsed.keys)) throw new Error(`${file} has no "keys" list`);
  return parsed;
}

function readSecrets(file: string): ApiKey[] {
  const { keys } = readJson(file, 'credentials');
  // The same rules as LEDGER_API_KEYS: reuse the parser rather than a second validator.
  try {
    return parseApiKeys(keys!.map((k) => `${k.name}:${k.role}:${k.secret}`).join(','));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

function readHashes(file: string): HashedApiKey[] {
  chmodSync(file, 0o600);
  return readJson(file, 'credentials').keys!.map((k, i) => {
    const { name, role, sha256 } = k;
    if (typeof name !== 'string' || !CALLER_NAME.test(name) || !(ROLES as readonly unknown[]).includes(role) || typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) {
      throw new Error(`${file}: entry ${i + 1} must have a name, a role (${ROLES.join(', ')}) and a sha256 of 64 hex digits; delete the file to generate new credentials`);
    }
    return { name, role: role as Role, secretHash: Buffer.from(sha256, 'hex') };
  });
}
