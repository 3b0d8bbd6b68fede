import { createRemoteJWKSet, jwtVerify, JWTPayload } from 'jose';
import { freePort } from '../support/ledger-process';
import { httpClient, ledgerSteps, RunningLedger, startLedger, tempDataDir, TEST_API_KEYS } from '../support/ledger-app';
import type { StoreFixture } from './suite-ledger';

/**
 * A Shared Signals receiver written from the specifications alone (OpenID SSF 1.0, RFC 8417, RFC 8936, RFC 9493),
 * sharing no code with the transmitter and verifying every SET with a standard JOSE library (jose): it discovers the
 * transmitter, creates and verifies a poll stream, adds subjects, and receives every revocation of a mixed workload
 * that concerns its subjects and its clients exactly once after deduplicating by jti, acknowledging half of each
 * batch so that the other half comes back, across a restart. Run for every adapter (ssf-poll.e2e-spec.ts,
 * esdb-ssf-poll.e2e-spec.ts).
 */
const RECEIVER = { name: 'partner', secret: 'partner-receiver-secret-0123456789' };
const OTHER = { name: 'other', secret: 'other-receiver-secret-0123456789' };
const KEYS = `${TEST_API_KEYS},${RECEIVER.name}:receiver:${RECEIVER.secret},${OTHER.name}:receiver:${OTHER.secret}`;
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';
const POLL = 'urn:ietf:rfc:8936';

interface Received {
  jti: string;
  header: Record<string, unknown>;
  claims: JWTPayload & Record<string, any>;
}

export function ssfPollSuite(name: string, fixture: () => Promise<StoreFixture>) {
  describe(`Shared Signals transmitter: an RFC 8936 poll receiver (${name})`, () => {
    let data: ReturnType<typeof tempDataDir>;
    let ledger: RunningLedger;
    let port: number;
    let issuer: string;
    let store: StoreFixture;
    const env = () => ({ ...store.env(), LEDGER_API_KEYS: KEYS, LEDGER_ISSUER: issuer, LEDGER_SSF_RECEIVERS: 'partner=web|files,other=elsewhere', LEDGER_SSF_LONG_POLL_MS: '20000' });
    const receiver = (secret = RECEIVER.secret) => httpClient(ledger.url, { authorization: `Bearer ${secret}` });
    /** A receiver retries a request whose connection was lost (a keep-alive socket of the server before a restart). */
    const send = async (method: string, url: string, body?: unknown, secret = RECEIVER.secret) => {
      try {
        return await receiver(secret).request(method, url.slice(issuer.length), body);
      } catch {
        return receiver(secret).request(method, url.slice(issuer.length), body);
      }
    };

    let metadata: Record<string, any>;
    let streamId: string;
    let pollUrl: string;
    const seen = new Map<string, Received>();

    beforeAll(async () => {
      store = await fixture();
      data = tempDataDir();
      port = await freePort();
      issuer = `http://127.0.0.1:${port}`;
      ledger = await startLedger({ dataDir: data.dir, port, env: env() });
    });
    afterAll(async () => {
      await ledger?.close();
      data?.remove();
      await store?.teardown?.();
    });

    /** RFC 8417 section 2.3 and SSF: verify signature, typ, iss and aud; a SET has no exp and no sub. */
    async function verify(jwt: string): Promise<Received> {
      const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
      const { payload, protectedHeader } = await jwtVerify(jwt, jwks, { issuer, audience: RECEIVER.name, typ: 'secevent+jwt', algorithms: ['RS256'] });
      expect(payload.exp).toBeUndefined();
      expect(payload.sub).toBeUndefined();
      expect(Object.keys(payload.events as object)).toHaveLength(1);
      return { jti: payload.jti as string, header: protectedHeader as Record<string, unknown>, claims: payload as Received['claims'] };
    }

    /** One RFC 8936 poll; every SET verified, and checked to be keyed by its own jti. */
    async function poll(body: Record<string, unknown>): Promise<{ sets: Received[]; moreAvailable: boolean }> {
      const r = await send('POST', pollUrl, { returnImmediately: true, ...body });
      expect(r.status).toBe(200);
      const sets: Received[] = [];
      for (const [jti, jwt] of Object.entries(r.body.sets as Record<string, string>)) {
        const set = await verify(jwt);
        expect(set.jti).toBe(jti);
        sets.push(set);
      }
      return { sets, moreAvailable: r.body.moreAvailable };
    }

    /** Polls until nothing is left, acknowledging only every other SET of each batch: the rest must come back. */
    async function drain(): Promise<Received[]> {
      const fresh: Received[] = [];
      let unacked: string[] = [];
      for (let round = 0; round < 100; round++) {
        const { sets } = await poll({ maxEvents: 3 });
        // What we left unacknowledged last time is back, first: never lost, never skipped.
        expect(sets.slice(0, unacked.length).map((s) => s.jti)).toEqual(unacked);
        if (sets.length === 0) return fresh;
        for (const set of sets) {
          if (!seen.has(set.jti)) fresh.push(set);
          seen.set(set.jti, set);
        }
        const half = sets.filter((_, i) => i % 2 === 0).map((s) => s.jti);
        unacked = sets.map((s) => s.jti).filter((j) => !half.includes(j));
        expect((await poll({ maxEvents: 0, ack: half })).sets).toEqual([]);
      }
      throw new Error('the stream never drained');
    }

    it('publishes its metadata to anyone, advertising push and poll delivery and bearer authorization', async () => {
      const r = await httpClient(ledger.url).get('/.well-known/ssf-configuration');
      expect(r.status).toBe(200);
      metadata = r.body;
      expect(metadata).toEqual({
        spec_version: '1_0',
        issuer,
        jwks_uri: `${issuer}/.well-known/ssf-jwks.json`,
        delivery_methods_supported: ['urn:ietf:rfc:8935', POLL],
        configuration_endpoint: `${issuer}/v1/ssf/streams`,
        status_endpoint: `${issuer}/v1/ssf/status`,
        add_subject_endpoint: `${issuer}/v1/ssf/subjects/add`,
        remove_subject_endpoint: `${issuer}/v1/ssf/subjects/remove`,
        verification_endpoint: `${issuer}/v1/ssf/verify`,
        authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6750' }],
        default_subjects: 'NONE',
      });
      const jwks = await httpClient(ledger.url).get('/.well-known/ssf-jwks.json');
      expect(jwks.status).toBe(200);
      expect(jwks.body.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String), e: 'AQAB' })]);
      expect(Buffer.from(jwks.body.keys[0].n, 'base64url').length).toBe(256);
      expect(JSON.stringify(jwks.body)).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
    });

    it('creates a poll stream, verifies it, and adds subjects', async () => {
      const created = await send('POST', metadata.configuration_endpoint, { delivery: { method: POLL }, events_requested: [`${CAEP}session-revoked`, `${CAEP}token-claims-change`, 'urn:consent-ledger:secevent:token-revoked', 'urn:consent-ledger:secevent:client-disabled', 'urn:consent-ledger:secevent:not-before', 'urn:example:unknown'], description: 'partner gateway' });
      expect(created.status).toBe(201);
      streamId = created.body.stream_id;
      pollUrl = created.body.delivery.endpoint_url;
      expect(created.body).toMatchObject({ iss: issuer, aud: RECEIVER.name, delivery: { method: POLL, endpoint_url: `${issuer}/v1/ssf/poll/${streamId}` }, description: 'partner gateway' });
      expect(created.body.events_delivered).not.toContain('urn:example:unknown');
      expect(created.body.events_delivered).toHaveLength(5);
      expect((await send('GET', `${metadata.configuration_endpoint}?stream_id=${streamId}`)).body).toEqual(created.body);
      expect((await send('GET', metadata.configuration_endpoint)).body).toEqual([created.body]);
      expect((await send('GET', `${metadata.status_endpoint}?stream_id=${streamId}`)).body).toEqual({ stream_id: streamId, status: 'enabled' });

      expect((await send('POST', metadata.verification_endpoint, { stream_id: streamId, state: 'nonce-1' })).status).toBe(204);
      const { sets } = await poll({});
      expect(sets).toHaveLength(1);
      expect(sets[0].header).toMatchObject({ alg: 'RS256', typ: 'secevent+jwt' });
      expect(sets[0].claims).toMatchObject({ sub_id: { format: 'opaque', id: streamId }, events: { [`${SSF}verification`]: { state: 'nonce-1' } } });
      await poll({ maxEvents: 0, ack: [sets[0].jti] });
      expect((await poll({})).sets).toEqual([]);

      for (const subject of [
        { format: 'opaque', id: 'alice' },
        { format: 'complex', user: { format: 'opaque', id: 'bob' }, application: { format: 'opaque', id: 'web' } },
      ]) {
        expect((await send('POST', metadata.add_subject_endpoint, { stream_id: streamId, subject })).status).toBe(200);
      }
    });

    it('receives every revocation that concerns its subjects and clients, exactly once after dedup by jti, across a restart', async () => {
      const steps = ledgerSteps(ledger.http);
      for (const c of ['web', 'files', 'elsewhere']) await steps.registerClient(c, ['openid', 'email']);
      const consent = async (user: string, client: string) => (await steps.grant(user, client, ['openid', 'email'])).body.id as string;
      const aliceWeb = await consent('alice', 'web');
      const aliceFiles = await consent('alice', 'files');
      const aliceElsewhere = await consent('alice', 'elsewhere');
      const bobWeb = await consent('bob', 'web');
      const bobFiles = await consent('bob', 'files');
      const carolWeb = await consent('carol', 'web');
      const token = (await steps.issue(aliceWeb)).body;

      const before = await ledger.store.headPosition();
      expect((await steps.revokeToken(token.token_id)).status).toBe(200); // alice@web: heard
      expect((await steps.revoke(aliceFiles, { scopes: ['email'], reason: 'narrowed' })).status).toBe(200); // heard
      expect((await steps.revoke(aliceElsewhere)).status).toBe(200); // a client outside the entitlement: not heard
      expect((await steps.revoke(bobWeb)).status).toBe(200); // heard (bob at web)
      expect((await steps.revoke(bobFiles)).status).toBe(200); // not heard: the subject is bob at web only
      // Part of the workload now; the rest with SETs outstanding over a restart.
      const first = await drain();
      expect((await steps.revoke(carolWeb)).status).toBe(200); // not a subject
      expect((await ledger.http.post('/v1/users/alice/not-before')).status).toBe(200); // heard
      expect((await ledger.http.post('/v1/clients/files/disable')).status).toBe(200); // an entitled client: heard
      expect((await ledger.http.post('/v1/clients/elsewhere/disable')).status).toBe(200); // not entitled: not heard
      expect((await ledger.http.post('/v1/users/alice/revoke', { reason: 'sign out everywhere' })).status).toBe(200); // heard once, not per consent
      expect((await ledger.http.post('/v1/not-before')).status).toBe(200); // the whole ledger: heard

      const outstanding = await poll({ maxEvents: 1 });
      expect(outstanding.sets).toHaveLength(1);
      expect(outstanding.moreAvailable).toBe(true);
      await ledger.close();
      ledger = await startLedger({ dataDir: data.dir, port, env: env() });
      const again = await poll({ maxEvents: 1 });
      expect(again.sets.map((s) => s.jti)).toEqual(outstanding.sets.map((s) => s.jti));
      const rest = await drain();
      const received = [...first, ...rest];
      expect(new Set(received.map((s) => s.jti)).size).toBe(received.length);

      // What the log says, as the receiver sees it: by log position, each SET's transaction is the event it names.
      const log = new Map((await ledger.events()).filter((e) => e.position > before).map((e) => [e.id, e]));
      const said = received
        .sort((a, b) => a.claims.log_position - b.claims.log_position)
        .map((s) => {
          const [type, payload] = Object.entries(s.claims.events as Record<string, Record<string, unknown>>)[0];
          expect(log.get(s.claims.txn as string)?.position).toBe(s.claims.log_position);
          expect(s.jti).toBe(`${streamId}-${s.claims.log_position}`);
          expect(typeof s.claims.iat).toBe('number');
          expect(typeof payload.event_timestamp).toBe('number');
          expect(payload.initiating_entity).toEqual(expect.any(String));
          return [log.get(s.claims.txn as string)?.type, type.replace(CAEP, 'caep:').replace('urn:consent-ledger:secevent:', 'ledger:'), s.claims.sub_id];
        });
      const pair = (user: string, client: string) => ({ format: 'complex', user: { format: 'opaque', id: user }, application: { format: 'opaque', id: client } });
      expect(said).toEqual([
        ['TokenRevoked', 'ledger:token-revoked', pair('alice', 'web')],
        ['ConsentScopesRevoked', 'caep:token-claims-change', pair('alice', 'files')],
        ['ConsentRevoked', 'caep:session-revoked', pair('bob', 'web')],
        ['UserNotBeforeSet', 'ledger:not-before', { format: 'opaque', id: 'alice' }],
        ['ClientDisabled', 'ledger:client-disabled', { format: 'complex', application: { format: 'opaque', id: 'files' } }],
        ['UserConsentsRevoked', 'caep:session-revoked', { format: 'opaque', id: 'alice' }],
        ['LedgerNotBeforeSet', 'ledger:not-before', { format: 'complex', tenant: { format: 'opaque', id: 'ledger' } }],
      ]);
      const claimsChange = received.find((s) => `${CAEP}token-claims-change` in s.claims.events)!;
      expect(claimsChange.claims.events[`${CAEP}token-claims-change`]).toMatchObject({ claims: { scope: 'openid' }, revoked_scopes: ['email'], reason_admin: { en: 'narrowed' } });
      const tokenRevoked = received.find((s) => 'urn:consent-ledger:secevent:token-revoked' in s.claims.events)!;
      expect(tokenRevoked.claims.events['urn:consent-ledger:secevent:token-revoked']).toMatchObject({ token_id: token.token_id, token_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      // Never a raw token, anywhere in any SET.
      for (const s of received) expect(JSON.stringify(s.claims)).not.toContain(token.access_token);
      expect((await poll({})).sets).toEqual([]);
    });

    it('paused holds SETs until enabled; disabled drops what happens meanwhile; each change is a stream-updated SET', async () => {
      const steps = ledgerSteps(ledger.http);
      const status = (s: string) => send('POST', metadata.status_endpoint, { stream_id: streamId, status: s, reason: `now ${s}` });
      expect((await status('paused')).body).toEqual({ stream_id: streamId, status: 'paused', reason: 'now paused' });
      await steps.revoke(await (await steps.grant('alice', 'web', ['openid'])).body.id);
      expect((await poll({})).sets).toEqual([]);
      await status('enabled');
      const held = await drain();
      expect(held.map((s) => Object.keys(s.claims.events)[0])).toEqual([`${SSF}stream-updated`, `${CAEP}session-revoked`, `${SSF}stream-updated`]);
      expect(held[0].claims.events[`${SSF}stream-updated`]).toEqual({ status: 'paused', reason: 'now paused' });

      await status('disabled');
      await steps.revoke(await (await steps.grant('alice', 'web', ['openid'])).body.id);
      await status('enabled');
      const afterDisabled = await drain();
      expect(afterDisabled.map((s) => s.claims.events[`${SSF}stream-updated`]?.status)).toEqual(['disabled', 'enabled']);
    });

    it('a long poll (no returnImmediately) answers as soon as a SET arrives', async () => {
      const waiting = send('POST', pollUrl, { maxEvents: 5 });
      // The poll is waiting (nothing is owed): a verification now is what it returns.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await send('POST', metadata.verification_endpoint, { stream_id: streamId, state: 'long-poll' })).status).toBe(204);
      const r = await waiting;
      expect(r.status).toBe(200);
      const sets = await Promise.all(Object.values(r.body.sets as Record<string, string>).map(verify));
      expect(sets.map((set) => set.claims.events[`${SSF}verification`])).toEqual([{ state: 'long-poll' }]);
      await poll({ maxEvents: 0, ack: sets.map((set) => set.jti) });
    });

    it('a SET reported in setErrs is acknowledged with its error recorded, and never sent again', async () => {
      for (const state of ['refused', 'proto']) expect((await send('POST', metadata.verification_endpoint, { stream_id: streamId, state })).status).toBe(204);
      const { sets } = await poll({});
      expect(sets.map((s) => s.claims.events[`${SSF}verification`].state)).toEqual(['refused', 'proto']);
      const [refused, proto] = sets.map((s) => s.jti);
      // A jti is the receiver's key, but a JSON body with "__proto__" is refused before it reaches anything.
      const head = await ledger.store.headPosition();
      const hostile = await send('POST', pollUrl, { returnImmediately: true, setErrs: { [refused]: { err: 'invalid_key', description: 'x' }, ['__proto__']: { err: 'invalid_request', description: 'x' } } });
      expect({ status: hostile.status, head: await ledger.store.headPosition() }).toEqual({ status: 400, head });
      const setErrs = { [refused]: { err: 'invalid_key', description: 'no such kid' } };
      expect((await poll({ maxEvents: 0, setErrs, ack: [proto] })).sets).toEqual([]);
      expect((await poll({})).sets).toEqual([]);
      const recorded = (await ledger.events()).filter((e) => e.type === 'SsfSetsAcknowledged').pop()!;
      expect(recorded.data).toMatchObject({ streamId, errors: [{ position: Number(refused.split('-').pop()), err: 'invalid_key', description: 'no such kid' }] });
      expect(recorded.metadata.actor).toBe(RECEIVER.name);
    });

    it('a quiet stream records how far its polls read, so a busy log is not read again at every poll', async () => {
      // A thousand revocations no subject of the stream hears of (a client outside the entitlement), straight into the log.
      for (let i = 0; i < 1000; i++) {
        await ledger.store.append('client-quiet', [{ type: 'ClientDisabled', data: { clientId: 'quiet', disabledAt: new Date().toISOString(), reason: null }, metadata: { actor: 'test', correlationId: `c${i}` } }], { expectedRevision: 'any' });
      }
      const last = await ledger.store.headPosition();
      expect((await poll({})).sets).toEqual([]);
      const prefix = (await ledger.events()).filter((e) => e.type === 'SsfSetsAcknowledged').pop()!;
      expect(prefix.data).toMatchObject({ streamId, positions: [], errors: [], through: last });
      const head = await ledger.store.headPosition();
      expect((await poll({})).sets).toEqual([]);
      expect(await ledger.store.headPosition()).toBe(head);
    });

    it('refuses bad input with the spec\'s answers, appending nothing', async () => {
      const head = await ledger.store.headPosition();
      const other = await send('POST', metadata.configuration_endpoint, { delivery: { method: POLL }, events_requested: [] }, OTHER.secret);
      expect(other.status).toBe(201);
      const othersHead = await ledger.store.headPosition();
      expect(othersHead).toBeGreaterThan(head);
      const unknown = 'ssf_00000000000000000000000000000000';
      const cases: Array<[string, string, unknown, number, string]> = [
        // malformed stream configurations
        ['POST', metadata.configuration_endpoint, { delivery: { method: POLL, endpoint_url: 'https://receiver.example/events' } }, 400, 'ssf_read_only_property'],
        ['POST', metadata.configuration_endpoint, { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://receiver.example/events' } }, 400, 'ssf_push_endpoint_not_allowed'],
        ['POST', metadata.configuration_endpoint, { delivery: { method: 'urn:ietf:rfc:8935' } }, 400, 'invalid_request'],
        ['POST', metadata.configuration_endpoint, { delivery: { method: 'urn:ietf:rfc:8937' } }, 400, 'ssf_delivery_method_unsupported'],
        ['POST', metadata.configuration_endpoint, { delivery: { method: POLL, authorization_header: 'Bearer x' } }, 400, 'invalid_request'],
        ['POST', metadata.configuration_endpoint, { events_requested: 'all' }, 400, 'invalid_request'],
        ['POST', metadata.configuration_endpoint, { delivery: { method: POLL }, color: 'blue' }, 400, 'invalid_request'],
        ['POST', metadata.configuration_endpoint, { delivery: { method: POLL }, events_delivered: [`${CAEP}session-revoked`] }, 400, 'ssf_read_only_property'],
        ['PATCH', metadata.configuration_endpoint, { stream_id: streamId, events_supported: [] }, 400, 'ssf_read_only_property'],
        ['PATCH', metadata.configuration_endpoint, { description: 'no id' }, 400, 'invalid_request'],
        ['POST', metadata.add_subject_endpoint, { stream_id: streamId, subject: { format: 'email', email: 'alice@example.org' } }, 400, 'invalid_subject'],
        ['POST', metadata.add_subject_endpoint, { stream_id: streamId, subject: { format: 'complex', application: { format: 'opaque', id: 'elsewhere' } } }, 403, 'subject_not_entitled'],
        ['POST', `${issuer}/v1/ssf/poll/not-a-stream`, {}, 400, 'invalid_request'],
        ['POST', pollUrl, { setErrs: { x: 'broken' } }, 400, 'invalid_request'],
        ['POST', pollUrl, { maxEvents: -1 }, 400, 'invalid_request'],
        // an unknown stream, and another receiver's: alike
        ...[unknown, other.body.stream_id].flatMap((id): Array<[string, string, unknown, number, string]> => [
          ['GET', `${metadata.configuration_endpoint}?stream_id=${id}`, undefined, 404, 'ssf_stream_not_found'],
          ['PATCH', metadata.configuration_endpoint, { stream_id: id, description: 'mine now' }, 404, 'ssf_stream_not_found'],
          ['PUT', metadata.configuration_endpoint, { stream_id: id, delivery: { method: POLL } }, 404, 'ssf_stream_not_found'],
          ['DELETE', `${metadata.configuration_endpoint}?stream_id=${id}`, undefined, 404, 'ssf_stream_not_found'],
          ['GET', `${metadata.status_endpoint}?stream_id=${id}`, undefined, 404, 'ssf_stream_not_found'],
          ['POST', metadata.status_endpoint, { stream_id: id, status: 'paused' }, 404, 'ssf_stream_not_found'],
          ['POST', metadata.add_subject_endpoint, { stream_id: id, subject: { format: 'opaque', id: 'alice' } }, 404, 'ssf_stream_not_found'],
          ['POST', metadata.verification_endpoint, { stream_id: id }, 404, 'ssf_stream_not_found'],
          ['POST', `${issuer}/v1/ssf/poll/${id}`, { returnImmediately: true }, 404, 'ssf_stream_not_found'],
        ]),
      ];
      for (const [method, url, body, status, code] of cases) {
        const r = await send(method, url, body);
        expect({ method, url, body, status: r.status, code: r.body?.code }).toEqual({ method, url, body, status, code });
      }
      expect((await send('GET', metadata.configuration_endpoint)).body.map((s: { stream_id: string }) => s.stream_id)).toEqual([streamId]);
      // Other roles are no receivers, and receivers nothing else.
      expect((await ledger.asRole('commands').get(metadata.configuration_endpoint.slice(issuer.length))).status).toBe(403);
      expect((await receiver().get('/v1/clients')).status).toBe(403);
      expect((await httpClient(ledger.url).get('/v1/ssf/streams')).status).toBe(401);
      expect(await ledger.store.headPosition()).toBe(othersHead);
    });

    it('deletes a stream for good', async () => {
      expect((await send('DELETE', `${metadata.configuration_endpoint}?stream_id=${streamId}`)).status).toBe(204);
      expect((await send('POST', pollUrl, { returnImmediately: true })).status).toBe(404);
      expect((await send('GET', metadata.configuration_endpoint)).body).toEqual([]);
    });
  });
}
