import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '@ledger/testing';
import { uid } from '../support/consent-fixtures';
import { freePort } from '../support/ledger-process';
import { clientBasic, httpClient, ledgerSteps, LogLines, RunningLedger, secretsDirFor, startLedger, tempDataDir, TEST_API_KEYS } from '../support/ledger-app';
import { PushedSet, PushReceiver } from '../support/ssf-push-receiver';
import type { StoreFixture } from './suite-ledger';

/**
 * A Shared Signals receiver with a push stream (RFC 8935) and a poll stream (RFC 8936), written from the
 * specifications alone (test/support/ssf-push-receiver.ts verifies every SET with jose): discovery, both streams
 * verified, a subject, a mixed workload received on both exactly as the log has it (dedup by jti, ordered by
 * log_position, pushed in that order), a receiver down during a burst (503, redirects, connection refused), a 400
 * err recorded and shown in the status and not retried, the authorization header never in clear at rest, and bad
 * input refused with nothing appended. Run for every adapter (ssf-push.e2e-spec.ts, esdb-ssf-push.e2e-spec.ts).
 */
const RECEIVER = { name: 'partner', secret: 'partner-receiver-secret-0123456789' };
const OTHER = { name: 'other', secret: 'other-receiver-secret-0123456789' };
const KEYS = `${TEST_API_KEYS},${RECEIVER.name}:receiver:${RECEIVER.secret},${OTHER.name}:receiver:${OTHER.secret}`;
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';
const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
const EVENTS = [`${CAEP}session-revoked`, `${CAEP}token-claims-change`, 'urn:consent-ledger:secevent:token-revoked', 'urn:consent-ledger:secevent:client-disabled'];
const HEADER = `Bearer push-header-${uid()}-0123456789`;

export function ssfPushSuite(name: string, fixture: () => Promise<StoreFixture>) {
  describe(`Shared Signals transmitter: an RFC 8935 push receiver beside a poll one (${name})`, () => {
    let data: ReturnType<typeof tempDataDir>;
    let ledger: RunningLedger;
    let store: StoreFixture;
    let issuer: string;
    let receiver: PushReceiver;
    let elsewhere: number;
    const log = new LogLines();
    let metadata: Record<string, any>;
    let pushId: string;
    let pollId: string;
    const as = (secret = RECEIVER.secret) => httpClient(ledger.url, { authorization: `Bearer ${secret}` });
    const path = (url: string) => url.slice(issuer.length);

    beforeAll(async () => {
      store = await fixture();
      data = tempDataDir();
      const port = await freePort();
      issuer = `http://127.0.0.1:${port}`;
      receiver = new PushReceiver(await freePort(), { issuer, audience: RECEIVER.name });
      elsewhere = await freePort();
      await receiver.start();
      const env = {
        ...store.env(),
        LOG_LEVEL: 'info',
        LEDGER_API_KEYS: KEYS,
        LEDGER_ISSUER: issuer,
        LEDGER_SSF_RECEIVERS: 'partner=web|files,other=elsewhere',
        LEDGER_SSF_PUSH_ALLOW: `http://127.0.0.1:${receiver.port}`,
        LEDGER_SSF_PUSH_BACKOFF_BASE_MS: '20',
        LEDGER_SSF_PUSH_BACKOFF_MAX_MS: '200',
        LEDGER_SSF_PUSH_TIMEOUT_MS: '2000',
      };
      ledger = await startLedger({ dataDir: data.dir, port, env, log });
    });
    afterAll(async () => {
      await ledger?.close();
      await receiver?.stop();
      data?.remove();
      await store?.teardown?.();
    });

    /** Polls the poll stream until it is empty, acknowledging everything. */
    async function drainPoll(): Promise<PushedSet[]> {
      const out: PushedSet[] = [];
      for (;;) {
        const r = await as().post(`/v1/ssf/poll/${pollId}`, { returnImmediately: true, maxEvents: 50 });
        expect(r.status).toBe(200);
        const jtis = Object.keys(r.body.sets);
        if (jtis.length === 0) return out;
        for (const jwt of Object.values(r.body.sets as Record<string, string>)) {
          const [, payload] = jwt.split('.');
          out.push({ jti: '', claims: JSON.parse(Buffer.from(payload, 'base64url').toString()), authorization: undefined, contentType: undefined });
        }
        await as().post(`/v1/ssf/poll/${pollId}`, { returnImmediately: true, maxEvents: 0, ack: jtis });
      }
    }
    const eventType = (s: PushedSet) => Object.keys(s.claims.events)[0];
    const pushedAfter = (position: number) => receiver.unique().filter((s) => s.claims.log_position > position && s.claims.sub_id?.id !== pushId);

    it('advertises push and poll', async () => {
      metadata = (await httpClient(ledger.url).get('/.well-known/ssf-configuration')).body;
      expect(metadata.delivery_methods_supported).toEqual([PUSH, POLL]);
      receiver.use(metadata.jwks_uri);
    });

    it('creates a push stream and a poll stream, verifies both (the push one by push, with its state), and adds a subject', async () => {
      const push = await as().post(path(metadata.configuration_endpoint), { delivery: { method: PUSH, endpoint_url: receiver.url, authorization_header: HEADER }, events_requested: EVENTS });
      expect(push.status).toBe(201);
      pushId = push.body.stream_id;
      // The header is never returned (SSF section 8.1.1 lets the transmitter omit it).
      expect(push.body.delivery).toEqual({ method: PUSH, endpoint_url: receiver.url });
      expect((await as().get(`${path(metadata.configuration_endpoint)}?stream_id=${pushId}`)).body).toEqual(push.body);
      const poll = await as().post(path(metadata.configuration_endpoint), { delivery: { method: POLL }, events_requested: EVENTS });
      expect(poll.status).toBe(201);
      pollId = poll.body.stream_id;

      for (const id of [pushId, pollId]) expect((await as().post(path(metadata.verification_endpoint), { stream_id: id, state: `state-${id}` })).status).toBe(204);
      const verified = await waitUntil(() => receiver.accepted.find((s) => s.claims.events[`${SSF}verification`]), { what: 'the verification SET pushed' });
      expect(verified.claims).toMatchObject({ sub_id: { format: 'opaque', id: pushId }, events: { [`${SSF}verification`]: { state: `state-${pushId}` } } });
      expect(verified.authorization).toBe(HEADER);
      expect(verified.contentType).toBe('application/secevent+jwt');
      expect((await drainPoll()).map((s) => s.claims.events[`${SSF}verification`])).toEqual([{ state: `state-${pollId}` }]);

      for (const id of [pushId, pollId]) expect((await as().post(path(metadata.add_subject_endpoint), { stream_id: id, subject: { format: 'opaque', id: 'alice' } })).status).toBe(200);
    });

    it('keeps the authorization header encrypted: not in the data directory, the audit export, the secrets of others or the log', async () => {
      const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
      const secret = HEADER.slice('Bearer '.length);
      for (const file of files(data.dir)) expect({ file, found: readFileSync(file).includes(secret) }).toEqual({ file, found: false });
      const exported = await ledger.asRole('audit').get('/v1/audit/events');
      expect(exported.status).toBe(200);
      expect(JSON.stringify(exported.body)).not.toContain(secret);
      expect(JSON.stringify(exported.body)).toContain('SsfStreamCreated');
      const events = await ledger.events();
      expect(JSON.stringify(events)).not.toContain(secret);
      // It is there, sealed: what the push worker opens before each POST.
      expect(events.find((e) => e.type === 'SsfStreamCreated' && e.data.streamId === pushId)?.data.push).toEqual({ endpointUrl: receiver.url, authorization: expect.stringMatching(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/) });
      expect(JSON.stringify(log.lines)).not.toContain(secret);
      expect(JSON.stringify((await as().get(path(metadata.configuration_endpoint))).body)).not.toContain(secret);
      // The key that seals it is a secret of its own, beside the others, 0600.
      expect(statSync(join(secretsDirFor(data.dir), 'ssf-header-key')).mode & 0o777).toBe(0o600);
    });

    it('delivers a mixed workload on both streams exactly as the log has it, pushed in log order', async () => {
      const steps = ledgerSteps(ledger.http);
      for (const c of ['web', 'files']) await steps.registerClient(c, ['openid', 'email']);
      const consent = async (user: string, client: string, allowsRefresh = false) =>
        (await ledger.http.post('/v1/consents', { userId: user, clientId: client, scopes: ['openid', 'email'], allowsRefresh })).body.id as string;
      const webOne = await consent('alice', 'web');
      const webTwo = await consent('alice', 'web');
      const filesOne = await consent('alice', 'files');
      const bobs = await consent('bob', 'web');
      const secret = (await steps.createSecret('files')).body.secret as string;
      const refreshing = await consent('alice', 'files', true);
      const token = (await steps.issue(webOne)).body;
      const refreshToken = (await steps.issue(refreshing)).body.refresh_token as string;

      const before = await ledger.store.headPosition();
      expect((await steps.revokeToken(token.token_id)).status).toBe(200);
      const refresh = (t: string) => ledger.asRole(undefined).form('/v1/oauth2/token', { grant_type: 'refresh_token', refresh_token: t }, clientBasic('files', secret));
      expect((await refresh(refreshToken)).status).toBe(200);
      expect((await refresh(refreshToken)).status).toBe(400); // reuse: the family is revoked
      expect((await steps.revoke(filesOne, { scopes: ['email'], reason: 'narrowed' })).status).toBe(200);
      expect((await steps.revoke(webTwo)).status).toBe(200);
      expect((await steps.revoke(bobs)).status).toBe(200); // not a subject: heard by neither
      expect((await ledger.http.post('/v1/clients/files/disable')).status).toBe(200);
      expect((await ledger.http.post('/v1/users/alice/revoke', { reason: 'sign out everywhere' })).status).toBe(200);

      const events = new Map((await ledger.events()).filter((e) => e.position > before).map((e) => [e.id, e]));
      const expected = [
        ['TokenRevoked', 'urn:consent-ledger:secevent:token-revoked'],
        ['RefreshTokenFamilyRevoked', `${CAEP}session-revoked`],
        ['ConsentScopesRevoked', `${CAEP}token-claims-change`],
        ['ConsentRevoked', `${CAEP}session-revoked`],
        ['ClientDisabled', 'urn:consent-ledger:secevent:client-disabled'],
        ['UserConsentsRevoked', `${CAEP}session-revoked`],
      ];
      const said = (sets: PushedSet[]) => sets.sort((a, b) => a.claims.log_position - b.claims.log_position).map((s) => [events.get(s.claims.txn)?.type, eventType(s)]);
      const pushed = await waitUntil(() => pushedAfter(before).length >= expected.length && pushedAfter(before), { what: 'the workload pushed', timeoutMs: 20_000 });
      // Pushed one at a time per stream, oldest first: arrival order is log order.
      expect(pushed.map((s) => s.claims.log_position)).toEqual([...pushed].map((s) => s.claims.log_position).sort((a, b) => a - b));
      expect(said([...pushed])).toEqual(expected);
      const polled = await drainPoll();
      expect(said(polled)).toEqual(expected);
      expect(pushed.map((s) => s.claims.txn)).toEqual(polled.map((s) => s.claims.txn));
      for (const s of pushed) {
        expect(s.jti).toBe(`${pushId}-${s.claims.log_position}`);
        expect(events.get(s.claims.txn)?.position).toBe(s.claims.log_position);
      }
      expect(JSON.stringify(pushed)).not.toContain(token.access_token);
      expect(JSON.stringify(pushed)).not.toContain(refreshToken);
    });

    it('a receiver down during a burst (503, a redirect, connection refused) gets everything once it is back; no redirect is followed', async () => {
      const steps = ledgerSteps(ledger.http);
      const other = new PushReceiver(elsewhere, { issuer, audience: RECEIVER.name });
      other.use(metadata.jwks_uri);
      await other.start();
      let answered = 0;
      receiver.answer = () => (answered++ % 2 === 0 ? { status: 503 } : { status: 307, headers: { location: other.url } });
      const before = await ledger.store.headPosition();
      for (let i = 0; i < 6; i++) await steps.revoke(await (await ledger.http.post('/v1/consents', { userId: 'alice', clientId: 'web', scopes: ['openid'] })).body.id);
      await waitUntil(() => answered >= 4, { what: 'retries of the first SET' });
      // Retried, never skipped: every attempt so far was the burst's first SET.
      expect(new Set(receiver.attempts.slice(-answered).map((s) => s.jti)).size).toBe(1);
      await receiver.stop();
      await new Promise((resolve) => setTimeout(resolve, 300));
      receiver.answer = () => ({ status: 202 });
      await receiver.start();
      const pushed = await waitUntil(() => pushedAfter(before).length >= 6 && pushedAfter(before), { what: 'the burst after the outage', timeoutMs: 20_000 });
      expect(pushed.map((s) => eventType(s))).toEqual(Array(6).fill(`${CAEP}session-revoked`));
      expect(other.attempts).toEqual([]);
      await other.stop();
      expect(await drainPoll()).toHaveLength(6);
    });

    it('a 400 with an RFC 8935 err is recorded on the stream and shown in its status, and not sent again', async () => {
      receiver.answer = (s) => (s.claims.events[`${SSF}verification`]?.state === 'refuse-me' ? { status: 400, body: { err: 'invalid_audience', description: 'not for us' } } : { status: 202 });
      for (const state of ['refuse-me', 'after']) expect((await as().post(path(metadata.verification_endpoint), { stream_id: pushId, state })).status).toBe(204);
      await waitUntil(() => receiver.accepted.some((s) => s.claims.events[`${SSF}verification`]?.state === 'after'), { what: 'the SET after the refused one' });
      const refused = receiver.attempts.filter((s) => s.claims.events[`${SSF}verification`]?.state === 'refuse-me');
      expect(refused).toHaveLength(1);
      const status = await as().get(`${path(metadata.status_endpoint)}?stream_id=${pushId}`);
      expect(status.body).toEqual({ stream_id: pushId, status: 'enabled', last_error: { jti: refused[0].jti, err: 'invalid_audience', description: 'not for us', at: expect.any(String) } });
      const recorded = (await ledger.events()).filter((e) => e.type === 'SsfSetsAcknowledged' && e.data.streamId === pushId && (e.data.errors as unknown[]).length > 0);
      expect(recorded).toMatchObject([{ data: { errors: [{ position: refused[0].claims.log_position, err: 'invalid_audience', description: 'not for us' }] }, metadata: { actor: 'ssf-push' } }]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(receiver.attempts.filter((s) => s.jti === refused[0].jti)).toHaveLength(1);
      receiver.answer = () => ({ status: 202 });
    });

    it('paused holds pushed SETs until enabled; disabled drops what happens meanwhile', async () => {
      const status = (s: string) => as().post(path(metadata.status_endpoint), { stream_id: pushId, status: s });
      const revokeOne = async () => ledgerSteps(ledger.http).revoke(await (await ledger.http.post('/v1/consents', { userId: 'alice', clientId: 'web', scopes: ['openid'] })).body.id);
      const stateUpdates = () => receiver.unique().filter((s) => eventType(s) === `${SSF}stream-updated`).length;
      const updatesBefore = stateUpdates();
      await status('paused');
      const before = await ledger.store.headPosition();
      await revokeOne();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pushedAfter(before)).toEqual([]);
      await status('enabled');
      await waitUntil(() => pushedAfter(before).length === 1, { what: 'the held SET' });
      await status('disabled');
      const dropped = await ledger.store.headPosition();
      await revokeOne();
      await status('enabled');
      await waitUntil(() => stateUpdates() === updatesBefore + 4, { what: 'the stream-updated SETs' });
      expect(pushedAfter(dropped)).toEqual([]);
      await drainPoll();
    });

    it('refuses push endpoints outside LEDGER_SSF_PUSH_ALLOW and other bad input with the spec\'s answers, appending nothing', async () => {
      const streams = path(metadata.configuration_endpoint);
      const other = await as(OTHER.secret).post(streams, { delivery: { method: POLL } });
      expect(other.status).toBe(201);
      const head = await ledger.store.headPosition();
      const outside = [`http://127.0.0.1:${elsewhere}/events`, `https://127.0.0.1:${receiver.port}/events`, `http://localhost:${receiver.port}/events`, `http://u:p@127.0.0.1:${receiver.port}/events`, 'file:///etc/passwd', 'not a url'];
      const cases: Array<[string, unknown, number, string]> = [
        ...outside.map((url): [string, unknown, number, string] => ['POST', { delivery: { method: PUSH, endpoint_url: url } }, 400, 'ssf_push_endpoint_not_allowed']),
        ['PATCH', { stream_id: pushId, delivery: { method: PUSH, endpoint_url: outside[0] } }, 400, 'ssf_push_endpoint_not_allowed'],
        ['PUT', { stream_id: pushId, delivery: { method: PUSH, endpoint_url: outside[0] } }, 400, 'ssf_push_endpoint_not_allowed'],
        ['PATCH', { stream_id: pollId, delivery: { method: PUSH, endpoint_url: outside[0] } }, 400, 'ssf_push_endpoint_not_allowed'],
        ['POST', { delivery: { method: PUSH } }, 400, 'invalid_request'],
        ['POST', { delivery: { method: PUSH, endpoint_url: receiver.url, authorization_header: 'Bearer x\r\nX-Injected: 1' } }, 400, 'invalid_request'],
        ['POST', { delivery: { method: PUSH, endpoint_url: receiver.url, authorization_header: 42 } }, 400, 'invalid_request'],
        ['POST', { delivery: { method: PUSH, endpoint_url: receiver.url, extra: true } }, 400, 'invalid_request'],
        ['PATCH', { stream_id: pollId, delivery: { method: POLL, authorization_header: 'Bearer x' } }, 400, 'invalid_request'],
        ['PATCH', { stream_id: other.body.stream_id, delivery: { method: PUSH, endpoint_url: receiver.url } }, 404, 'ssf_stream_not_found'],
        ['PATCH', { stream_id: 'ssf_00000000000000000000000000000000', delivery: { method: PUSH, endpoint_url: receiver.url } }, 404, 'ssf_stream_not_found'],
      ];
      for (const [method, body, status, code] of cases) {
        const r = await as().request(method, streams, body);
        expect({ method, body, status: r.status, code: r.body?.code }).toEqual({ method, body, status, code });
      }
      // Nothing but the push worker's own records of SETs taken earlier (it records them in batches, a moment later).
      const appended = (await ledger.events()).filter((e) => e.position > head);
      expect(appended.filter((e) => e.metadata.actor !== 'ssf-push')).toEqual([]);
    });

    it('a push stream turned to poll stops pushing; a PATCH of its description keeps the header', async () => {
      const streams = path(metadata.configuration_endpoint);
      expect((await as().request('PATCH', streams, { stream_id: pushId, description: 'renamed' })).status).toBe(200);
      expect((await as().post(path(metadata.verification_endpoint), { stream_id: pushId, state: 'still-header' })).status).toBe(204);
      const kept = await waitUntil(() => receiver.accepted.find((s) => s.claims.events[`${SSF}verification`]?.state === 'still-header'), { what: 'the SET after the PATCH' });
      expect(kept.authorization).toBe(HEADER);
      const toPoll = await as().request('PATCH', streams, { stream_id: pushId, delivery: { method: POLL } });
      expect(toPoll.body.delivery).toEqual({ method: POLL, endpoint_url: `${issuer}/v1/ssf/poll/${pushId}` });
      const count = receiver.attempts.length;
      expect((await as().post(path(metadata.verification_endpoint), { stream_id: pushId, state: 'polled' })).status).toBe(204);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.attempts.length).toBe(count);
      const polled = await as().post(`/v1/ssf/poll/${pushId}`, { returnImmediately: true });
      expect(Object.keys(polled.body.sets).length).toBeGreaterThan(0);
    });
  });
}
