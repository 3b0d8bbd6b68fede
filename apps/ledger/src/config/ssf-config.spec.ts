import { loadConfig } from './ledger-config';
import { ConfigError } from './config-error';
import { parseSsfReceivers } from './ssf-config';

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

  it('defaults to no receivers and a 10 s long poll', () => {
    expect(loadConfig({}).ssf).toEqual({ receivers: new Map(), longPollMs: 10_000 });
    expect(loadConfig({ LEDGER_SSF_LONG_POLL_MS: '0', LEDGER_SSF_RECEIVERS: 'p=web' }).ssf).toEqual({ receivers: new Map([['p', ['web']]]), longPollMs: 0 });
    expect(() => loadConfig({ LEDGER_SSF_LONG_POLL_MS: '600001' })).toThrow(ConfigError);
  });
});
