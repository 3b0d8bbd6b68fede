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
