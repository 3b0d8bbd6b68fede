import { createHash, timingSafeEqual } from 'node:crypto';
import { CLIENT_ID_PATTERN, CLIENT_SECRET_PATTERN, isSecretValid } from '@ledger/domain';
import type { ClientView } from '@ledger/projections';
import type { Clock } from '../infrastructure/clock';

/** An OAuth client that proved it holds one of its valid secrets. Its id is the actor of what it causes (clientActor). */
export interface OAuthClient {
  clientId: string;
}

/**
 * The actor recorded for an OAuth client: `client:<id>`. API key names cannot hold a colon (CALLER_NAME), so an actor
 * says which namespace it comes from even when a key and a client share a name.
 */
export const clientActor = (clientId: string) => `client:${clientId}`;

/** Compared against when the client has no valid secret, so that the work done does not depend on how many it has. */
const NO_SECRET = Buffer.alloc(32);

/**
 * Checks an OAuth client's id and secret (client_secret_basic, client_secret_post) against the client view: the
 * client must be active, and the secret's SHA-256 must equal that of one of its secrets that is neither revoked nor
 * past its overlap window at the clock's now. Every valid secret is compared, in constant time, so timing tells
 * nothing about which of them, or how much of one, matched. Client ids are public identifiers (they travel in
 * every authorization request), so whether an id exists is not hidden. Returns undefined without saying why.
 *
 * Throws ViewsRebuildingError while the views are rebuilt from empty: that is a 503, never a wrong answer.
 */
export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientView,
    private readonly clock: Clock,
  ) {}

  authenticate(clientId: string, secret: string): OAuthClient | undefined {
    // Nothing else was ever generated or registered: no lookup for it.
    if (!CLIENT_SECRET_PATTERN.test(secret) || !CLIENT_ID_PATTERN.test(clientId)) return undefined;
    const presented = createHash('sha256').update(secret, 'utf8').digest();
    const client = this.clients.client(clientId);
    const now = this.clock.now();
    const valid = client ? this.clients.secrets(clientId).filter((s) => isSecretValid(s, now)) : [];
    let matched = false;
    for (const s of valid) matched = timingSafeEqual(Buffer.from(s.secretHash, 'hex'), presented) || matched;
    if (valid.length === 0) timingSafeEqual(NO_SECRET, presented);
    // A disabled or deleted client authenticates with none of its secrets.
    return matched && client?.status === 'active' ? Object.freeze({ clientId }) : undefined;
  }
}
