import { isAbsolute, relative, resolve, sep } from 'node:path';
import { CONSENT_LIFETIME_CEILING_S, DEFAULT_REFRESH_LIFETIMES, MAX_SCOPE_DEPTH, type RefreshLifetimes } from '@ledger/domain';
import { hashApiKeys, HashedApiKey, parseApiKeys } from '../auth/api-keys';
import { parseTokenKey, TokenKey } from '../infrastructure/token-key';
import { ConfigError } from './config-error';
import { knownEvents } from './known-events';
import { OAuthMetadataConfig, oauthMetadata } from './oauth-metadata-config';
import { parseSsfPushAllow, parseSsfReceivers, SsfConfig } from './ssf-config';

export { ConfigError };

/**
 * Every setting the service reads, validated once at start-up. A bad value stops the service with a message that
 * names the variable, instead of failing later somewhere far from the cause.
 */
export interface LedgerConfig extends OAuthMetadataConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Set: EventStoreDB. Unset: the embedded SQLite store in dataDir. */
  eventStoreConnectionString?: string;
  kafka?: { brokers: string[]; topic: string; topicV2: string; clientId: string };
  bodyLimitBytes: number;
  /**
   * Connections held open at once, idle keep-alive ones included; past it a new connection is closed at once. With
   * the timeouts, what a client that opens sockets and sends nothing (or sends slowly) can hold.
   */
  maxConnections: number;
  /** A request's headers must arrive within this; the whole request (body included) within requestTimeoutMs. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  logLevel: string;
  /** LEDGER_API_KEYS, hashed at once. Unset: generated at the first start into secretsDir, their hashes into dataDir. */
  apiKeys?: HashedApiKey[];
  /** /health/ready fails when the views are more than this many events behind the store. */
  readyMaxLagEvents: number;
  /**
   * Longest an introspection with a consistency token waits for this instance's views to reach the token's position;
   * past it the answer is 503, never a possibly stale `active: true` (docs/scaling.md).
   */
  consistencyWaitMs: number;
  /** After SIGTERM, in-flight requests get this long to finish before the process exits anyway. */
  shutdownTimeoutMs: number;
  /**
   * Leader lease for work done by one instance at a time (Kafka publishing) on a shared EventStoreDB. A crashed holder
   * is replaced after about ttlMs; it renews every renewIntervalMs and steps down after ttlMs / 3 without renewal.
   */
  lease: { ttlMs: number; renewIntervalMs: number };
  /**
   * LEDGER_TOKEN_KEY, decoded: derives the tokens issued under an Idempotency-Key. Every instance on one EventStoreDB
   * needs the same one. Unset: a key file in secretsDir, generated at the first start.
   */
  tokenKey?: TokenKey;
  /** LEDGER_SUBJECT_KEK: wraps the subject keys (docs/privacy.md). Unset: a key file in secretsDir, made at the first start. */
  subjectKek?: string;
  /** LEDGER_SUBJECT_KEK_PREVIOUS: during a KEK rotation, the KEK the keys were wrapped by; they are re-wrapped at start. */
  subjectKekPrevious?: string;
  /**
   * LEDGER_SUBJECT_KEYS_DIR: where the subject key store lives; default secretsDir. Never inside dataDir. Every
   * instance on one EventStoreDB must share it (and LEDGER_SUBJECT_KEK), as they share LEDGER_TOKEN_KEY.
   */
  subjectKeysDir: string;
  /**
   * LEDGER_SECRETS_DIR: where the generated token key and generated credentials live. Never inside dataDir, so that a
   * copy of it derives no token and holds no key.
   */
  secretsDir: string;
  /** How long an Idempotency-Key stands for its first request (and, on POST /v1/tokens, for its token). */
  idempotencyTtlSeconds: number;
  /**
   * The longest a consent may last (LEDGER_CONSENT_MAX_LIFETIME_SECONDS); a grant without an expiry then gets it.
   * Undefined: no maximum (beyond a hundred years), and a grant without an expiry never expires.
   */
  consentMaxLifetimeSeconds: number | undefined;
  /** LEDGER_REFRESH_IDLE_SECONDS and LEDGER_REFRESH_ABSOLUTE_SECONDS: how long refresh tokens live (refresh-lifetimes.ts). */
  refreshLifetimes: RefreshLifetimes;
  /** LEDGER_MAX_DEPENDENCY_DEPTH: levels of dependencies below a granted scope (1 to the grammar's 4); deeper: 400. */
  maxDependencyDepth: number;
  /**
   * GET /v1/revocations/stream: open streams allowed per caller (more: 429) and in total (more: 503), and the bytes a
   * client may leave unread before it is dropped (shared buffers: the memory is per batch, not per subscriber).
   */
  sse: { maxPerCaller: number; maxTotal: number; maxBufferedBytes: number };
  /**
   * LEDGER_FAULT_AFTER_FANOUT, for crash tests only: the process SIGKILLs itself right after the fan-out of a
   * user-wide revocation has appended this many consent revocations (test/bulk-revocation-crash.e2e-spec.ts).
   */
  faultAfterFanOut?: number;
  /** OpenID Shared Signals: receivers' entitlements and long polling (docs/ssf.md). */
  ssf: SsfConfig;
  /** The event types and versions this instance reads (known-events.ts): EVENT_VERSIONS unless a test says less. */
  knownEvents: Readonly<Record<string, number>>;
  unknownEventTypesForTests: string[];
}


export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
    return Number(raw);
  };
  const esdb = env.EVENTSTORE_CONNECTION_STRING?.trim() || undefined;
  if (esdb && !/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb|kdb\+discover):\/\//.test(esdb)) {
    throw new ConfigError('EVENTSTORE_CONNECTION_STRING', 'must start with esdb:// or esdb+discover://');
  }
  let kafka: LedgerConfig['kafka'];
  const brokersRaw = env.KAFKA_BROKERS?.trim();
  if (brokersRaw) {
    const brokers = brokersRaw.split(',').map((b) => b.trim()).filter(Boolean);
    const bad = brokers.find((b) => !/^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$/.test(b));
    if (bad) throw new ConfigError('KAFKA_BROKERS', `must be a comma-separated list of host:port, got "${bad}"`);
    const topic = env.KAFKA_REVOCATIONS_TOPIC?.trim() || 'consent.revocations.v1';
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new ConfigError('KAFKA_REVOCATIONS_TOPIC', `is not a valid topic name: "${topic}"`);
    // v2 beside v1 for one release (docs/contracts/README.md). By default the v1 name with v2 for v1, so that a
    // ledger given its own v1 topic (each test suite is) gets its own v2 topic too.
    const topicV2 = env.KAFKA_REVOCATIONS_V2_TOPIC?.trim() || (topic.endsWith('.v1') ? `${topic.slice(0, -3)}.v2` : `${topic}.v2`);
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topicV2) || topicV2 === topic) throw new ConfigError('KAFKA_REVOCATIONS_V2_TOPIC', `is not a valid topic name, or is the v1 topic: "${topicV2}"`);
    kafka = { brokers, topic, topicV2, clientId: env.KAFKA_CLIENT_ID?.trim() || 'consent-ledger' };
  }
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of fatal,error,warn,info,debug,trace,silent`);
  let apiKeys: HashedApiKey[] | undefined;
  if (env.LEDGER_API_KEYS !== undefined && env.LEDGER_API_KEYS.trim() !== '') {
    try {
      apiKeys = hashApiKeys(parseApiKeys(env.LEDGER_API_KEYS));
    } catch (error) {
      // parseApiKeys never repeats a secret in its messages, so this is safe to print.
      throw new ConfigError('LEDGER_API_KEYS', `${(error as Error).message} (format: name:role:secret,...)`);
    }
  }
  let tokenKey: TokenKey | undefined;
  if (env.LEDGER_TOKEN_KEY !== undefined && env.LEDGER_TOKEN_KEY.trim() !== '') {
    try {
      tokenKey = parseTokenKey(env.LEDGER_TOKEN_KEY, 'LEDGER_TOKEN_KEY');
    } catch (error) {
      // parseTokenKey never repeats the key in its messages.
      throw new ConfigError('LEDGER_TOKEN_KEY', (error as Error).message);
    }
  }
  const dataDir = resolve(env.LEDGER_DATA_DIR?.trim() || './data');
  const secretsDir = resolve(env.LEDGER_SECRETS_DIR?.trim() || './secrets');
  const fromData = relative(dataDir, secretsDir);
  const inside = fromData === '' || (fromData !== '..' && !fromData.startsWith(`..${sep}`) && !isAbsolute(fromData));
  // Always: the Shared Signals signing key lives there, whatever else is configured.
  if (inside) {
    throw new ConfigError('LEDGER_SECRETS_DIR', `must be outside LEDGER_DATA_DIR (${dataDir}): a copy of the data directory must not hold the token key, the SET signing key or credentials`);
  }
  const subjectKeysDir = resolve(env.LEDGER_SUBJECT_KEYS_DIR?.trim() || secretsDir);
  const keysFromData = relative(dataDir, subjectKeysDir);
  if (keysFromData === '' || (keysFromData !== '..' && !keysFromData.startsWith(`..${sep}`) && !isAbsolute(keysFromData))) {
    throw new ConfigError('LEDGER_SUBJECT_KEYS_DIR', `must be outside LEDGER_DATA_DIR (${dataDir}): a copy of the data directory must not open erased data`);
  }
  return {
    port: int('PORT', 3000, 0, 65535),
    host: env.HOST?.trim() || '127.0.0.1',
    dataDir,
    eventStoreConnectionString: esdb,
    kafka,
    bodyLimitBytes: int('LEDGER_BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    maxConnections: int('LEDGER_MAX_CONNECTIONS', 4096, 1, 1_000_000),
    ...timeouts(int('LEDGER_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000), int('LEDGER_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000)),
    keepAliveTimeoutMs: int('LEDGER_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    logLevel,
    apiKeys,
    readyMaxLagEvents: int('LEDGER_READY_MAX_LAG_EVENTS', 1000, 0, 1_000_000_000),
    consistencyWaitMs: int('LEDGER_CONSISTENCY_WAIT_MS', 2000, 0, 60_000),
    shutdownTimeoutMs: int('LEDGER_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    tokenKey,
    subjectKek: env.LEDGER_SUBJECT_KEK,
    subjectKekPrevious: env.LEDGER_SUBJECT_KEK_PREVIOUS,
    subjectKeysDir,
    secretsDir,
    idempotencyTtlSeconds: int('LEDGER_IDEMPOTENCY_TTL_SECONDS', 86_400, 1, 30 * 86_400),
    consentMaxLifetimeSeconds: env.LEDGER_CONSENT_MAX_LIFETIME_SECONDS?.trim()
      ? int('LEDGER_CONSENT_MAX_LIFETIME_SECONDS', 0, 1, CONSENT_LIFETIME_CEILING_S)
      : undefined,
    refreshLifetimes: {
      idleSeconds: int('LEDGER_REFRESH_IDLE_SECONDS', DEFAULT_REFRESH_LIFETIMES.idleSeconds, 60, CONSENT_LIFETIME_CEILING_S),
      absoluteSeconds: int('LEDGER_REFRESH_ABSOLUTE_SECONDS', DEFAULT_REFRESH_LIFETIMES.absoluteSeconds, 60, CONSENT_LIFETIME_CEILING_S),
    },
    maxDependencyDepth: int('LEDGER_MAX_DEPENDENCY_DEPTH', MAX_SCOPE_DEPTH, 1, MAX_SCOPE_DEPTH),
    sse: sseLimits(int('LEDGER_SSE_MAX_PER_CALLER', 100, 1, 1_000_000), int('LEDGER_SSE_MAX_TOTAL', 5000, 1, 1_000_000), int('LEDGER_SSE_BUFFER_BYTES', 1024 * 1024, 4096, 64 * 1024 * 1024)),
    ...oauthMetadata(env, int('PORT', 3000, 0, 65535), env.HOST?.trim() || '127.0.0.1'),
    faultAfterFanOut: env.LEDGER_FAULT_AFTER_FANOUT ? int('LEDGER_FAULT_AFTER_FANOUT', 0, 1, 1_000_000) : undefined,
    ssf: {
      receivers: parseSsfReceivers(env.LEDGER_SSF_RECEIVERS),
      longPollMs: int('LEDGER_SSF_LONG_POLL_MS', 10_000, 0, 600_000),
      push: {
        allow: parseSsfPushAllow(env.LEDGER_SSF_PUSH_ALLOW),
        timeoutMs: int('LEDGER_SSF_PUSH_TIMEOUT_MS', 10_000, 10, 120_000),
        backoffBaseMs: int('LEDGER_SSF_PUSH_BACKOFF_BASE_MS', 1000, 1, 3_600_000),
        backoffMaxMs: int('LEDGER_SSF_PUSH_BACKOFF_MAX_MS', 300_000, 1, 3_600_000),
      },
    },
    ...knownEvents(env.LEDGER_TEST_UNKNOWN_EVENT_TYPES),
    lease: leaseTiming(int('LEDGER_LEASE_TTL_MS', 15_000, 300, 3_600_000), env.LEDGER_LEASE_RENEW_MS ? int('LEDGER_LEASE_RENEW_MS', 0, 50, 3_600_000) : undefined),
  };
}

/** Node refuses a headers timeout longer than the request timeout: the headers are part of the request. */
function timeouts(headersTimeoutMs: number, requestTimeoutMs: number): Pick<LedgerConfig, 'headersTimeoutMs' | 'requestTimeoutMs'> {
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError('LEDGER_HEADERS_TIMEOUT_MS', `must be at most LEDGER_REQUEST_TIMEOUT_MS (${requestTimeoutMs}), got "${headersTimeoutMs}"`);
  }
  return { headersTimeoutMs, requestTimeoutMs };
}

/** The renew interval must fit twice into the time a holder may go without renewing (two thirds of the ttl). */
function leaseTiming(ttlMs: number, renewIntervalMs = Math.round(ttlMs / 5)): LedgerConfig['lease'] {
  if (2 * renewIntervalMs > ttlMs - Math.round(ttlMs / 3)) {
    throw new ConfigError('LEDGER_LEASE_RENEW_MS', `must be at most a third of LEDGER_LEASE_TTL_MS (${ttlMs}), got "${renewIntervalMs}"`);
  }
  return { ttlMs, renewIntervalMs };
}

function sseLimits(maxPerCaller: number, maxTotal: number, maxBufferedBytes: number): LedgerConfig['sse'] {
  if (maxPerCaller > maxTotal) throw new ConfigError('LEDGER_SSE_MAX_PER_CALLER', `must not exceed LEDGER_SSE_MAX_TOTAL (${maxTotal}), got "${maxPerCaller}"`);
  return { maxPerCaller, maxTotal, maxBufferedBytes };
}
