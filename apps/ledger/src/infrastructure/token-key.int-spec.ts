import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDataDir } from '../../../../test/support/ledger-app';
import { loadOrCreateKeyFile, TOKEN_KEY_FILE } from './token-key';

describe('the token key file', () => {
  const dir = tempDataDir();
  afterAll(() => dir.remove());
  const secrets = join(dir.dir, 'secrets');

  it('is generated once, 0600 in a 0700 directory, and read back on later starts', () => {
    const first = loadOrCreateKeyFile(secrets);
    expect([first.created, first.looseMode]).toEqual([true, false]);
    expect(statSync(secrets).mode & 0o777).toBe(0o700);
    expect(statSync(join(secrets, TOKEN_KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = loadOrCreateKeyFile(secrets);
    expect(again.created).toBe(false);
    expect(again.key.hmac(['x'])).toEqual(first.key.hmac(['x']));
  });

  it('refuses a damaged file with a message that says what to do, and never prints the key', () => {
    writeFileSync(join(secrets, TOKEN_KEY_FILE), 'c2hvcnQ=\n', { mode: 0o600 });
    expect(() => loadOrCreateKeyFile(secrets)).toThrow(/at least 32 bytes.*delete it to generate a new key/);
  });
});
