import { MAX_SCOPE_LENGTH, MAX_SCOPE_STRING_LENGTH, MAX_SCOPES } from '@ledger/domain';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

const UUID = '5fac2e64-c734-4e6b-90ea-ff12ddbf9653';
const COLLECTION_UUID = '0b0a6f1e-8c8a-4d5f-a5a6-e2cd45e7a9a2';
const OTHER_UUID = '9d6d994a-6d05-4b6f-a4c6-5f1b1f9f2f3e';
const DATA_ACCESS = `https://auth.globus.org/scopes/${UUID}/data_access`;
const TRANSFER = `https://auth.globus.org/scopes/${UUID}/transfer.api.globus.org:all`;
const COLLECTION = `https://auth.globus.org/scopes/${COLLECTION_UUID}/data_access`;
const OTHER_COLLECTION = `https://auth.globus.org/scopes/${OTHER_UUID}/data_access`;
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

  const history = async (consentId: string) => (await ledger.asRole('audit').get(`/v1/audit/consents/${consentId}/history`)).body.events as Array<{ type: string; data: any }>;

  it('takes the scope-tokens RFC 6749 allows and a Globus dependent scope; tokens and introspection carry the top-level scope-tokens only', async () => {
    const granted = await steps.grant('scopes-user', 'scopes-app', [...REAL_WORLD.filter((s) => s !== TRANSFER), `${TRANSFER}[*${COLLECTION}]`]);
    expect(granted.status).toBe(201);
    expect(granted.body.scopes).toEqual([...REAL_WORLD].sort());

    const [event] = await history(granted.body.id);
    expect(event.type).toBe('ConsentGranted');
    expect(event.data.scopes).toEqual([...REAL_WORLD].sort());
    expect(event.data.dependencies).toEqual([{ scope: TRANSFER, optional: false, dependencies: [{ scope: COLLECTION, optional: true, dependencies: [] }] }]);

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

  it('records a dependency added to a held scope as an extension that adds no scope, and a repeat of it as nothing', async () => {
    const consent = (await steps.grant('scopes-user-2', 'scopes-app', [`${TRANSFER}[${COLLECTION}]`])).body;
    const extended = await steps.grant('scopes-user-2', 'scopes-app', [`${TRANSFER}[*${OTHER_COLLECTION}]`, 'read:user']);
    expect(extended.status).toBe(200);
    expect(extended.body).toMatchObject({ id: consent.id, scopes: [TRANSFER, 'read:user'], revision: 1 });
    const again = await steps.grant('scopes-user-2', 'scopes-app', [`${TRANSFER}[${COLLECTION} *${OTHER_COLLECTION}]`]);
    expect(again.body.revision).toBe(1);

    const events = await history(consent.id);
    expect(events.map((e) => e.type)).toEqual(['ConsentGranted', 'ConsentScopesExtended']);
    expect(events[1].data).toMatchObject({
      addedScopes: ['read:user'],
      scopes: [TRANSFER, 'read:user'],
      dependencies: [{ scope: TRANSFER, optional: false, dependencies: [{ scope: COLLECTION, optional: false, dependencies: [] }, { scope: OTHER_COLLECTION, optional: true, dependencies: [] }] }],
    });
  });

  it('takes the largest grant the document allows within the default body limit: fifty scope-strings of 1024 characters', async () => {
    expect((await steps.registerClient('scopes-any')).status).toBe(201);
    const longest = (i: number) => {
      const head = `s${String(i).padStart(2, '0')}[${'a'.repeat(MAX_SCOPE_LENGTH)} ${'b'.repeat(MAX_SCOPE_LENGTH)} ${'c'.repeat(MAX_SCOPE_LENGTH)} `;
      return `${head}${'d'.repeat(MAX_SCOPE_STRING_LENGTH - head.length - 1)}]`;
    };
    const scopes = Array.from({ length: MAX_SCOPES }, (_, i) => longest(i));
    expect(scopes.every((s) => s.length === MAX_SCOPE_STRING_LENGTH)).toBe(true);
    const r = await steps.grant(`${'u'.repeat(128)}`, 'scopes-any', scopes);
    expect({ status: r.status, scopes: r.body.scopes?.length }).toEqual({ status: 201, scopes: MAX_SCOPES });
    expect((await history(r.body.id))[0].data.dependencies).toHaveLength(MAX_SCOPES);
  });

  it('refuses a malformed scope with 400 invalid_scope naming the value, its place and the rule, and appends nothing', async () => {
    const before = (await ledger.events()).length;
    const cases: Array<[string, unknown, string]> = [
      ['/v1/consents', { userId: 'u', clientId: 'scopes-app', scopes: ['openid', 'photos:read', 'a b'] }, 'scopes: scopes[2] "a b" breaks RFC 6749 section 3.3: a scope-token has no space'],
      ['/v1/consents', { userId: 'u', clientId: 'scopes-app', scopes: [`${TRANSFER}[]`] }, "'[]' is empty; a list of dependencies names at least one scope"],
      ['/v1/consents', { userId: 'u', clientId: 'scopes-app', scopes: ['*openid'] }, "'*' marks an optional dependency, and a granted scope is not optional"],
      ['/v1/clients', { clientId: 'scopes-bad', name: 'Bad', allowedScopes: ['say"hi'] }, `allowedScopes[0] "say\\"hi" breaks RFC 6749 section 3.3: a scope-token has no '"' or '\\'`],
      ['/v1/clients', { clientId: 'scopes-bad', name: 'Bad', allowedScopes: [`${TRANSFER}[${COLLECTION}]`] }, "'[' and ']' hold a scope's dependencies (scope[dependency ...]), which only a grant takes"],
      ['/v1/tokens', { consentId: 'cns_00000000000000000000000000000000_1', scopes: ['read:user', 'photos\tread'] }, 'scopes[1] "photos\\tread" breaks RFC 6749 section 3.3: a scope-token is printable ASCII (%x21-7E), not U+0009'],
    ];
    for (const [path, body, detail] of cases) {
      const r = await ledger.http.post(path, body);
      expect({ path, status: r.status, type: r.headers.get('content-type'), code: r.body.code }).toEqual({ path, status: 400, type: expect.stringMatching(/^application\/problem\+json/), code: 'invalid_scope' });
      expect({ path, detail: r.body.detail }).toEqual({ path, detail: expect.stringContaining(detail) });
      expect(r.body.details.fields).toEqual([{ field: expect.stringMatching(/^(scopes|allowedScopes)$/), messages: [expect.any(String)] }]);
    }
    const consentId = (await steps.grant('scopes-user-3', 'scopes-app', ['read:user'])).body.id;
    const revoke = await steps.revoke(consentId, { scopes: [`read:user[${COLLECTION}]`] });
    expect({ status: revoke.status, code: revoke.body.code }).toEqual({ status: 400, code: 'invalid_scope' });
    expect((await ledger.events()).length).toBe(before + 1);
  });
});
