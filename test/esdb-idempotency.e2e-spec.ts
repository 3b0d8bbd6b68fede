/**
 * Idempotent token issuance across instances on one EventStoreDB (the wire-level test server, or the real one in
 * EVENTSTORE_CONNECTION_STRING). Each instance has its own data directory and node.db; what makes a retry a retry
 * everywhere is the consent stream, and the token key they share (LEDGER_TOKEN_KEY).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EsdbTestServer, startEsdbTestServer } from './support/esdb-test-server';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

const uid = () => randomUUID().slice(0, 8);

describe('idempotent token issuance on several instances over EventStoreDB', () => {
  let server: EsdbTestServer | undefined;
  const dirs: Array<ReturnType<typeof tempDataDir>> = [];
  const ledgers: RunningLedger[] = [];
  let a: RunningLedger;
  let b: RunningLedger;
  let env: Record<string, string>;

  beforeAll(async () => {
    const connectionString = process.env.EVENTSTORE_CONNECTION_STRING ?? (server = await startEsdbTestServer()).connectionString;
    env = { EVENTSTORE_CONNECTION_STRING: connectionString, LEDGER_TOKEN_KEY: randomBytes(32).toString('base64url') };
    a = await start(env);
    b = await start(env);
  });
  afterAll(async () => {
    for (const l of ledgers) await l.close();
    dirs.forEach((d) => d.remove());
    await server?.stop();
  });

  async function start(withEnv: Record<string, string>) {
    const dir = tempDataDir();
    dirs.push(dir);
    const ledger = await startLedger({ dataDir: dir.dir, env: withEnv });
    ledgers.push(ledger);
    return ledger;
  }

  async function consentOn(ledger: RunningLedger): Promise<string> {
    const steps = ledgerSteps(ledger.http);
    const clientId = `app-${uid()}`;
    expect((await steps.registerClient(clientId)).status).toBe(201);
    const granted = await steps.grant(`user-${uid()}`, clientId, ['openid']);
    expect(granted.status).toBe(201);
    return granted.body.id;
  }
  const issuesOf = async (tokenId: string) => (await a.events()).filter((e) => e.type === 'TokenIssued' && e.data.tokenId === tokenId);

  it('a retry on B of a token issued on A returns the same token and appends nothing; after a revoke, 409 on B', async () => {
    const consentId = await consentOn(a);
    const key = { 'idempotency-key': `cross-${uid()}` };
    const onA = await a.http.post('/v1/tokens', { consentId }, key);
    expect(onA.status).toBe(201);

    const onB = await b.http.post('/v1/tokens', { consentId }, key);
    expect(onB.status).toBe(201);
    expect(onB.body.access_token).toBe(onA.body.access_token);
    expect(onB.body.token_id).toBe(onA.body.token_id);
    expect(await issuesOf(onA.body.token_id)).toHaveLength(1);

    expect((await ledgerSteps(a.http).revokeToken(onA.body.token_id)).body).toEqual({ revoked: true });
    const afterRevoke = await b.http.post('/v1/tokens', { consentId }, key);
    expect([afterRevoke.status, afterRevoke.body.code]).toEqual([409, 'token_no_longer_active']);
    expect(await issuesOf(onA.body.token_id)).toHaveLength(1);
  });

  it('the same key on A and B at once: one TokenIssued, and both answer with that token', async () => {
    for (let round = 0; round < 5; round++) {
      const consentId = await consentOn(a);
      const key = { 'idempotency-key': `both-${round}-${uid()}` };
      const answers = await Promise.all([a, b, a, b].map((l) => l.http.post('/v1/tokens', { consentId }, key)));
      expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      expect(new Set(answers.map((r) => r.body.access_token)).size).toBe(1);
      const issued = (await a.events()).filter((e) => e.type === 'TokenIssued' && e.data.consentId === consentId);
      expect(issued).toHaveLength(1);
    }
  });

  it('an instance with another token key refuses the retry (503 token_key_mismatch) instead of minting a second token', async () => {
    const consentId = await consentOn(a);
    const key = { 'idempotency-key': `mismatch-${uid()}` };
    const onA = await a.http.post('/v1/tokens', { consentId }, key);
    expect(onA.status).toBe(201);
    const stranger = await start({ ...env, LEDGER_TOKEN_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'fatal' });
    const onC = await stranger.http.post('/v1/tokens', { consentId }, key);
    expect([onC.status, onC.body.code]).toEqual([503, 'token_key_mismatch']);
    expect(onC.body.access_token).toBeUndefined();
    expect((await a.events()).filter((e) => e.type === 'TokenIssued' && e.data.consentId === consentId)).toHaveLength(1);
  });
});
