/**
 * "Revocation always wins", for idempotent retries: a token issued with an Idempotency-Key is issued once. A retry
 * returns it while it lives, is refused once it is revoked or has expired, and never brings it back, whatever the
 * consent state has pruned in between. Real waiting (about 3 s per expiry case): the service has no test clock.
 */
import { randomUUID } from 'node:crypto';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

const uid = () => randomUUID().slice(0, 8);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('idempotent token issuance over HTTP', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let steps: ReturnType<typeof ledgerSteps>;

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir });
    steps = ledgerSteps(ledger.http);
  });
  afterAll(async () => {
    await ledger?.close();
    data?.remove();
  });

  async function consent(): Promise<string> {
    const clientId = `app-${uid()}`;
    expect((await steps.registerClient(clientId)).status).toBe(201);
    const granted = await steps.grant(`user-${uid()}`, clientId, ['openid', 'email']);
    expect(granted.status).toBe(201);
    return granted.body.id;
  }
  const issuesOf = async (tokenId: string) => (await ledger.events()).filter((e) => e.type === 'TokenIssued' && e.data.tokenId === tokenId);
  const key = () => ({ 'idempotency-key': `key-${uid()}` });

  it('issue, revoke, wait past expiry, issue another, retry: 409 token_no_longer_active, one TokenIssued, inactive', async () => {
    const consentId = await consent();
    const k = key();
    const first = await ledger.http.post('/v1/tokens', { consentId, expiresIn: 2 }, k);
    expect(first.status).toBe(201);
    const token = first.body.access_token as string;

    expect((await steps.revokeToken(first.body.token_id)).body).toEqual({ revoked: true });
    expect((await steps.introspect(token)).body).toEqual({ active: false });

    await sleep(3000);
    // Any other token on the same consent: the consent state drops the expired one from its token map here.
    expect((await steps.issue(consentId)).status).toBe(201);

    const retry = await ledger.http.post('/v1/tokens', { consentId, expiresIn: 2 }, k);
    expect(retry.status).toBe(409);
    expect(retry.headers.get('content-type')).toContain('application/problem+json');
    expect(retry.body).toMatchObject({ code: 'token_no_longer_active', status: 409 });
    expect(retry.body.access_token).toBeUndefined();
    expect(await issuesOf(first.body.token_id)).toHaveLength(1);
    expect((await steps.introspect(token)).body).toEqual({ active: false });
  });

  it('a retry right after the revocation, before anything was pruned, is refused too (never a 201 with a dead token)', async () => {
    const consentId = await consent();
    const k = key();
    const first = await ledger.http.post('/v1/tokens', { consentId }, k);
    expect(first.status).toBe(201);
    expect((await ledger.http.post(`/v1/tokens/${first.body.token_id}/revoke`, {})).body).toEqual({ revoked: true });

    const retry = await ledger.http.post('/v1/tokens', { consentId }, k);
    expect([retry.status, retry.body.code]).toEqual([409, 'token_no_longer_active']);
    expect(await issuesOf(first.body.token_id)).toHaveLength(1);
  });

  it('a retry after the token expired on its own is refused; revoking the consent refuses the live ones', async () => {
    const consentId = await consent();
    const [short, long] = [key(), key()];
    const expiring = await ledger.http.post('/v1/tokens', { consentId, expiresIn: 1 }, short);
    const living = await ledger.http.post('/v1/tokens', { consentId }, long);
    expect([expiring.status, living.status]).toEqual([201, 201]);
    // While it lives, a retry is the same token and appends nothing.
    const again = await ledger.http.post('/v1/tokens', { consentId }, long);
    expect([again.status, again.body.access_token]).toEqual([201, living.body.access_token]);

    await sleep(1500);
    const late = await ledger.http.post('/v1/tokens', { consentId, expiresIn: 1 }, short);
    expect([late.status, late.body.code]).toEqual([409, 'token_no_longer_active']);

    expect((await steps.revoke(consentId)).status).toBe(200);
    const afterRevoke = await ledger.http.post('/v1/tokens', { consentId }, long);
    expect([afterRevoke.status, afterRevoke.body.code]).toEqual([409, 'token_no_longer_active']);
    for (const t of [expiring, living]) {
      expect(await issuesOf(t.body.token_id)).toHaveLength(1);
      expect((await steps.introspect(t.body.access_token)).body).toEqual({ active: false });
    }
  });

  it('the same body with its JSON keys in another order is the same request, on the token and the other routes', async () => {
    const consentId = await consent();
    const json = { 'content-type': 'application/json' };
    const k = key();
    const a = await ledger.http.post('/v1/tokens', `{"consentId":"${consentId}","scopes":["openid"],"expiresIn":600}`, { ...k, ...json });
    const b = await ledger.http.post('/v1/tokens', `{"expiresIn":600,"scopes":["openid"],"consentId":"${consentId}"}`, { ...k, ...json });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.access_token).toBe(a.body.access_token);
    expect(await issuesOf(a.body.token_id)).toHaveLength(1);

    const clientId = `app-${uid()}`;
    await steps.registerClient(clientId);
    const g = key();
    const g1 = await ledger.http.post('/v1/consents', `{"userId":"u-${clientId}","clientId":"${clientId}","scopes":["openid"]}`, { ...g, ...json });
    const g2 = await ledger.http.post('/v1/consents', `{"scopes":["openid"],"clientId":"${clientId}","userId":"u-${clientId}"}`, { ...g, ...json });
    expect([g1.status, g2.status]).toEqual([201, 201]);
    expect(g2.headers.get('idempotent-replayed')).toBe('true');
    expect(g2.body).toEqual(g1.body);
  });

  it('the same key with another body is refused with 422 idempotency_key_reused and appends nothing', async () => {
    const consentId = await consent();
    const k = key();
    expect((await ledger.http.post('/v1/tokens', { consentId, scopes: ['openid'] }, k)).status).toBe(201);
    const before = (await ledger.events()).length;
    const other = await ledger.http.post('/v1/tokens', { consentId, scopes: ['email'] }, k);
    expect([other.status, other.body.code]).toEqual([422, 'idempotency_key_reused']);
    expect((await ledger.events()).length).toBe(before);
  });
});

describe('idempotency records expire after LEDGER_IDEMPOTENCY_TTL_SECONDS', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir, env: { LEDGER_IDEMPOTENCY_TTL_SECONDS: '1' } });
  });
  afterAll(async () => {
    await ledger?.close();
    data?.remove();
  });

  it('after the window a key is free again: another body is a new request, and a token retry mints a new token', async () => {
    const steps = ledgerSteps(ledger.http);
    const clientId = `app-${uid()}`;
    const k = { 'idempotency-key': `ttl-${uid()}` };
    expect((await ledger.http.post('/v1/clients', { clientId, name: 'First' }, k)).status).toBe(201);
    const consentId = (await steps.grant(`user-${uid()}`, clientId, ['openid'])).body.id;
    const t = { 'idempotency-key': `ttl-token-${uid()}` };
    const first = await ledger.http.post('/v1/tokens', { consentId }, t);
    expect(first.status).toBe(201);
    expect((await ledger.http.post('/v1/clients', { clientId: `${clientId}-2`, name: 'Second' }, k)).status).toBe(422);

    await sleep(1500);
    expect((await ledger.http.post('/v1/clients', { clientId: `${clientId}-2`, name: 'Second' }, k)).status).toBe(201);
    // The old token is not issued again: the same key now stands for a new token, with a new id.
    const second = await ledger.http.post('/v1/tokens', { consentId }, t);
    expect(second.status).toBe(201);
    expect(second.body.token_id).not.toBe(first.body.token_id);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    const issued = (await ledger.events()).filter((e) => e.type === 'TokenIssued' && e.data.consentId === consentId);
    expect(issued.map((e) => e.data.tokenId)).toEqual([first.body.token_id, second.body.token_id]);
  });
});
