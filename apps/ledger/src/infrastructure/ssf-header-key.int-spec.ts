import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { tempDataDir } from '../../../../test/support/ledger-app';
import { HeaderSealer, loadOrCreateHeaderKey, SSF_HEADER_KEY_FILE } from './ssf-header-key';

describe('the authorization header key and its sealer', () => {
  const dir = tempDataDir();
  afterAll(() => dir.remove());
  const secrets = join(dir.dir, 'secrets');
  const header = 'Bearer receiver-secret-0123456789';

  it('is generated once, 0600 in a 0700 directory, and opens what an earlier start sealed', () => {
    const first = loadOrCreateHeaderKey(secrets);
    expect([first.created, first.looseMode]).toEqual([true, false]);
    expect(statSync(secrets).mode & 0o777).toBe(0o700);
    expect(statSync(join(secrets, SSF_HEADER_KEY_FILE)).mode & 0o777).toBe(0o600);
    const sealed = first.sealer.seal('ssf_a', header);
    const again = loadOrCreateHeaderKey(secrets);
    expect(again.created).toBe(false);
    expect(again.sealer.open('ssf_a', sealed)).toBe(header);
  });

  it('seals with a fresh iv each time; the sealed form holds nothing of the header; another stream or key cannot open it', () => {
    const { sealer } = loadOrCreateHeaderKey(secrets);
    const a = sealer.seal('ssf_a', header);
    const b = sealer.seal('ssf_a', header);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(a).not.toContain('receiver-secret');
    expect(Buffer.from(a.split('.')[3], 'base64url').toString()).not.toContain('receiver-secret');
    expect(() => sealer.open('ssf_b', a)).toThrow();
    expect(() => new HeaderSealer(Buffer.alloc(32, 7)).open('ssf_a', a)).toThrow();
    const [v, iv, tag, body] = a.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(() => sealer.open('ssf_a', [v, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => sealer.open('ssf_a', 'v2.x.y.z')).toThrow('not a sealed authorization header');
    expect(() => sealer.open('ssf_a', 'v1.x')).toThrow('not a sealed authorization header');
    expect(() => new HeaderSealer(Buffer.alloc(16))).toThrow('32 bytes');
    expect([JSON.stringify({ sealer }), inspect(sealer)]).toEqual(['{"sealer":"[authorization header key]"}', '[authorization header key]']);
  });

  it('refuses a damaged file', () => {
    writeFileSync(join(secrets, SSF_HEADER_KEY_FILE), 'abcd\n', { mode: 0o600 });
    expect(() => loadOrCreateHeaderKey(secrets)).toThrow(/not 64 hex digits/);
  });
});
