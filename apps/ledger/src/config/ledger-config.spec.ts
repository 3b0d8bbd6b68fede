import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError, loadConfig } from './ledger-config';

describe('loadConfig', () => {
  const fails = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error('expected a ConfigError');
  };

  it('reads callers from LEDGER_API_KEYS', () => {
    const config = loadConfig({ LEDGER_API_KEYS: 'frontend:commands:frontend-secret-0123, rs:introspect:rs-secret-0123456789' });
    expect(config.apiKeys?.map((k) => `${k.name}/${k.role}`)).toEqual(['frontend/commands', 'rs/introspect']);
    expect(loadConfig({}).apiKeys).toBeUndefined();
  });

  it('publishes the v2 contract beside v1, on a topic named after the v1 one unless told otherwise', () => {
    const brokers = { KAFKA_BROKERS: '127.0.0.1:9092' };
    expect(loadConfig(brokers).kafka).toMatchObject({ topic: 'consent.revocations.v1', topicV2: 'consent.revocations.v2' });
    expect(loadConfig({ ...brokers, KAFKA_REVOCATIONS_TOPIC: 'revocations-e2e-1' }).kafka).toMatchObject({ topicV2: 'revocations-e2e-1.v2' });
    expect(loadConfig({ ...brokers, KAFKA_REVOCATIONS_V2_TOPIC: 'rev.two' }).kafka).toMatchObject({ topicV2: 'rev.two' });
    expect(fails({ ...brokers, KAFKA_REVOCATIONS_V2_TOPIC: 'consent.revocations.v1' }).message).toContain('KAFKA_REVOCATIONS_V2_TOPIC');
    expect(fails({ ...brokers, KAFKA_REVOCATIONS_V2_TOPIC: 'not a topic' }).message).toContain('KAFKA_REVOCATIONS_V2_TOPIC');
  });

  it('bounds the consistency wait at 2 s unless told otherwise', () => {
    expect(loadConfig({}).consistencyWaitMs).toBe(2000);
    expect(loadConfig({ LEDGER_CONSISTENCY_WAIT_MS: '0' }).consistencyWaitMs).toBe(0);
  });

  it('caps connections and bounds the wait for headers, the whole request and an idle keep-alive connection', () => {
    expect(loadConfig({})).toMatchObject({ maxConnections: 4096, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 });
    expect(loadConfig({ LEDGER_MAX_CONNECTIONS: '8', LEDGER_KEEP_ALIVE_TIMEOUT_MS: '1000' })).toMatchObject({ maxConnections: 8, keepAliveTimeoutMs: 1000 });
  });

  it.each([
    ['LEDGER_MAX_CONNECTIONS', '0'],
    ['LEDGER_HEADERS_TIMEOUT_MS', '40000'],
    ['LEDGER_KEEP_ALIVE_TIMEOUT_MS', 'forever'],
    ['LEDGER_API_KEYS', 'frontend:superuser:frontend-secret-0123'],
    ['LEDGER_API_KEYS', 'frontend:commands:tiny'],
    ['LEDGER_API_KEYS', 'no-colons-at-all'],
    ['LEDGER_READY_MAX_LAG_EVENTS', 'many'],
    ['LEDGER_SHUTDOWN_TIMEOUT_MS', '-1'],
    ['LEDGER_BODY_LIMIT_BYTES', '12'],
    ['LEDGER_CONSISTENCY_WAIT_MS', '60001'],
    ['LEDGER_CONSISTENCY_WAIT_MS', '2s'],
    ['LEDGER_SSE_MAX_PER_CALLER', '0'],
    ['LEDGER_SSE_MAX_TOTAL', 'lots'],
    ['LEDGER_SSE_BUFFER_BYTES', '100'],
  ])('a bad %s stops the start with a message naming it, never echoing a secret', (variable, value) => {
    const error = fails({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain('frontend-secret-0123');
  });

  it('gives refresh tokens 180 days idle and a year at most unless LEDGER_REFRESH_IDLE_SECONDS / LEDGER_REFRESH_ABSOLUTE_SECONDS say otherwise', () => {
    expect(loadConfig({}).refreshLifetimes).toEqual({ idleSeconds: 180 * 86_400, absoluteSeconds: 365 * 86_400 });
    expect(loadConfig({ LEDGER_REFRESH_IDLE_SECONDS: '3600', LEDGER_REFRESH_ABSOLUTE_SECONDS: '86400' }).refreshLifetimes).toEqual({ idleSeconds: 3600, absoluteSeconds: 86_400 });
    for (const variable of ['LEDGER_REFRESH_IDLE_SECONDS', 'LEDGER_REFRESH_ABSOLUTE_SECONDS']) {
      for (const bad of ['59', '-5', '1.5', 'a month', '3153600001']) expect(fails({ [variable]: bad }).variable).toBe(variable);
    }
  });

  describe('idempotency and the token key', () => {
    const key = Buffer.alloc(32, 7);

    it('keeps an Idempotency-Key for 24 h unless LEDGER_IDEMPOTENCY_TTL_SECONDS says otherwise', () => {
      expect(loadConfig({}).idempotencyTtlSeconds).toBe(86_400);
      expect(loadConfig({ LEDGER_IDEMPOTENCY_TTL_SECONDS: '600' }).idempotencyTtlSeconds).toBe(600);
      for (const bad of ['0', '-5', '1.5', 'a day', String(31 * 86_400)]) expect(fails({ LEDGER_IDEMPOTENCY_TTL_SECONDS: bad }).variable).toBe('LEDGER_IDEMPOTENCY_TTL_SECONDS');
    });

    it('sets no maximum consent lifetime unless LEDGER_CONSENT_MAX_LIFETIME_SECONDS says one, from 1 s to a hundred years', () => {
      expect(loadConfig({}).consentMaxLifetimeSeconds).toBeUndefined();
      expect(loadConfig({ LEDGER_CONSENT_MAX_LIFETIME_SECONDS: ' ' }).consentMaxLifetimeSeconds).toBeUndefined();
      expect(loadConfig({ LEDGER_CONSENT_MAX_LIFETIME_SECONDS: '2592000' }).consentMaxLifetimeSeconds).toBe(2_592_000);
      for (const bad of ['0', '-5', '1.5', 'a year', '3153600001']) {
        expect(fails({ LEDGER_CONSENT_MAX_LIFETIME_SECONDS: bad }).variable).toBe('LEDGER_CONSENT_MAX_LIFETIME_SECONDS');
      }
    });

    it('reads LEDGER_TOKEN_KEY as base64 or base64url, and never prints it', () => {
      for (const encoded of [key.toString('base64'), key.toString('base64url')]) {
        const config = loadConfig({ LEDGER_TOKEN_KEY: encoded });
        expect(config.tokenKey?.hmac(['x'])).toEqual(createHmac('sha256', key).update('x').digest());
        expect(JSON.stringify(config)).not.toContain(encoded);
        expect(inspect(config, { depth: 5 })).not.toContain(encoded);
        expect(inspect(config, { depth: 5 })).not.toContain('07 07 07');
      }
      expect(loadConfig({}).tokenKey).toBeUndefined();
    });

    it.each([
      ['too short', Buffer.alloc(16, 7).toString('base64')],
      ['not base64', 'this is not base64!'],
    ])('refuses a LEDGER_TOKEN_KEY that is %s, without echoing it', (_label, value) => {
      const error = fails({ LEDGER_TOKEN_KEY: value });
      expect(error.variable).toBe('LEDGER_TOKEN_KEY');
      expect(error.message).not.toContain(value);
    });

    it('keeps the secrets directory (./secrets by default) out of the data directory', () => {
      expect(loadConfig({ LEDGER_DATA_DIR: '/var/lib/ledger/data' }).secretsDir).toMatch(/\/secrets$/);
      expect(loadConfig({ LEDGER_DATA_DIR: '/srv/data', LEDGER_SECRETS_DIR: '/srv' }).secretsDir).toBe('/srv');
      expect(loadConfig({ LEDGER_DATA_DIR: '/srv/data', LEDGER_SECRETS_DIR: '/srv/data..secrets' }).secretsDir).toBe('/srv/data..secrets');
      for (const inside of ['/srv/data', '/srv/data/secrets', '/srv/data/../data/keys']) {
        expect(fails({ LEDGER_DATA_DIR: '/srv/data', LEDGER_SECRETS_DIR: inside }).variable).toBe('LEDGER_SECRETS_DIR');
      }
      // Even with LEDGER_TOKEN_KEY and LEDGER_API_KEYS: the Shared Signals signing key is always kept there.
      const keys = 'frontend:commands:0123456789abcdef0123';
      expect(fails({ LEDGER_DATA_DIR: '/srv/data', LEDGER_SECRETS_DIR: '/srv/data/secrets', LEDGER_TOKEN_KEY: key.toString('base64'), LEDGER_API_KEYS: keys }).variable).toBe('LEDGER_SECRETS_DIR');
      expect(fails({ LEDGER_DATA_DIR: '/srv/data', LEDGER_SECRETS_DIR: '/srv/data/secrets', LEDGER_TOKEN_KEY: key.toString('base64') }).variable).toBe('LEDGER_SECRETS_DIR');
      expect(fails({ LEDGER_DATA_DIR: '/srv/data', LEDGER_SECRETS_DIR: '/srv/data/secrets', LEDGER_API_KEYS: keys }).variable).toBe('LEDGER_SECRETS_DIR');
    });
  });

  it('caps SSE streams per caller and in total, and refuses a per-caller cap above the total', () => {
    expect(loadConfig({}).sse).toEqual({ maxPerCaller: 100, maxTotal: 5000, maxBufferedBytes: 1024 * 1024 });
    expect(loadConfig({ LEDGER_SSE_MAX_PER_CALLER: '3000', LEDGER_SSE_MAX_TOTAL: '3000' }).sse.maxPerCaller).toBe(3000);
    expect(fails({ LEDGER_SSE_MAX_PER_CALLER: '200', LEDGER_SSE_MAX_TOTAL: '100' }).variable).toBe('LEDGER_SSE_MAX_PER_CALLER');
  });
});
