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

  it('bounds the consistency wait at 2 s unless told otherwise', () => {
    expect(loadConfig({}).consistencyWaitMs).toBe(2000);
    expect(loadConfig({ LEDGER_CONSISTENCY_WAIT_MS: '0' }).consistencyWaitMs).toBe(0);
  });

  it.each([
    ['LEDGER_API_KEYS', 'frontend:superuser:frontend-secret-0123'],
    ['LEDGER_API_KEYS', 'frontend:commands:tiny'],
    ['LEDGER_API_KEYS', 'no-colons-at-all'],
    ['LEDGER_READY_MAX_LAG_EVENTS', 'many'],
    ['LEDGER_SHUTDOWN_TIMEOUT_MS', '-1'],
    ['LEDGER_BODY_LIMIT_BYTES', '12'],
    ['LEDGER_CONSISTENCY_WAIT_MS', '60001'],
    ['LEDGER_CONSISTENCY_WAIT_MS', '2s'],
  ])('a bad %s stops the start with a message naming it, never echoing a secret', (variable, value) => {
    const error = fails({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain('frontend-secret-0123');
  });
});
