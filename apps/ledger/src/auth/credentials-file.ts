import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKey, generateSecret, hashApiKeys, HashedApiKey, parseApiKeys, ROLES } from './api-keys';

export const CREDENTIALS_FILE = 'credentials.json';

export interface ResolvedKeys {
  keys: HashedApiKey[];
  /** Set on the first start without LEDGER_API_KEYS: the secrets, generated now, to be shown once. */
  generated?: { file: string; keys: ApiKey[] };
}

/**
 * LEDGER_API_KEYS wins. Without it, the first start generates one secret per role into `credentials.json` in the
 * data directory (mode 0600) so that the quick start works with nothing configured; later starts load that file.
 */
export function resolveApiKeys(configured: HashedApiKey[] | undefined, dataDir: string): ResolvedKeys {
  if (configured) return { keys: configured };
  const file = join(dataDir, CREDENTIALS_FILE);
  if (existsSync(file)) return { keys: hashApiKeys(readCredentials(file)) };
  mkdirSync(dataDir, { recursive: true });
  const keys: ApiKey[] = ROLES.map((role) => ({ name: role, role, secret: generateSecret() }));
  // Written under a temporary name with 0600 from the start, then renamed: never readable by others, never half-written.
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify({ version: 1, keys }, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return { keys: hashApiKeys(keys), generated: { file, keys } };
}

function readCredentials(file: string): ApiKey[] {
  chmodSync(file, 0o600);
  let parsed: { keys?: Array<{ name?: unknown; role?: unknown; secret?: unknown }> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file} is not valid JSON; fix it or delete it to generate new credentials`);
  }
  if (!Array.isArray(parsed.keys)) throw new Error(`${file} has no "keys" list`);
  // The same rules as LEDGER_API_KEYS: reuse the parser rather than a second validator.
  try {
    return parseApiKeys(parsed.keys.map((k) => `${k.name}:${k.role}:${k.secret}`).join(','));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/** The one time the secrets are shown: at the first start, on stdout, not through the logger. */
export function announceGenerated(keys: ApiKey[], file: string, write: (s: string) => void = (s) => process.stdout.write(s)): void {
  const width = Math.max(...keys.map((k) => k.name.length));
  write(
    [
      `No LEDGER_API_KEYS set: generated one credential per role, stored in ${file} (mode 0600).`,
      'They are shown this once; send them as "Authorization: Bearer <secret>".',
      ...keys.map((k) => `  ${k.name.padEnd(width)}  role=${k.role.padEnd(10)}  ${k.secret}`),
      '',
    ].join('\n'),
  );
}
