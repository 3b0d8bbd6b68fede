import { CLIENT_ID_PATTERN, type Entitlement } from '@ledger/domain';
import { CALLER_NAME } from '../auth/api-keys';
import { ConfigError } from './config-error';

export interface SsfConfig {
  /**
   * LEDGER_SSF_RECEIVERS: for each receiver (an API key of role `receiver`, by name), the clients whose users it may
   * hear about. A receiver not listed is entitled to none: it hears only the ledger-wide not-before and its streams'
   * own SETs.
   */
  receivers: ReadonlyMap<string, Entitlement>;
  /** Longest a poll without returnImmediately waits for a SET (RFC 8936 section 2.4: long polling). */
  longPollMs: number;
  push: SsfPushConfig;
}

/** RFC 8935 push delivery (docs/ssf.md, "Push delivery"). */
export interface SsfPushConfig {
  /**
   * LEDGER_SSF_PUSH_ALLOW: the origins (scheme://host[:port]) a push endpoint may be at. Empty by default, which
   * refuses every push endpoint: a push stream makes the ledger send requests where a receiver says (SSRF).
   */
  allow: ReadonlySet<string>;
  /** LEDGER_SSF_PUSH_TIMEOUT_MS: the longest one POST of a SET may take, connection to last byte of the answer. */
  timeoutMs: number;
  /** LEDGER_SSF_PUSH_BACKOFF_BASE_MS / _MAX_MS: the first retry's delay, doubled per failure up to the cap. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/**
 * `https://rp.example,http://127.0.0.1:8443`: origins only (no path, query, fragment or credentials), http or
 * https, each compared as URL.origin normalises it (lower-case host, default port dropped).
 */
export function parseSsfPushAllow(raw: string | undefined): ReadonlySet<string> {
  const allow = new Set<string>();
  for (const [i, entry] of (raw ?? '').split(',').map((e) => e.trim()).filter(Boolean).entries()) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError('LEDGER_SSF_PUSH_ALLOW', `entry ${i + 1} is not a URL: write scheme://host[:port]`);
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password && !entry.endsWith('/') && !entry.includes('?') && !entry.includes('#');
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !bare) {
      throw new ConfigError('LEDGER_SSF_PUSH_ALLOW', `entry ${i + 1} must be an origin, scheme://host[:port] with scheme http or https`);
    }
    allow.add(url.origin);
  }
  return allow;
}

/** Whether a push endpoint is at an allowed origin; a URL with credentials in it never is (they would be logged). */
export function pushEndpointAllowed(allow: ReadonlySet<string>, endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  return !url.username && !url.password && !url.hash && allow.has(url.origin);
}

/** `name=client|client,name=*`: `|` and `=` are in neither an API key's name nor a client id. */
export function parseSsfReceivers(raw: string | undefined): ReadonlyMap<string, Entitlement> {
  const receivers = new Map<string, Entitlement>();
  for (const [i, entry] of (raw ?? '').split(',').map((e) => e.trim()).filter(Boolean).entries()) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq);
    if (eq < 0 || !CALLER_NAME.test(name)) throw new ConfigError('LEDGER_SSF_RECEIVERS', `entry ${i + 1} must be name=client|client or name=*`);
    if (receivers.has(name)) throw new ConfigError('LEDGER_SSF_RECEIVERS', `the receiver ${name} appears twice`);
    const clients = entry.slice(eq + 1).split('|').map((c) => c.trim()).filter(Boolean);
    if (clients.length === 1 && clients[0] === '*') {
      receivers.set(name, '*');
      continue;
    }
    const bad = clients.find((c) => !CLIENT_ID_PATTERN.test(c));
    if (bad !== undefined) throw new ConfigError('LEDGER_SSF_RECEIVERS', `entry ${i + 1} (${name}): "${bad}" is not a client id`);
    receivers.set(name, Object.freeze([...new Set(clients)]));
  }
  return receivers;
}
