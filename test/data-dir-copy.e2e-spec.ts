/**
 * A copy of the data directory is not a bearer token. Gateways log Idempotency-Keys, so a backup of the data
 * directory plus those keys must not yield a working token: the key that derives idempotent tokens lives outside
 * the data directory (LEDGER_TOKEN_KEY, or a key file in LEDGER_SECRETS_DIR).
 */
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ledgerSteps, RunningLedger, secretsDirFor, startLedger, tempDataDir } from './support/ledger-app';

const uid = () => randomUUID().slice(0, 8);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('a copy of the data directory, with every Idempotency-Key used', () => {
  const original = tempDataDir();
  const copy = tempDataDir();
  let ledger: RunningLedger | undefined;
  afterAll(async () => {
    await ledger?.close();
    original.remove();
    copy.remove();
  });

  it('yields no active token, and no file in it holds the token key', async () => {
    ledger = await startLedger({ dataDir: original.dir });
    let steps = ledgerSteps(ledger.http);
    const clientId = `app-${uid()}`;
    expect((await steps.registerClient(clientId)).status).toBe(201);
    const requests: Array<{ key: Record<string, string>; body: { consentId: string; expiresIn?: number } }> = [];
    const tokens: string[] = [];
    const tokenIds: string[] = [];
    const refreshTokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      // Consents that allow refresh: each issue answers a refresh token too, derived like its access token.
      const consentId = (await ledger.http.post('/v1/consents', { userId: `user-${i}-${uid()}`, clientId, scopes: ['openid'], allowsRefresh: true })).body.id;
      for (const expiresIn of [undefined, 3600]) {
        const request = { key: { 'idempotency-key': `gateway-logged-${i}-${expiresIn ?? 'default'}` }, body: { consentId, ...(expiresIn ? { expiresIn } : {}) } };
        const issued = await ledger.http.post('/v1/tokens', request.body, request.key);
        expect(issued.status).toBe(201);
        requests.push(request);
        tokens.push(issued.body.access_token);
        tokenIds.push(issued.body.token_id);
        refreshTokens.push(issued.body.refresh_token);
      }
    }
    // One of them revoked, so that the copy holds both kinds.
    expect((await steps.revokeToken(tokenIds[0])).body).toEqual({ revoked: true });
    await ledger.close();

    // The copy, started without the token key (neither the secrets directory's file nor LEDGER_TOKEN_KEY): it makes a
    // key of its own. It is given the subject key store, which a copy of the data directory alone does not open
    // (docs/privacy.md), so that it can read the log at all.
    cpSync(original.dir, copy.dir, { recursive: true });
    const subjectKeys = { LEDGER_SUBJECT_KEYS_DIR: secretsDirFor(original.dir), LEDGER_SUBJECT_KEK: readFileSync(join(secretsDirFor(original.dir), 'subject-kek'), 'utf8').trim() };
    // (Its 503s are logged as errors, as they should be; not in the test output.)
    ledger = await startLedger({ dataDir: copy.dir, env: { LOG_LEVEL: 'fatal', ...subjectKeys } });
    steps = ledgerSteps(ledger.http);
    const before = (await ledger.events()).length;
    const answers = [];
    for (const { key: k, body } of requests) answers.push(await ledger.http.post('/v1/tokens', body, k));
    for (const a of answers) if (a.body.access_token) expect((await steps.introspect(a.body.access_token)).body).toEqual({ active: false });
    for (const a of answers) expect(a.body.refresh_token).toBeUndefined();
    for (const token of tokens) expect((await steps.introspect(token)).body.active).toBe(token !== tokens[0]);
    // The revoked one is refused as such; the others cannot be re-derived here, and nothing new is minted.
    expect(answers.map((a) => [a.status, a.body.code])).toEqual([
      [409, 'token_no_longer_active'],
      ...requests.slice(1).map(() => [503, 'token_key_mismatch']),
    ]);
    for (const a of answers) expect(a.headers.get('content-type')).toContain('application/problem+json');
    expect((await ledger.events()).length).toBe(before);
    await ledger.close();

    const keyFile = join(secretsDirFor(original.dir), 'token-key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(secretsDirFor(original.dir)).mode & 0o777).toBe(0o700);
    const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64url');
    expect(key.length).toBeGreaterThanOrEqual(32);
    const forms = [key, Buffer.from(key.toString('base64url')), Buffer.from(key.toString('base64')), Buffer.from(key.toString('hex'))];
    for (const file of filesUnder(original.dir)) {
      const bytes = readFileSync(file);
      for (const form of forms) expect([file, bytes.includes(form)]).toEqual([file, false]);
      // Nor a raw token: only hashes are ever stored.
      for (const token of [...tokens, ...refreshTokens]) expect([file, bytes.includes(Buffer.from(token))]).toEqual([file, false]);
    }

    // The original data directory WITH its secrets directory still answers every retry with the token it issued.
    ledger = await startLedger({ dataDir: original.dir });
    const again = [];
    for (const { key: k, body } of requests.slice(1)) again.push((await ledger.http.post('/v1/tokens', body, k)).body);
    expect(again.map((a) => a.access_token)).toEqual(tokens.slice(1));
    expect(again.map((a) => a.refresh_token)).toEqual(refreshTokens.slice(1));
    expect(refreshTokens.every((t) => /^clr_/.test(t))).toBe(true);
  });
});
