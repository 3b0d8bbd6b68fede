import { createHash } from 'node:crypto';

/**
 * Identifiers and stream names. A consent lives on one stream per (user, client) pair, together with the tokens
 * issued under it: every decision that could break "no token is active for a revoked consent or scope" then reads
 * and appends ONE stream with an expected revision, so IssueToken and RevokeConsent cannot both win a race.
 *
 * The pair key is a hash, so that arbitrary user and client ids make safe stream names. When a consent is revoked
 * in full and granted again, the pair's next generation is a new consent with a new id; the id carries the pair key
 * and the generation, so a consent id leads straight to its stream without an index.
 */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$/;
export const USER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@+\-]{0,127}$/;
export const CONSENT_ID_PATTERN = /^cns_([0-9a-f]{32})_([1-9][0-9]{0,8})$/;
export const TOKEN_ID_PATTERN = /^tok_[0-9a-f]{32}$/;

export const clientStream = (clientId: string) => `client-${clientId}`;

/**
 * One stream per user for what applies to all of the user's consents at once (a user-wide revocation, a not-before),
 * named by a hash like the consent streams, so that any user id makes a safe stream name.
 */
export const userKey = (userId: string) => createHash('sha256').update(userId).digest('hex').slice(0, 32);
export const userStream = (userId: string) => `user-${userKey(userId)}`;

/** One stream per scope for its owner (the client that serves it), named by a hash: scopes may hold any of `/:[]`. */
export const scopeStream = (scope: string) => `scope-${createHash('sha256').update(scope).digest('hex').slice(0, 32)}`;

/**
 * The one stream of what applies to the whole ledger (a ledger-wide not-before). Not `ledger-...`: that prefix names
 * the infrastructure's own streams (leases, checkpoints on EventStoreDB).
 */
export const LEDGER_WIDE_STREAM = 'global';

export function pairKey(userId: string, clientId: string): string {
  return createHash('sha256').update(userId).update('\u0000').update(clientId).digest('hex').slice(0, 32);
}

export const consentStreamForPair = (key: string) => `consent-${key}`;
export const consentStreamFor = (userId: string, clientId: string) => consentStreamForPair(pairKey(userId, clientId));
export const consentIdFor = (key: string, generation: number) => `cns_${key}_${generation}`;

/**
 * Whether a stream is one of the domain's (client, consent, user, scope, global), whose every event this build must be
 * able to read; the others (leases and checkpoints, `ledger-...`, and EventStoreDB's `$...`) are the infrastructure's.
 */
export const isDomainStream = (stream: string): boolean => stream === LEDGER_WIDE_STREAM || /^(client|consent|user|scope)-./.test(stream);

/** The same, as stream-name prefixes for a store's filter (which may let a stream more through; isDomainStream decides). */
export const DOMAIN_STREAM_PREFIXES: readonly string[] = ['client-', 'consent-', 'user-', 'scope-', LEDGER_WIDE_STREAM];

declare const parsed: unique symbol;

/**
 * A consent id that came through parseConsentId, with what it says. The brand is a symbol no module can name, so a
 * literal cannot pass for one: the type proves that the id was parsed, once, at the edge, and commands carry it so.
 * A plain object, not a class: the edge's ValidationPipe skips it, and a command stays plain data.
 */
export type ConsentId = {
  readonly id: string;
  readonly pairKey: string;
  readonly generation: number;
  readonly stream: string;
  readonly [parsed]: true;
};

export function parseConsentId(consentId: string): ConsentId | undefined {
  const m = CONSENT_ID_PATTERN.exec(consentId);
  if (!m) return undefined;
  return { id: consentId, pairKey: m[1], generation: Number(m[2]), stream: consentStreamForPair(m[1]) } as ConsentId;
}

/** SHA-256 hex of a raw bearer token: the only form in which a token is ever stored, logged or published. */
export const hashToken = (rawToken: string) => createHash('sha256').update(rawToken).digest('hex');
