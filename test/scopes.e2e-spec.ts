import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

const UUID = '5fac2e64-c734-4e6b-90ea-ff12ddbf9653';
const DATA_ACCESS = `https://auth.globus.org/scopes/${UUID}/data_access`;
const TRANSFER = `https://auth.globus.org/scopes/${UUID}/transfer.api.globus.org:all`;
const DRIVE = 'https://www.googleapis.com/auth/drive';
/** The scope-tokens that used to be refused (issue #14), and one that is a prefix of another, for the token view. */
const REAL_WORLD = ['photos:read', 'photos:read:all', 'read:user', DATA_ACCESS, 'api://app/.default', DRIVE, TRANSFER];

/** Scopes as the service sees them, from registration to introspection, over HTTP on the embedded store. */
describe('Scopes over HTTP', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let steps: ReturnType<typeof ledgerSteps>;

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir });
    steps = ledgerSteps(ledger.http);
    expect((await steps.registerClient('scopes-app', REAL_WORLD)).status).toBe(201);
  });
  afterAll(async () => {
    await ledger?.close();
    data?.remove();
  });

  it('takes the scope-tokens RFC 6749 allows, from registration through grant, issue and introspection to revocation', async () => {
    const granted = await steps.grant('scopes-user', 'scopes-app', REAL_WORLD);
    expect(granted.status).toBe(201);
    expect(granted.body.scopes).toEqual([...REAL_WORLD].sort());

    const all = await steps.issue(granted.body.id);
    expect(all.status).toBe(201);
    expect(all.body.scope).toBe([...REAL_WORLD].sort().join(' '));
    expect((await steps.introspect(all.body.access_token)).body).toMatchObject({ active: true, scope: all.body.scope, client_id: 'scopes-app', sub: 'scopes-user' });

    const some = await steps.issue(granted.body.id, ['photos:read:all', TRANSFER]);
    expect(some.status).toBe(201);
    expect(some.body.scope).toBe(`${TRANSFER} photos:read:all`);

    // Revoking a scope that is a prefix of another ends the tokens that carry it, and only those.
    const revoked = await steps.revoke(granted.body.id, { scopes: ['photos:read'] });
    expect(revoked.body).toMatchObject({ status: 'active', tokensEnded: 1 });
    expect((await steps.introspect(all.body.access_token)).body).toEqual({ active: false });
    expect((await steps.introspect(some.body.access_token)).body).toMatchObject({ active: true, scope: `${TRANSFER} photos:read:all` });

    expect((await steps.revoke(granted.body.id, { scopes: [TRANSFER] })).body).toMatchObject({ tokensEnded: 1 });
    expect((await steps.introspect(some.body.access_token)).body).toEqual({ active: false });
  });

  it('refuses a malformed scope with 400 invalid_scope naming the value, its place and the rule, and appends nothing', async () => {
    const before = (await ledger.events()).length;
    const cases: Array<[string, unknown, string]> = [
      ['/v1/consents', { userId: 'u', clientId: 'scopes-app', scopes: ['openid', 'photos:read', 'a b'] }, 'scopes: scopes[2] "a b" breaks RFC 6749 section 3.3: a scope-token has no space'],
      ['/v1/consents', { userId: 'u', clientId: 'scopes-app', scopes: ['*openid'] }, "'*' marks an optional dependency and does not start a scope-token"],
      ['/v1/clients', { clientId: 'scopes-bad', name: 'Bad', allowedScopes: ['say"hi'] }, `allowedScopes[0] "say\\"hi" breaks RFC 6749 section 3.3: a scope-token has no '"' or '\\'`],
      ['/v1/tokens', { consentId: 'cns_00000000000000000000000000000000_1', scopes: ['read:user', 'photos\tread'] }, 'scopes[1] "photos\\tread" breaks RFC 6749 section 3.3: a scope-token is printable ASCII (%x21-7E), not U+0009'],
    ];
    for (const [path, body, detail] of cases) {
      const r = await ledger.http.post(path, body);
      expect({ path, status: r.status, type: r.headers.get('content-type'), code: r.body.code }).toEqual({ path, status: 400, type: expect.stringMatching(/^application\/problem\+json/), code: 'invalid_scope' });
      expect({ path, detail: r.body.detail }).toEqual({ path, detail: expect.stringContaining(detail) });
      expect(r.body.details.fields).toEqual([{ field: expect.stringMatching(/^(scopes|allowedScopes)$/), messages: [expect.any(String)] }]);
    }
    expect((await ledger.events()).length).toBe(before);
  });
});
