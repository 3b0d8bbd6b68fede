import { ConfigError } from './config-error';
import { loadConfig } from './ledger-config';

describe('LEDGER_ISSUER and the front end metadata settings', () => {
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('defaults the issuer to the listening address, a wildcard host read as loopback', () => {
    expect(loadConfig({}).issuer).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).issuer).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ HOST: '::1', PORT: '8080' }).issuer).toBe('http://[::1]:8080');
  });

  it('takes an https issuer, with or without a path, in one spelling without a trailing slash', () => {
    expect(loadConfig({ LEDGER_ISSUER: 'https://ledger.example.org/' }).issuer).toBe('https://ledger.example.org');
    expect(loadConfig({ LEDGER_ISSUER: 'https://example.org/ledger/' }).issuer).toBe('https://example.org/ledger');
    expect(loadConfig({ LEDGER_ISSUER: 'http://localhost:3000' }).issuer).toBe('http://localhost:3000');
  });

  it.each([
    ['http://ledger.example.org', 'https URL'],
    ['https://ledger.example.org/?tenant=a', 'no query'],
    ['https://ledger.example.org/#top', 'no query and no fragment'],
    ['https://user:pw@ledger.example.org', 'credentials'],
    ['ledger.example.org', 'absolute URL'],
  ])('refuses the issuer %s (%s)', (value, rule) => {
    expect(refusal({ LEDGER_ISSUER: value })).toContain(rule);
    expect(refusal({ LEDGER_ISSUER: value })).toContain('LEDGER_ISSUER');
  });

  it('publishes the front end endpoints and response types it is given, and code by default', () => {
    expect(loadConfig({}).frontEnd).toEqual({ authorizationEndpoint: undefined, tokenEndpoint: undefined, responseTypes: ['code'] });
    const config = loadConfig({ LEDGER_AUTHORIZATION_ENDPOINT: 'https://login.example.org/authorize', LEDGER_RESPONSE_TYPES: 'code, code id_token' });
    expect(config.frontEnd).toMatchObject({ authorizationEndpoint: 'https://login.example.org/authorize', responseTypes: ['code', 'code id_token'] });
    expect(refusal({ LEDGER_RESPONSE_TYPES: 'code;token' })).toContain('LEDGER_RESPONSE_TYPES');
    expect(refusal({ LEDGER_TOKEN_ENDPOINT: 'http://login.example.org/token' })).toContain('LEDGER_TOKEN_ENDPOINT');
  });
});
