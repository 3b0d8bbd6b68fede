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

  it.each([
    ['LEDGER_API_KEYS', 'frontend:superuser:frontend-secret-0123'],
    ['LEDGER_API_KEYS', 'frontend:commands:tiny'],
    ['LEDGER_API_KEYS', 'no-colons-at-all'],
    ['LEDGER_READY_MAX_LAG_EVENTS', 'many'],
    ['LEDGER_SHUTDOWN_TIMEOUT_MS', '-1'],
    ['LEDGER_BODY_LIMIT_BYTES', '12'],
    ['LEDGER_SSE_MAX_PER_CALLER', '0'],
    ['LEDGER_SSE_MAX_TOTAL', 'lots'],
    ['LEDGER_SSE_BUFFER_BYTES', '100'],
  ])('a bad %s stops the start with a message naming it, never echoing a secret', (variable, value) => {
    const error = fails({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain('frontend-secret-0123');
  });

  it('caps SSE streams per caller and in total, and refuses a per-caller cap above the total', () => {
    expect(loadConfig({}).sse).toEqual({ maxPerCaller: 100, maxTotal: 5000, maxBufferedBytes: 1024 * 1024 });
    expect(loadConfig({ LEDGER_SSE_MAX_PER_CALLER: '3000', LEDGER_SSE_MAX_TOTAL: '3000' }).sse.maxPerCaller).toBe(3000);
    expect(fails({ LEDGER_SSE_MAX_PER_CALLER: '200', LEDGER_SSE_MAX_TOTAL: '100' }).variable).toBe('LEDGER_SSE_MAX_PER_CALLER');
  });
});
