/** GET /v1/revocations/stream: Server-Sent Events of the revocation contract, resumable with Last-Event-ID. */
import { hashToken } from '@ledger/domain';
import { waitUntil } from '@ledger/testing';
import { contractViolations } from '../libs/revocations/src/testing/revocation-contract';
import { RevocationStreams } from '../apps/ledger/src/revocations/revocation-streams';
import { consentWithToken } from './support/consent-fixtures';
import { bearer, ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

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

  it('sends history, then live events, and resumes after Last-Event-ID', async () => {
    const first = await revokedConsent();
    const second = await revokedConsent();
    const url = `${ledger.url}/v1/revocations/stream`;

    const stream = await openStream(url, bearer('introspect'));
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    expect(stream.response.headers.get('cache-control')).toBe('no-store');
    let events = await stream.waitForEvents(2);
    expect(stream.messages[0].comment).toBe('connected');
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

    // Live.
    const third = await revokedConsent();
    events = await stream.waitForEvents(3);
    expect(JSON.parse(events[2].data!).consentId).toBe(third.consentId);
    const lastSeen = events[1].id!;
    await stream.close();
    const streams: RevocationStreams = ledger.app.get(RevocationStreams);
    await waitUntil(() => streams.count() === 0);

    // While disconnected.
    const fourth = await revokedConsent();

    // Resume after the second: the third (history) and the fourth, then live again.
    const resumed = await openStream(url, { ...bearer('introspect'), 'last-event-id': lastSeen });
    const afterResume = await resumed.waitForEvents(2);
    expect(afterResume.map((e) => JSON.parse(e.data!).consentId)).toEqual([third.consentId, fourth.consentId]);
    const fifth = await revokedConsent();
    expect(JSON.parse((await resumed.waitForEvents(3))[2].data!).consentId).toBe(fifth.consentId);
    await resumed.close();

    // `after` does the same for a first connection.
    const fromQuery = await openStream(`${url}?after=${afterResume[1].id}`, bearer('introspect'));
    expect(JSON.parse((await fromQuery.waitForEvents(1))[0].data!).consentId).toBe(fifth.consentId);
    await fromQuery.close();
  });

  it('refuses a malformed Last-Event-ID with problem+json and strangers with 401, and answers HEAD without a stream', async () => {
    const bad = await ledger.http.get('/v1/revocations/stream', { ...bearer('introspect'), 'last-event-id': 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_last_event_id');
    const stranger = await ledger.asRole(undefined).get('/v1/revocations/stream');
    expect(stranger.status).toBe(401);
    const head = await ledger.http.request('HEAD', '/v1/revocations/stream', undefined, bearer('introspect'));
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('text/event-stream');
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
