import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { LEDGER_EVENT_TYPES, ViewStore } from '@ledger/projections';
import { bearer, clientBasic, Http, httpClient, ledgerSteps, secretsDirFor, tempDataDir, TEST_KEYS } from './support/ledger-app';
import { LedgerProcess, spawnLedger } from './support/ledger-process';
import { readOpenedLog } from './support/opened-log';

/**
 * The built service as a separate process (run `npm run build` first; `npm run test:ci` does): crashes, graceful
 * shutdown, start-up configuration and what reaches its logs.
 */
describe('The service as a process', () => {
  const running: LedgerProcess[] = [];
  const dirs: Array<ReturnType<typeof tempDataDir>> = [];
  const start = async (options: Parameters<typeof spawnLedger>[0]) => {
    const p = await spawnLedger(options);
    running.push(p);
    return p;
  };
  const dir = () => {
    const d = tempDataDir();
    dirs.push(d);
    return d.dir;
  };
  afterAll(async () => {
    for (const p of running) await p.kill();
    for (const d of dirs) d.remove();
  });

  async function ready(p: LedgerProcess) {
    for (let i = 0; i < 600; i++) {
      if ((await p.http.get('/health/ready').catch(() => undefined))?.status === 200) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`not ready:\n${p.output()}`);
  }

  // Opened with the subject key store: the rebuild below folds what the service's views fold (docs/privacy.md).
  const readLog = (dataDir: string): Promise<StoredEvent[]> => readOpenedLog(dataDir);

  it('survives SIGKILL at random points of a mixed workload: acknowledged commands kept, nothing duplicated, views equal a rebuild', async () => {
    const ROUNDS = 6;
    const WORKERS = 6;
    const dataDir = dir();
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const acked = {
      consents: new Set<string>(),
      tokens: new Map<string, { token: string; consentId: string }>(),
      revokedConsents: new Set<string>(),
      revokedTokens: new Set<string>(),
    };
    let userSeq = 0;
    let ackCount = 0;

    let p = await start({ dataDir });
    expect((await ledgerSteps(p.http).registerClient('crash-app')).status).toBe(201);
    // RFC 7009 revocation serves the token's own client: crash-app revokes with its secret, which survives the crashes.
    const crashSecret = (await ledgerSteps(p.http).createSecret('crash-app')).body.secret as string;
    expect((await ledgerSteps(p.http).revokeAsClient('crash-app', crashSecret, 'clt_unknown')).status).toBe(200);

    for (let round = 1; round <= ROUNDS; round++) {
      let stop = false;
      const worker = async (http: Http) => {
        const steps = ledgerSteps(http);
        while (!stop) {
          const consents = [...acked.consents].filter((c) => !acked.revokedConsents.has(c));
          const tokens = [...acked.tokens.entries()];
          const r = rand();
          try {
            if (r < 0.35 || consents.length === 0) {
              const g = await steps.grant(`crash-user-${round}-${userSeq++}`, 'crash-app', ['openid', 'email']);
              if (g.status === 201) acked.consents.add(g.body.id);
            } else if (r < 0.7) {
              const consentId = consents[Math.floor(rand() * consents.length)];
              const t = await steps.issue(consentId);
              if (t.status === 201) acked.tokens.set(t.body.token_id, { token: t.body.access_token, consentId });
            } else if (r < 0.8) {
              const consentId = consents[Math.floor(rand() * consents.length)];
              const v = await steps.revoke(consentId);
              if (v.status === 200) acked.revokedConsents.add(consentId);
            } else if (r < 0.9 && tokens.length > 0) {
              const [tokenId, t] = tokens[Math.floor(rand() * tokens.length)];
              const v = await http.form('/v1/oauth2/revoke', { token: t.token }, clientBasic('crash-app', crashSecret));
              if (v.status === 200) acked.revokedTokens.add(tokenId);
            } else if (tokens.length > 0) {
              await steps.introspect(tokens[Math.floor(rand() * tokens.length)][1].token);
            }
            ackCount++;
          } catch {
            // The process died under this request: it was never acknowledged.
            return;
          }
        }
      };
      const workers = Array.from({ length: WORKERS }, () => worker(p.http));
      await new Promise((r) => setTimeout(r, 150 + Math.floor(rand() * 900)));
      await p.kill();
      stop = true;
      await Promise.all(workers);

      p = await start({ dataDir });
      await ready(p);
      // Every acknowledged command is in the ledger and visible after the restart.
      for (const consentId of acked.consents) {
        const c = await p.http.get(`/v1/consents/${consentId}`);
        expect(c.status).toBe(200);
        if (acked.revokedConsents.has(consentId)) expect(c.body.status).toBe('revoked');
      }
      for (const [tokenId, t] of acked.tokens) {
        const active = (await ledgerSteps(p.http).introspect(t.token)).body.active;
        if (acked.revokedTokens.has(tokenId) || acked.revokedConsents.has(t.consentId)) expect(active).toBe(false);
      }
    }
    expect(await p.stop()).toBe(0);

    // The log: every acknowledged command is there once, and nothing is there twice.
    const events = await readLog(dataDir);
    const issued = events.filter((e) => e.type === 'TokenIssued').map((e) => String((e.data as any).tokenId));
    expect(new Set(issued).size).toBe(issued.length);
    for (const tokenId of acked.tokens.keys()) expect(issued).toContain(tokenId);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const granted = events.filter((e) => e.type === 'ConsentGranted').map((e) => String((e.data as any).consentId));
    expect(new Set(granted).size).toBe(granted.length);
    for (const consentId of acked.consents) expect(granted).toContain(consentId);
    const revoked = events.filter((e) => e.type === 'ConsentRevoked').map((e) => String((e.data as any).consentId));
    expect(new Set(revoked).size).toBe(revoked.length);
    expect(events.map((e) => e.position)).toEqual(events.map((_, i) => events[0].position + i));

    // The views after all those crashes equal views rebuilt from position 0.
    const live = new ViewStore(join(dataDir, 'views.db'));
    const liveSnapshot = live.snapshot();
    await live.close();
    const rebuilt = new ViewStore(join(mkdtempSync(join(tmpdir(), 'ledger-rebuild-')), 'views.db'));
    const ledgerEvents = events.filter((e) => LEDGER_EVENT_TYPES.some((t: string) => e.type.startsWith(t)));
    for (let i = 0; i < ledgerEvents.length; i += 500) rebuilt.apply(ledgerEvents.slice(i, i + 500));
    expect(rebuilt.snapshot()).toEqual(liveSnapshot);
    await rebuilt.close();
    process.stdout.write(`crash test: ${ROUNDS} SIGKILL rounds, ${ackCount} acknowledged requests, ${events.length} events\n`);
    expect(acked.consents.size).toBeGreaterThan(0);
    expect(acked.tokens.size).toBeGreaterThan(0);
  }, 180_000);

  it('on SIGTERM finishes the request in flight, then exits cleanly', async () => {
    const dataDir = dir();
    const p = await start({ dataDir });
    await ledgerSteps(p.http).registerClient('graceful-app');
    const body = JSON.stringify({ userId: 'graceful-user', clientId: 'graceful-app', scopes: ['openid'] });
    // Half the body now, SIGTERM, the other half later: the request is in flight when the signal arrives.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        `${p.url}/v1/consents`,
        { method: 'POST', headers: { ...bearer('admin'), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        p.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    const r = await answer;
    expect(r.status).toBe(201);
    const consentId = JSON.parse(r.text).id;
    expect(await p.stop()).toBe(0);
    const events = await readLog(dataDir);
    expect(events.filter((e) => e.type === 'ConsentGranted').map((e) => (e.data as any).consentId)).toContain(consentId);
    // The checkpoint was flushed: the next start has nothing to catch up.
    const views = new ViewStore(join(dataDir, 'views.db'));
    expect(views.checkpoint()).toBe(events[events.length - 1].position);
    await views.close();
  }, 60_000);

  it('refuses to start on a bad setting, naming the variable', async () => {
    for (const [variable, value] of [
      ['LEDGER_API_KEYS', 'frontend:superuser:0123456789abcdef0123'],
      ['LEDGER_API_KEYS', 'frontend:commands:short'],
      ['LEDGER_BODY_LIMIT_BYTES', 'lots'],
      ['LEDGER_READY_MAX_LAG_EVENTS', '-5'],
      ['LOG_LEVEL', 'chatty'],
    ]) {
      const error = await spawnLedger({ dataDir: dir(), env: { [variable]: value } }).then(
        (p) => {
          running.push(p);
          return undefined;
        },
        (e: Error) => e.message,
      );
      expect(error).toContain(`ledger exited with 2`);
      expect(error).toContain(variable);
      // A secret from the bad value is never echoed.
      expect(error).not.toContain('0123456789abcdef0123');
    }
  }, 60_000);

  /** Every file under the directory, as bytes decoded latin1: a secret shows whether in text or inside a database page. */
  const everyFileIn = (d: string): string[] =>
    readdirSync(d, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => readFileSync(join(f.parentPath, f.name)).toString('latin1'));

  it('generates one credential per role into the secrets directory once, keeps only hashes in the data directory, and names the file on stderr', async () => {
    const dataDir = dir();
    const first = await start({ dataDir, env: { LEDGER_API_KEYS: '' } });
    const file = join(secretsDirFor(dataDir), 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(readFileSync(file, 'utf8')).keys as Array<{ name: string; role: string; secret: string }>;
    expect(keys.map((k) => k.role).sort()).toEqual(['admin', 'audit', 'commands', 'introspect']);
    const admin = keys.find((k) => k.role === 'admin')!;
    const introspect = keys.find((k) => k.role === 'introspect')!;
    expect((await first.http.get('/v1/users/u/consents', { authorization: `Bearer ${admin.secret}` })).status).toBe(200);
    expect(await first.stop()).toBe(0);
    // Nothing in the data directory, the log or the notice holds a secret; the notice names the file.
    const dataFiles = everyFileIn(dataDir);
    expect(readdirSync(dataDir)).toContain('credential-hashes.json');
    for (const k of keys) {
      for (const content of dataFiles) expect(content.includes(k.secret)).toBe(false);
      expect(first.stdout()).not.toContain(k.secret);
      expect(first.stderr()).not.toContain(k.secret);
    }
    expect(first.stderr()).toContain(`generated one credential per role (commands, introspect, audit, admin) into ${file}`);

    const second = await start({ dataDir, env: { LEDGER_API_KEYS: '' } });
    for (const k of keys) expect(second.output()).not.toContain(k.secret);
    expect(second.stderr()).not.toContain('generated');
    expect((await second.http.get('/v1/users/u/consents', { authorization: `Bearer ${admin.secret}` })).status).toBe(200);
    expect((await second.http.get('/v1/users/u/consents', { authorization: `Bearer ${introspect.secret}` })).status).toBe(403);
    expect((await second.http.get('/v1/users/u/consents', { authorization: `Bearer ${TEST_KEYS.admin.secret}` })).status).toBe(401);
    expect(await second.stop()).toBe(0);

    // Rotation: without the hash file the next start generates new secrets, and the old ones stop working.
    rmSync(join(dataDir, 'credential-hashes.json'));
    const third = await start({ dataDir, env: { LEDGER_API_KEYS: '' } });
    const rotated = JSON.parse(readFileSync(file, 'utf8')).keys as Array<{ role: string; secret: string }>;
    expect(rotated.find((k) => k.role === 'admin')!.secret).not.toBe(admin.secret);
    expect((await third.http.get('/v1/users/u/consents', { authorization: `Bearer ${admin.secret}` })).status).toBe(401);
    expect((await third.http.get('/v1/users/u/consents', { authorization: `Bearer ${rotated.find((k) => k.role === 'admin')!.secret}` })).status).toBe(200);
    expect(await third.stop()).toBe(0);
  }, 60_000);

  it('converts the raw credentials.json of an earlier version to hashes, moving the secrets out of the data directory', async () => {
    const dataDir = dir();
    const legacy = join(dataDir, 'credentials.json');
    const keys = [
      { name: 'admin', role: 'admin', secret: 'lks_legacy-admin-secret-0123456789' },
      { name: 'gateway', role: 'introspect', secret: 'lks_legacy-gateway-secret-0123456789' },
    ];
    writeFileSync(legacy, JSON.stringify({ version: 1, keys }), { mode: 0o600 });
    const p = await start({ dataDir, env: { LEDGER_API_KEYS: '' } });
    expect(existsSync(legacy)).toBe(false);
    const moved = join(secretsDirFor(dataDir), 'credentials.json');
    expect(JSON.parse(readFileSync(moved, 'utf8')).keys).toEqual(keys);
    expect(p.stderr()).toContain(`the secrets are now in ${moved}`);
    expect((await p.http.get('/v1/users/u/consents', { authorization: `Bearer ${keys[0].secret}` })).status).toBe(200);
    expect(await p.stop()).toBe(0);
    for (const content of everyFileIn(dataDir)) for (const k of keys) expect(content.includes(k.secret)).toBe(false);
    expect(p.output()).not.toContain(keys[0].secret);
  }, 60_000);

  it('never writes a token or a secret to its log, even at trace level', async () => {
    const dataDir = dir();
    const p = await start({ dataDir, env: { LOG_LEVEL: 'trace' } });
    const steps = ledgerSteps(p.http);
    await steps.registerClient('log-app');
    const tokens: string[] = [];
    const consent = await steps.grant('log-user', 'log-app', ['openid', 'email']);
    for (let i = 0; i < 3; i++) tokens.push((await steps.issue(consent.body.id)).body.access_token);
    tokens.push((await steps.issue(consent.body.id, ['openid'], { 'idempotency-key': 'log-key-1' })).body.access_token);
    tokens.push((await steps.issue(consent.body.id, ['openid'], { 'idempotency-key': 'log-key-1' })).body.access_token);
    const basic = 'Basic ' + Buffer.from(`${TEST_KEYS.introspect.name}:${TEST_KEYS.introspect.secret}`).toString('base64');
    for (const t of tokens) {
      expect((await p.http.form('/v1/oauth2/introspect', { token: t }, { authorization: basic })).body.active).toBe(true);
      await p.http.form('/v1/oauth2/introspect', { token: t }, { authorization: `Bearer ${TEST_KEYS.introspect.secret}` });
      // Wrong credentials, wrong role, a token where it does not belong: the error paths log too.
      await p.http.form('/v1/oauth2/introspect', { token: t }, { authorization: `Bearer ${t}` });
      await p.http.form('/v1/oauth2/introspect', { token: t }, bearer('commands'));
      await p.http.get(`/v1/consents/${t}`);
      await p.http.get(`/v1/nothing?token=${t}`);
      await p.http.post('/v1/tokens', { consentId: consent.body.id, token: t });
    }
    // Client secrets: created, rotated, used with client_secret_basic and client_secret_post, wrong, and revoked.
    const secrets: string[] = [];
    for (let i = 0; i < 2; i++) secrets.push((await steps.createSecret('log-app', { overlapSeconds: 60 })).body.secret);
    const listed = (await p.http.get('/v1/clients/log-app/secrets')).body.secrets as Array<{ secretId: string }>;
    expect((await p.http.form('/v1/oauth2/revoke', { token: tokens[0] }, clientBasic('log-app', secrets[0]))).status).toBe(200);
    const anonymous = httpClient(p.url);
    expect((await anonymous.form('/v1/oauth2/revoke', { token: tokens[1], client_id: 'log-app', client_secret: secrets[1] })).status).toBe(200);
    expect((await anonymous.form('/v1/oauth2/revoke', { token: tokens[1], client_id: 'log-app', client_secret: secrets[1].slice(0, -1) + 'x' })).status).toBe(401);
    await p.http.form('/v1/oauth2/revoke', { token: tokens[1] }, clientBasic('log-app', secrets[0] + 'x'));
    await p.http.form('/v1/oauth2/introspect', { token: tokens[1] }, clientBasic('log-app', secrets[1]));
    await p.http.post('/v1/clients/log-app/secrets', { secret: secrets[1] });
    await p.http.request('DELETE', `/v1/clients/log-app/secrets/${listed[0].secretId}`);
    await p.http.form('/v1/oauth2/revoke', { token: tokens[1] }, clientBasic('log-app', secrets[0]));
    await steps.revoke(consent.body.id);
    for (const t of tokens) expect((await steps.introspect(t)).body.active).toBe(false);
    expect(await p.stop()).toBe(0);

    const logFile = join(dataDir, 'service.log');
    writeFileSync(logFile, p.output());
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('"msg":"request completed"');
    expect(log).toContain('"requestId"');
    for (const t of new Set(tokens)) expect(log).not.toContain(t);
    for (const k of Object.values(TEST_KEYS)) expect(log).not.toContain(k.secret);
    expect(log).not.toContain(basic.slice('Basic '.length));
    for (const secret of secrets) {
      expect(log).not.toContain(secret);
      expect(log).not.toContain(secret.slice(4));
      expect(log).not.toContain(clientBasic('log-app', secret).authorization.slice('Basic '.length));
    }
    // The client is named in access lines by the namespace it authenticated in.
    expect(log).toContain('"caller":"client:log-app"');
    // Nor does any file of the data directory hold a client secret: events and views keep SHA-256 hashes.
    for (const content of everyFileIn(dataDir)) for (const secret of secrets) expect(content.includes(secret)).toBe(false);
    // Every line is JSON (pino), so log shippers can parse them.
    for (const line of log.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  }, 60_000);
});
