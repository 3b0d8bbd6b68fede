import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseBasic } from './basic-credentials';

/**
 * Callers, roles and the authentication itself, free of any framework, so that every way in decides alike: the
 * onRequest hook (authentication.hook.ts) authenticates with it and RoleGuard checks roles with it.
 */
export type Role = 'commands' | 'introspect' | 'audit' | 'admin' | 'receiver';
export const ROLES: readonly Role[] = ['commands', 'introspect', 'audit', 'admin', 'receiver'];
/**
 * The roles a first start generates a key for. Not `receiver`: a Shared Signals receiver is a third party, each with
 * its own key and entitlement (LEDGER_SSF_RECEIVERS), so one generated for nobody in particular would serve no one.
 */
export const GENERATED_ROLES: readonly Role[] = ['commands', 'introspect', 'audit', 'admin'];

/** An authenticated caller. Its name is the actor recorded on every event it causes. */
export interface Caller {
  name: string;
  role: Role;
}

/** One configured credential. The secret is only held here until the authenticator hashes it. */
export interface ApiKey {
  name: string;
  role: Role;
  secret: string;
}

export const CALLER_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Printable ASCII without space and comma (the list separator); long enough that guessing is hopeless. */
export const SECRET = /^[\x21-\x2b\x2d-\x7e]{16,512}$/;

/** Parses `name:role:secret,...`. Throws with a message that never repeats a secret. */
export function parseApiKeys(raw: string): ApiKey[] {
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('must list at least one name:role:secret');
  const keys = entries.map((entry, i) => {
    const first = entry.indexOf(':');
    const second = first < 0 ? -1 : entry.indexOf(':', first + 1);
    if (second < 0) throw new Error(`entry ${i + 1} must have the form name:role:secret`);
    const name = entry.slice(0, first);
    const role = entry.slice(first + 1, second);
    const secret = entry.slice(second + 1);
    if (!CALLER_NAME.test(name)) throw new Error(`entry ${i + 1}: the name must be 1-64 characters of A-Z a-z 0-9 . _ -`);
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`entry ${i + 1} (${name}): the role must be one of ${ROLES.join(', ')}`);
    if (!SECRET.test(secret)) throw new Error(`entry ${i + 1} (${name}): the secret must be 16-512 printable ASCII characters without spaces or commas`);
    return { name, role: role as Role, secret };
  });
  const names = new Set<string>();
  const hashes = new Set<string>();
  for (const k of keys) {
    if (names.has(k.name)) throw new Error(`the name ${k.name} appears twice`);
    names.add(k.name);
    const h = sha256(k.secret).toString('hex');
    if (hashes.has(h)) throw new Error(`two entries share a secret (${k.name})`);
    hashes.add(h);
  }
  return keys;
}

/** A fresh secret: 256 random bits, with a prefix that secret scanners can recognise. */
export function generateSecret(): string {
  return 'lks_' + randomBytes(32).toString('base64url');
}

/** A caller as the service keeps it: the SHA-256 of its secret, never the secret. */
export interface HashedApiKey {
  name: string;
  role: Role;
  secretHash: Buffer;
}

export function hashApiKeys(keys: readonly ApiKey[]): HashedApiKey[] {
  return keys.map((k) => ({ name: k.name, role: k.role, secretHash: sha256(k.secret) }));
}

/** admin may do everything; every other role only what a route lists. */
export function hasRole(caller: Caller, allowed: readonly Role[]): boolean {
  return caller.role === 'admin' || allowed.includes(caller.role);
}

interface Entry {
  caller: Caller;
  hash: Buffer;
}

export interface AuthenticateOptions {
  /** Also accept HTTP Basic `name:secret` (RFC 6749 client_secret_basic), where a route reads API keys that way (introspection). */
  basic?: boolean;
}

/**
 * Checks an Authorization header against the configured callers. Secrets are held only as SHA-256 hashes: a
 * presented secret is hashed, looked up by its hash, and compared in constant time, so neither memory nor timing
 * gives a secret away. Returns undefined for anything that does not authenticate, without saying why.
 */
export class Authenticator {
  private readonly byHash = new Map<string, Entry>();

  constructor(keys: readonly HashedApiKey[]) {
    for (const k of keys) this.byHash.set(k.secretHash.toString('hex'), { caller: Object.freeze({ name: k.name, role: k.role }), hash: k.secretHash });
  }

  authenticate(authorization: string | undefined, options: AuthenticateOptions = {}): Caller | undefined {
    if (typeof authorization !== 'string' || authorization.length > 2048) return undefined;
    const space = authorization.indexOf(' ');
    if (space < 0) return undefined;
    const scheme = authorization.slice(0, space).toLowerCase();
    const credentials = authorization.slice(space + 1).trim();
    if (scheme === 'bearer') return this.check(credentials);
    const basic = options.basic ? parseBasic(authorization) : undefined;
    return basic && this.authenticateNamed(basic.id, basic.secret);
  }

  /** A key's name and secret, the way OAuth client libraries send them (client_secret_basic, client_secret_post). */
  authenticateNamed(name: string, secret: string): Caller | undefined {
    if (secret.length > 2048) return undefined;
    const caller = this.check(secret);
    return caller && caller.name === name ? caller : undefined;
  }

  private check(secret: string): Caller | undefined {
    if (secret.length === 0) return undefined;
    const presented = sha256(secret);
    const entry = this.byHash.get(presented.toString('hex'));
    return entry && timingSafeEqual(entry.hash, presented) ? entry.caller : undefined;
  }
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();
