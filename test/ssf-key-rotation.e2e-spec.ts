import { createLocalJWKSet, jwtVerify } from 'jose';
import { readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './support/ledger-process';
import { httpClient, LogLines, RunningLedger, secretsDirFor, startLedger, tempDataDir, TEST_API_KEYS } from './support/ledger-app';

/**
 * The SET signing key: kept in the secrets directory (0600), never logged, and rotated with an overlap: after the
 * operator renames it to ssf-signing-key.previous.pem and restarts, a new key signs and the previous one stays in the
 * JWKS, so a SET signed before still verifies; deleting the previous file ends the overlap (docs/ssf.md).
 */
describe('Shared Signals signing key: storage and rotation with overlap', () => {
  const secret = 'rotation-receiver-secret-0123456789';
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let port: number;
  const log = new LogLines();
  const start = async () => {
    ledger = await startLedger({ dataDir: data.dir, port, log, env: { LOG_LEVEL: 'info', LEDGER_API_KEYS: `${TEST_API_KEYS},rcv:receiver:${secret}`, LEDGER_ISSUER: `http://127.0.0.1:${port}` } });
    // The client's keep-alive sockets to the stopped server are dead: the first request after a restart may find one.
    await httpClient(ledger.url).get('/health/live').catch(() => undefined);
  };
  const rcv = () => httpClient(ledger.url, { authorization: `Bearer ${secret}` });
  const jwks = async () => (await httpClient(ledger.url).get('/.well-known/ssf-jwks.json')).body;
  const keyFile = () => join(secretsDirFor(data.dir), 'ssf-signing-key.pem');
  /** A verification SET, left unacknowledged so that it comes back. */
  const pollOne = async (streamId: string) => {
    const r = await rcv().post(`/v1/ssf/poll/${streamId}`, { returnImmediately: true });
    expect(r.status).toBe(200);
    return Object.values(r.body.sets as Record<string, string>);
  };
  const verifies = async (jwt: string, keys: { keys: any[] }) =>
    jwtVerify(jwt, createLocalJWKSet(keys), { typ: 'secevent+jwt' }).then(
      (r) => r.protectedHeader.kid,
      () => false,
    );

  beforeAll(async () => {
    data = tempDataDir();
    port = await freePort();
    await start();
  });
  afterAll(async () => {
    await ledger?.close();
    data?.remove();
  });

  it('keeps the key 0600 in the secrets directory, outside the data directory, and never logs it', async () => {
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect(statSync(secretsDirFor(data.dir)).mode & 0o777).toBe(0o700);
    const pem = readFileSync(keyFile(), 'utf8');
    const body = pem.split('\n').slice(1, -2).join('');
    const text = JSON.stringify(log.lines);
    expect(text).toContain((await jwks()).keys[0].kid);
    for (const line of pem.split('\n').slice(1, -2)) expect(text).not.toContain(line);
    expect(text).not.toContain(body.slice(0, 40));
  });

  it('rotates: the new key signs, the previous one verifies for the overlap, then is gone', async () => {
    const created = await rcv().post('/v1/ssf/streams', { delivery: { method: 'urn:ietf:rfc:8936' } });
    const streamId = created.body.stream_id;
    expect((await rcv().post('/v1/ssf/verify', { stream_id: streamId, state: 'before' })).status).toBe(204);
    const before = await jwks();
    const [old] = await pollOne(streamId);
    expect(await verifies(old, before)).toBe(before.keys[0].kid);

    await ledger.close();
    renameSync(keyFile(), join(secretsDirFor(data.dir), 'ssf-signing-key.previous.pem'));
    await start();
    const during = await jwks();
    expect(during.keys.map((k: { kid: string }) => k.kid)).toEqual([expect.any(String), before.keys[0].kid]);
    expect(during.keys[0].kid).not.toBe(before.keys[0].kid);
    // The same SET comes back (never acknowledged), signed with the new key; the one signed before still verifies.
    const [again] = await pollOne(streamId);
    expect(await verifies(again, during)).toBe(during.keys[0].kid);
    expect(await verifies(old, during)).toBe(before.keys[0].kid);
    expect(await verifies(again, before)).toBe(false);

    await ledger.close();
    unlinkSync(join(secretsDirFor(data.dir), 'ssf-signing-key.previous.pem'));
    await start();
    const after = await jwks();
    expect(after.keys.map((k: { kid: string }) => k.kid)).toEqual([during.keys[0].kid]);
    expect(await verifies(old, after)).toBe(false);
  });
});
