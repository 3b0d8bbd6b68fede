import { loadConfig } from './ledger-config';
import { ConfigError } from './config-error';
import { parseSsfPushAllow, parseSsfReceivers, pushEndpointAllowed } from './ssf-config';

const fails = (raw: string) => {
  try {
    parseSsfReceivers(raw);
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error(`accepted ${raw}`);
};

describe('LEDGER_SSF_RECEIVERS and LEDGER_SSF_LONG_POLL_MS', () => {
  it('reads each receiver\'s clients, or every client', () => {
    expect([...parseSsfReceivers(' partner=web|files , idp=* ,solo=web|web ').entries()]).toEqual([
      ['partner', ['web', 'files']],
      ['idp', '*'],
      ['solo', ['web']],
    ]);
    expect(parseSsfReceivers(undefined).size).toBe(0);
    expect(parseSsfReceivers('').size).toBe(0);
    expect([...parseSsfReceivers('none=').entries()]).toEqual([['none', []]]);
  });

  it.each([
    ['partner', 'entry 1 must be name=client|client or name=*'],
    ['=web', 'entry 1 must be name=client|client or name=*'],
    ['a b=web', 'entry 1 must be name=client|client or name=*'],
    ['p=web,p=files', 'the receiver p appears twice'],
    ['p=web,q=we b', 'entry 2 (q): "we b" is not a client id'],
    ['p=*|web', 'entry 1 (p): "*" is not a client id'],
  ])('refuses %s', (raw, message) => {
    const error = fails(raw);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.variable).toBe('LEDGER_SSF_RECEIVERS');
    expect(error.message).toContain(message);
  });

  it('defaults to no receivers, a 10 s long poll, and no push endpoint allowed', () => {
    const push = { allow: new Set(), timeoutMs: 10_000, backoffBaseMs: 1000, backoffMaxMs: 300_000 };
    expect(loadConfig({}).ssf).toEqual({ receivers: new Map(), longPollMs: 10_000, push });
    expect(loadConfig({ LEDGER_SSF_LONG_POLL_MS: '0', LEDGER_SSF_RECEIVERS: 'p=web' }).ssf).toEqual({ receivers: new Map([['p', ['web']]]), longPollMs: 0, push });
    const short = { LEDGER_SSF_PUSH_TIMEOUT_MS: '500', LEDGER_SSF_PUSH_BACKOFF_BASE_MS: '10', LEDGER_SSF_PUSH_BACKOFF_MAX_MS: '200', LEDGER_SSF_PUSH_ALLOW: 'http://127.0.0.1:9' };
    expect(loadConfig(short).ssf.push).toEqual({ allow: new Set(['http://127.0.0.1:9']), timeoutMs: 500, backoffBaseMs: 10, backoffMaxMs: 200 });
    expect(() => loadConfig({ LEDGER_SSF_PUSH_TIMEOUT_MS: '5' })).toThrow(ConfigError);
    expect(() => loadConfig({ LEDGER_SSF_LONG_POLL_MS: '600001' })).toThrow(ConfigError);
  });
});

describe('LEDGER_SSF_PUSH_ALLOW', () => {
  it('reads origins, normalised as URL.origin has them', () => {
    expect([...parseSsfPushAllow(' https://RP.example , http://127.0.0.1:8080,https://rp.example:443 ')]).toEqual(['https://rp.example', 'http://127.0.0.1:8080']);
    expect(parseSsfPushAllow(undefined).size).toBe(0);
    expect(parseSsfPushAllow(' , ').size).toBe(0);
  });

  it.each([
    ['rp.example', 'entry 1 is not a URL'],
    ['https://rp.example/events', 'entry 1 must be an origin'],
    ['https://rp.example/', 'entry 1 must be an origin'],
    ['https://a.example,https://rp.example?x', 'entry 2 must be an origin'],
    ['https://rp.example#x', 'entry 1 must be an origin'],
    ['https://u:p@rp.example', 'entry 1 must be an origin'],
    ['ftp://rp.example', 'entry 1 must be an origin'],
  ])('refuses %s', (raw, message) => {
    let error: unknown;
    try {
      parseSsfPushAllow(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('LEDGER_SSF_PUSH_ALLOW');
    expect((error as ConfigError).message).toContain(message);
  });

  it('allows an endpoint at an allowed origin only, never one with credentials or a fragment', () => {
    const allow = parseSsfPushAllow('https://rp.example,http://127.0.0.1:8080');
    expect(
      ['https://rp.example/events', 'https://RP.example:443/e?x=1', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8081/', 'http://rp.example/events', 'https://rp.example.evil/e', 'https://u:p@rp.example/e', 'https://rp.example/e#f', 'not a url'].map((u) =>
        pushEndpointAllowed(allow, u),
      ),
    ).toEqual([true, true, true, false, false, false, false, false, false]);
    expect(pushEndpointAllowed(new Set(), 'https://rp.example/events')).toBe(false);
  });
});
