import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { clientStream, consentIdFor, consentStreamForPair, hashToken, pairKey } from '@ledger/domain';
import { EventStore, EventToAppend, SqliteEventStore } from '@ledger/event-store';
import { SealedEventStore } from '@ledger/audit';
import { loadSubjectKek, SqliteSubjectKeys } from '../../apps/ledger/src/infrastructure/subject-key-store';

/** Deterministic raw token i, so the load generator knows valid tokens without the ledger ever storing them. */
export const benchToken = (i: number) => 'clt_' + createHash('sha256').update(`bench-token-${i}`).digest('base64url');

export interface SeedOptions {
  scopes?: string[];
  /** Default bench-app. */
  clientId?: string;
  /** Users are `${userPrefix}${c}`; default bench-user-. */
  userPrefix?: string;
  /** Token numbers start here (benchToken(i)), so that several seeded clients never share a token. Default 0. */
  firstToken?: number;
  /** Appends in flight at once. Default 200. */
  parallel?: number;
  /**
   * The secrets directory the ledger will be started with: the events are then sealed under subject keys kept
   * there, as GrantConsent seals them, so that a later command on a seeded consent finds its user's key, as it does
   * in production. Without it the seeded events are plain, and the first command naming each user creates that
   * user's key (a key-store write and a second fsync in the request; the revocation bench's profile showed it).
   */
  subjectKeysIn?: string;
}

/**
 * Writes a ledger with `consents` consents of `tokensPerConsent` live tokens each straight through the event-store
 * port (the same events the commands append), far faster than going through HTTP. Returns how many tokens it
 * wrote; their hashes go to `hashesFile` when one is named.
 */
export async function seedTokens(file: string, consents: number, tokensPerConsent: number, hashesFile?: string, options: SeedOptions = {}): Promise<number> {
  const store = new SqliteEventStore({ file });
  const keys = options.subjectKeysIn === undefined ? undefined : new SqliteSubjectKeys(options.subjectKeysIn, loadSubjectKek(options.subjectKeysIn, undefined).kek);
  try {
    return await seedTokensInto(keys ? new SealedEventStore(store, keys) : store, consents, tokensPerConsent, hashesFile, options);
  } finally {
    await store.close();
    keys?.close();
  }
}

/** seedTokens into any EventStore (the embedded one, or EventStoreDB over the wire); the caller closes it. */
export async function seedTokensInto(store: EventStore, consents: number, tokensPerConsent: number, hashesFile?: string, options: SeedOptions = {}): Promise<number> {
  const meta = { actor: 'bench', correlationId: 'bench-seed', initiator: 'system' as const };
  const clientId = options.clientId ?? 'bench-app';
  const userPrefix = options.userPrefix ?? 'bench-user-';
  const scopes = options.scopes ?? ['openid', 'urn:globus:auth:scope:transfer.api.globus.org:all'];
  const now = new Date();
  const issuedAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + 86_400_000).toISOString();
  await store.append(clientStream(clientId), [{ type: 'ClientRegistered', data: { clientId, name: 'Bench', allowedScopes: null, termsUrl: null, registeredAt: issuedAt }, metadata: meta }], { expectedRevision: 'any' });
  const hashes: string[] = [];
  let token = options.firstToken ?? 0;
  const inFlight: Promise<unknown>[] = [];
  for (let c = 0; c < consents; c++) {
    const userId = `${userPrefix}${c}`;
    const key = pairKey(userId, clientId);
    const consentId = consentIdFor(key, 1);
    const events: EventToAppend[] = [{ type: 'ConsentGranted', data: { consentId, userId, clientId, scopes, grantedAt: issuedAt }, metadata: meta }];
    for (let t = 0; t < tokensPerConsent; t++, token++) {
      const tokenHash = hashToken(benchToken(token));
      if (hashesFile) hashes.push(tokenHash);
      const tokenId = 'tok_' + tokenHash.slice(0, 32);
      events.push({ type: 'TokenIssued', data: { consentId, userId, clientId, tokenId, tokenHash, scopes, issuedAt, expiresAt }, metadata: meta });
    }
    inFlight.push(store.append(consentStreamForPair(key), events, { expectedRevision: 'no_stream' }));
    if (inFlight.length >= (options.parallel ?? 200)) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  if (hashesFile) writeFileSync(hashesFile, hashes.join('\n'));
  return token - (options.firstToken ?? 0);
}
