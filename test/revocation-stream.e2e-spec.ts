/** GET /v1/revocations/stream: Server-Sent Events of the revocation contract, resumable with Last-Event-ID. */
import { hashToken } from '@ledger/domain';
import { waitUntil } from '@ledger/testing';
import { contractViolations } from '../libs/revocations/src/testing/revocation-contract';
import { RevocationStreams } from '../apps/ledger/src/revocations/revocation-streams';
import { consentWithToken } from './support/consent-fixtures';
import { bearer, clientBasic, ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A minimal SSE reader over fetch: enough to check framing, ids and resumption. */
async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const messages: SseMessage[] = [];
  let buffer = '';
  const pump = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) message.comment = line.slice(1).trim();
            else {
              const i = line.indexOf(':');
              const field = line.slice(0, i);
              const value = line.slice(i + 1).replace(/^ /, '');
              if (field === 'id' || field === 'event' || field === 'data') message[field] = value;
            }
          }
          messages.push(message);
        }
      }
    } catch {
      /* aborted */
    }
  })();
  const events = () => messages.filter((m) => m.data !== undefined);
  return {
    response,
    messages,
    events,
    async waitForEvents(count: number, timeoutMs = 10_000) {
      const started = Date.now();
      while (events().length < count) {
        if (Date.now() - started > timeoutMs) throw new Error(`only ${events().length} of ${count} events arrived`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return events();
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}

describe('revocation stream (SSE)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;
  let steps: ReturnType<typeof ledgerSteps>;

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir });
    steps = ledgerSteps(ledger.http);
  });
  afterAll(async () => {
    await ledger.close();
    data.remove();
  });

  async function revokedConsent() {
    const { consentId, token } = await consentWithToken(ledger.http, ['openid']);
    expect((await steps.revoke(consentId)).status).toBe(200);
    return { consentId, token: token.access_token };
  }

  it('starts at the head, replays from the start on ?from=start, and resumes after Last-Event-ID', async () => {
    const first = await revokedConsent();
    const second = await revokedConsent();
    const url = `${ledger.url}/v1/revocations/stream`;

    // A new subscriber starts at the head: the two revocations before it are not sent.
    const atHead = await openStream(url, bearer('introspect'));
    expect(atHead.response.status).toBe(200);
    expect(atHead.response.headers.get('content-type')).toContain('text/event-stream');
    expect(atHead.response.headers.get('cache-control')).toBe('no-store');
    await waitUntil(() => atHead.messages.some((m) => m.comment === 'connected'));
    expect(atHead.messages[0].comment).toBe('connected');

    // ?from=start: history, then live.
    const stream = await openStream(`${url}?from=start`, bearer('introspect'));
    let events = await stream.waitForEvents(2);
    expect(events.map((e) => JSON.parse(e.data!).consentId)).toEqual([first.consentId, second.consentId]);
    for (const e of events) {
      const value = JSON.parse(e.data!);
      expect(e.event).toBe(value.type);
      expect(e.id).toBe(String(value.position));
      expect(contractViolations(value)).toEqual([]);
    }
    // A consent revocation names no tokens: it ends every token of the consent issued before it.
    expect(JSON.parse(events[0].data!)).toMatchObject({ type: 'consent.revoked', tokenHashes: [] });
    expect(stream.messages.map((m) => m.data ?? '').join('')).not.toContain(first.token);

    // Live, on both.
    const third = await revokedConsent();
    events = await stream.waitForEvents(3);
    expect(JSON.parse(events[2].data!).consentId).toBe(third.consentId);
    expect((await atHead.waitForEvents(1)).map((e) => JSON.parse(e.data!).consentId)).toEqual([third.consentId]);
    await atHead.close();
    const lastSeen = events[1].id!;
    await stream.close();
    const streams: RevocationStreams = ledger.app.get(RevocationStreams);
    await waitUntil(() => streams.count() === 0);

    // While disconnected.
    const fourth = await revokedConsent();

    // Resume after the second: the third (history) and the fourth, then live again. Last-Event-ID wins over the
    // query an EventSource repeats on reconnect.
    const resumed = await openStream(`${url}?from=start`, { ...bearer('introspect'), 'last-event-id': lastSeen });
    const afterResume = await resumed.waitForEvents(2);
    expect(afterResume.map((e) => JSON.parse(e.data!).consentId)).toEqual([third.consentId, fourth.consentId]);
    const fifth = await revokedConsent();
    expect(JSON.parse((await resumed.waitForEvents(3))[2].data!).consentId).toBe(fifth.consentId);
    await resumed.close();

    // `after` does the same for a first connection, and wins over from=start: a schema-valid combination is not
    // refused (Schemathesis checks that), the more precise resume point counts.
    const fromQuery = await openStream(`${url}?from=start&after=${afterResume[1].id}`, bearer('introspect'));
    expect(JSON.parse((await fromQuery.waitForEvents(1))[0].data!).consentId).toBe(fifth.consentId);
    await fromQuery.close();
  });

  it('hands a replay over to the live feed without a gap or a duplicate while revocations keep coming', async () => {
    const url = `${ledger.url}/v1/revocations/stream`;
    const mark = (await revokedConsent()).consentId;
    const position = async (consentId: string) => (await ledger.events()).find((e) => e.type === 'ConsentRevoked' && (e.data as any).consentId === consentId)!.position;
    const after = await position(mark);
    // Revocations before, during and after the replays open: each replay reads some from the store, receives some
    // from the fan-out, and some of those twice over unless the hand-over drops them.
    const revoked: string[] = [];
    for (let i = 0; i < 10; i++) revoked.push((await revokedConsent()).consentId);
    const during = (async () => {
      for (let i = 0; i < 20; i++) revoked.push((await revokedConsent()).consentId);
    })();
    const replays = [];
    for (let i = 0; i < 4; i++) {
      replays.push(await openStream(`${url}?after=${after}`, bearer('introspect')));
      await new Promise((r) => setTimeout(r, 15));
    }
    await during;
    for (const replay of replays) {
      const events = await replay.waitForEvents(revoked.length);
      await new Promise((r) => setTimeout(r, 50));
      expect(replay.events().map((e) => JSON.parse(e.data!).consentId)).toEqual(revoked);
      await replay.close();
    }
  });

  it('sends a client disable and a client narrowing as ONE event each, whatever the client holds; enabling and widening send nothing', async () => {
    const clientId = `sse-${Date.now()}`;
    const transfer = 'urn:globus:auth:scope:transfer.api.globus.org:all';
    expect((await steps.registerClient(clientId, ['openid', transfer])).status).toBe(201);
    const consents: string[] = [];
    for (const user of ['u1', 'u2', 'u3']) {
      const consent = await steps.grant(user, clientId, ['openid', transfer]);
      consents.push(consent.body.id);
      for (let i = 0; i < 3; i++) expect((await steps.issue(consent.body.id)).status).toBe(201);
    }
    const stream = await openStream(`${ledger.url}/v1/revocations/stream`, bearer('introspect'));
    await waitUntil(() => stream.messages.some((m) => m.comment === 'connected'));

    expect((await ledger.http.post(`/v1/clients/${clientId}/disable`, { reason: 'leaked' })).status).toBe(200);
    expect((await ledger.http.post(`/v1/clients/${clientId}/enable`)).status).toBe(200);
    expect((await ledger.http.request('PATCH', `/v1/clients/${clientId}`, { allowedScopes: ['openid'] })).status).toBe(200);
    expect((await ledger.http.request('PATCH', `/v1/clients/${clientId}`, { allowedScopes: ['openid', transfer] })).status).toBe(200);
    // A last revocation of one consent, so that everything before it has been sent once it arrives.
    expect((await steps.revoke(consents[0])).status).toBe(200);

    const events = (await stream.waitForEvents(3)).map((e) => JSON.parse(e.data!));
    await stream.close();
    expect(events.map((e) => e.type)).toEqual(['client.disabled', 'client.scopes_revoked', 'consent.revoked']);
    expect(events[0]).toMatchObject({ clientId, consentId: null, userId: null, scopes: [], tokenIds: [], reason: 'leaked' });
    expect(events[1]).toMatchObject({ clientId, consentId: null, userId: null, scopes: [transfer] });
    for (const e of events) expect(contractViolations(e)).toEqual([]);
  });

  it("sends the end of a refresh-token family (here for a reuse) as token.family_revoked, naming the consent", async () => {
    const clientId = `sse-rt-${Date.now()}`;
    expect((await steps.registerClient(clientId)).status).toBe(201);
    const secret = (await steps.createSecret(clientId)).body.secret;
    const consent = await ledger.http.post('/v1/consents', { userId: 'u-rt', clientId, scopes: ['openid'], allowsRefresh: true });
    const first = (await steps.issue(consent.body.id)).body.refresh_token;
    const stream = await openStream(`${ledger.url}/v1/revocations/stream`, bearer('introspect'));
    await waitUntil(() => stream.messages.some((m) => m.comment === 'connected'));
    const refresh = (token: string) => ledger.asRole(undefined).form('/v1/oauth2/token', { grant_type: 'refresh_token', refresh_token: token }, clientBasic(clientId, secret));
    expect((await refresh(first)).status).toBe(200);
    expect((await refresh(first)).body.error).toBe('invalid_grant');

    const [event] = (await stream.waitForEvents(1)).map((e) => JSON.parse(e.data!));
    await stream.close();
    expect(event).toMatchObject({ type: 'token.family_revoked', consentId: consent.body.id, userId: 'u-rt', clientId, tokenIds: [], reason: 'refresh_token_reused' });
    expect(contractViolations(event)).toEqual([]);
  });

  it('refuses a malformed Last-Event-ID with problem+json and strangers with 401, and answers HEAD without a stream', async () => {
    const bad = await ledger.http.get('/v1/revocations/stream', { ...bearer('introspect'), 'last-event-id': 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_last_event_id');
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const stranger = await ledger.asRole(undefined).get('/v1/revocations/stream');
    expect(stranger.status).toBe(401);
    const head = await ledger.http.request('HEAD', '/v1/revocations/stream', undefined, bearer('introspect'));
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('text/event-stream');
  });

  it('refuses a position beyond the head of the store and an unknown parameter; after wins over from=start', async () => {
    const head = await ledger.store.headPosition();
    for (const [path, headers] of [
      [`/v1/revocations/stream?after=${head + 1}`, {}],
      ['/v1/revocations/stream', { 'last-event-id': String(head + 1000) }],
    ] as const) {
      const r = await ledger.http.get(path, { ...bearer('introspect'), ...headers });
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('position_beyond_head');
    }
    const unknown = await ledger.http.get('/v1/revocations/stream?form=start', bearer('introspect'));
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('invalid_request');
    expect((await ledger.http.get('/v1/revocations/stream?from=yesterday', bearer('introspect'))).body.code).toBe('invalid_request');
    // The head itself is fine: nothing to replay, live from there.
    const atHead = await openStream(`${ledger.url}/v1/revocations/stream?after=${head}`, bearer('introspect'));
    expect(atHead.response.status).toBe(200);
    await atHead.close();
  });

  it('caps open streams per caller (429) and in total (503), with Retry-After, and frees a slot when a stream ends', async () => {
    const own = tempDataDir();
    const capped = await startLedger({ dataDir: own.dir, env: { LEDGER_SSE_MAX_PER_CALLER: '2', LEDGER_SSE_MAX_TOTAL: '3' } });
    const url = `${capped.url}/v1/revocations/stream`;
    const open = [await openStream(url, bearer('introspect')), await openStream(url, bearer('introspect'))];
    const perCaller = await capped.http.get('/v1/revocations/stream', bearer('introspect'));
    expect(perCaller.status).toBe(429);
    expect(perCaller.body.code).toBe('too_many_streams');
    expect(Number(perCaller.headers.get('retry-after'))).toBeGreaterThan(0);
    open.push(await openStream(url, bearer('admin')));
    const total = await capped.http.get('/v1/revocations/stream', bearer('admin'));
    expect(total.status).toBe(503);
    expect(total.body.code).toBe('streams_exhausted');
    expect(Number(total.headers.get('retry-after'))).toBeGreaterThan(0);
    // HEAD opens no stream, so it takes no slot.
    expect((await capped.http.request('HEAD', '/v1/revocations/stream', undefined, bearer('admin'))).status).toBe(200);

    await open.shift()!.close();
    await waitUntil(() => capped.app.get(RevocationStreams).count() === 2);
    const again = await openStream(url, bearer('introspect'));
    expect(again.response.status).toBe(200);
    await again.close();
    for (const s of open) await s.close();
    await capped.close();
    own.remove();
  });

  it('closes open streams on shutdown instead of hanging it', async () => {
    const own = tempDataDir();
    const other = await startLedger({ dataDir: own.dir });
    const stream = await openStream(`${other.url}/v1/revocations/stream`, bearer('admin'));
    expect(stream.response.status).toBe(200);
    await other.close();
    await stream.close();
    own.remove();
  });
});
