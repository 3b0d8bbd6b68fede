/**
 * A rolling upgrade fails closed downstream too (issue #17: "the Kafka and Shared Signals contracts follow the same
 * rule"). An older build that does not know ConsentScopesRevoked (LEDGER_TEST_UNKNOWN_EVENT_TYPES) holds the publisher
 * lease beside a newer build, on the wire-level EventStoreDB test server and a real Kafka broker. When the newer build
 * revokes a scope, the older one must neither skip that revocation on Kafka (its checkpoint would pass it, and the
 * upgraded build resuming there would never publish it) nor stream its SSE subscribers past it. It stops at it; once
 * it is gone, the newer build publishes from the shared checkpoint, the skipped-over revocation first.
 */
import { randomUUID } from 'node:crypto';
import { waitUntil } from '@ledger/testing';
import { PublisherUnderLease } from '../apps/ledger/src/revocations/publisher-under-lease';
import { consentWithToken } from './support/consent-fixtures';
import { EsdbTestServer, startEsdbTestServer } from './support/esdb-test-server';
import { KafkaBroker } from './support/kafka-broker';
import { bearer, httpClient, ledgerSteps, RunningLedger, startLedger, tempDataDir, TEST_API_KEYS } from './support/ledger-app';
import { externalBrokers, RevocationTopicReader, waitForTopic } from './support/revocation-topic';

/** The text of an SSE stream as it arrives, until aborted. */
function openStream(url: string, lastEventId?: string): { text: () => string; status: Promise<number>; stop: () => void } {
  const controller = new AbortController();
  let text = '';
  const headers: Record<string, string> = { accept: 'text/event-stream', ...bearer('introspect') };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const status = fetch(`${url}/v1/revocations/stream`, { headers, signal: controller.signal }).then((res) => {
    const decoder = new TextDecoder();
    void (async () => {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    })().catch(() => undefined);
    return res.status;
  });
  return { text: () => text, status, stop: () => controller.abort() };
}

describe('an older build that meets an event type it does not know, while it publishes revocations', () => {
  let server: EsdbTestServer;
  let broker: KafkaBroker | undefined;
  let brokers: string[];
  const dirs = [tempDataDir(), tempDataDir()];
  let older: RunningLedger | undefined;
  let newer: RunningLedger | undefined;
  const topic = `revocations-unknown-${randomUUID()}`;

  beforeAll(async () => {
    server = await startEsdbTestServer();
    brokers = externalBrokers() ?? (broker = await KafkaBroker.start()).brokers;
  }, 300_000);
  afterAll(async () => {
    await older?.close();
    await newer?.close();
    dirs.forEach((d) => d.remove());
    await server?.stop();
    await broker?.destroy();
  }, 60_000);

  it('stops its Kafka publishing and its SSE feed at the event, and the newer build publishes it in order afterwards', async () => {
    const env = {
      EVENTSTORE_CONNECTION_STRING: server.connectionString,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_REVOCATIONS_TOPIC: topic,
      LEDGER_LEASE_TTL_MS: '3000',
      LEDGER_LEASE_RENEW_MS: '500',
      LOG_LEVEL: 'fatal',
    };
    older = await startLedger({ dataDir: dirs[0].dir, env: { ...env, LEDGER_TEST_UNKNOWN_EVENT_TYPES: 'ConsentScopesRevoked' } });
    const olderPublisher = older.app.get(PublisherUnderLease);
    await waitUntil(async () => (olderPublisher.isLeader() ? true : undefined), { what: 'the older build holds the publisher lease', timeoutMs: 30_000 });
    await waitForTopic(brokers, topic);
    newer = await startLedger({ dataDir: dirs[1].dir, env });
    const newerPublisher = newer.app.get(PublisherUnderLease);
    expect(newerPublisher.isLeader()).toBe(false);
    const reader = new RevocationTopicReader(brokers, topic);
    await reader.start();
    const onOlder = openStream(older.url);
    expect(await onOlder.status).toBe(200);
    try {
      const steps = ledgerSteps(newer.http);
      const [first, scoped, last] = [await consentWithToken(newer.http, ['openid', 'email']), await consentWithToken(newer.http, ['openid', 'email']), await consentWithToken(newer.http, ['openid'])];
      expect((await steps.revoke(first.consentId)).status).toBe(200);
      const firstOut = await reader.waitFor((r) => r.value.consentId === first.consentId);
      await waitUntil(async () => (onOlder.text().includes(first.consentId) ? true : undefined), { what: 'the first revocation on the older build\'s SSE feed', timeoutMs: 30_000 });

      // The event the older build cannot read, and a revocation it could, after it.
      expect((await steps.revoke(scoped.consentId, { scopes: ['email'] })).status).toBe(200);
      expect((await steps.revoke(last.consentId)).status).toBe(200);

      // Kafka: the older build's publisher fails at the event, and so publishes nothing after it.
      const stopped = await waitUntil(async () => {
        const status = olderPublisher.status();
        return status.lastError?.includes('its type ConsentScopesRevoked is unknown to this build') ? status : undefined;
      }, { what: 'the older build\'s publisher stopped at the unknown event', timeoutMs: 30_000 });
      expect(stopped.role).toBe('leader');
      expect(stopped.position).toBeLessThan(Number.MAX_SAFE_INTEGER);
      expect(reader.received.filter((r) => r.value.consentId === last.consentId)).toEqual([]);

      // SSE: its subscribers are dropped at the event, told why, and new ones are refused.
      await waitUntil(async () => (onOlder.text().includes('event: dropped') ? true : undefined), { what: 'the older build\'s SSE subscriber dropped', timeoutMs: 30_000 });
      expect(onOlder.text()).toContain('feed_failed');
      expect(onOlder.text()).not.toContain(last.consentId);
      const refused = await fetch(`${older.url}/v1/revocations/stream`, { headers: { accept: 'text/event-stream', ...bearer('introspect') } });
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ code: 'event_unreadable' });

      // The older build is upgraded (it leaves); the newer one takes the lease and publishes from the checkpoint.
      await older.close();
      older = undefined;
      await waitUntil(async () => (newerPublisher.isLeader() ? true : undefined), { what: 'the newer build takes the publisher lease', timeoutMs: 30_000 });
      const scopedOut = await reader.waitFor((r) => r.value.consentId === scoped.consentId);
      const lastOut = await reader.waitFor((r) => r.value.consentId === last.consentId);
      expect(scopedOut.value.type).toBe('consent.scopes_revoked');
      expect(reader.received.indexOf(firstOut)).toBeLessThan(reader.received.indexOf(scopedOut));
      expect(reader.received.indexOf(scopedOut)).toBeLessThan(reader.received.indexOf(lastOut));

      // A client of the dropped feed resumes on the newer build with its Last-Event-ID and misses nothing.
      const resumed = openStream(newer.url, String(firstOut.value.position));
      try {
        expect(await resumed.status).toBe(200);
        await waitUntil(async () => (resumed.text().includes(last.consentId) ? true : undefined), { what: 'the resumed feed reaches the last revocation', timeoutMs: 30_000 });
        expect(resumed.text().indexOf(scoped.consentId)).toBeGreaterThan(-1);
        expect(resumed.text().indexOf(scoped.consentId)).toBeLessThan(resumed.text().indexOf(last.consentId));
      } finally {
        resumed.stop();
      }
    } finally {
      onOlder.stop();
      await reader.stop();
    }
  }, 180_000);
});

describe('an older build that meets an event type it does not know, while a Shared Signals receiver polls it', () => {
  const RECEIVER = 'partner-receiver-secret-0123456789';
  const POLL = 'urn:ietf:rfc:8936';
  const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
  let server: EsdbTestServer;
  const dirs = [tempDataDir(), tempDataDir()];
  let older: RunningLedger;
  let newer: RunningLedger;

  beforeAll(async () => {
    server = await startEsdbTestServer();
    const env = {
      EVENTSTORE_CONNECTION_STRING: server.connectionString,
      LEDGER_API_KEYS: `${TEST_API_KEYS},partner:receiver:${RECEIVER}`,
      LEDGER_SSF_RECEIVERS: 'partner=web',
      LOG_LEVEL: 'fatal',
    };
    older = await startLedger({ dataDir: dirs[0].dir, env: { ...env, LEDGER_TEST_UNKNOWN_EVENT_TYPES: 'ConsentScopesRevoked' } });
    newer = await startLedger({ dataDir: dirs[1].dir, env });
  }, 60_000);
  afterAll(async () => {
    await older?.close();
    await newer?.close();
    dirs.forEach((d) => d.remove());
    await server?.stop();
  });

  it('answers no poll past the event, and the newer build delivers it before what follows', async () => {
    const receiverOn = (l: RunningLedger) => httpClient(l.url, { authorization: `Bearer ${RECEIVER}` });
    const created = await receiverOn(newer).post('/v1/ssf/streams', { delivery: { method: POLL }, events_requested: [`${CAEP}session-revoked`, `${CAEP}token-claims-change`] });
    expect(created.status).toBe(201);
    const streamId = created.body.stream_id as string;
    expect((await receiverOn(newer).post('/v1/ssf/subjects/add', { stream_id: streamId, subject: { format: 'opaque', id: 'alice' } })).status).toBe(200);

    const steps = ledgerSteps(newer.http);
    expect((await steps.registerClient('web', ['openid', 'email'])).status).toBe(201);
    const grant = async (userId: string) => (await steps.grant(userId, 'web', ['openid', 'email'])).body.id as string;
    const scoped = await grant('alice');
    expect((await steps.revoke(scoped, { scopes: ['email'] })).status).toBe(200);
    const after = (await steps.grant('alice', 'web', ['openid'])).body.id as string;
    expect((await steps.revoke(after)).status).toBe(200);
    await waitUntil(async () => ((await older.http.get('/health/ready')).status === 503 ? true : undefined), { what: 'the older build not ready', timeoutMs: 30_000 });

    // The older build hands out nothing past the event, so no acknowledgement can move the stream past it.
    const refused = await receiverOn(older).post(`/v1/ssf/poll/${streamId}`, { returnImmediately: true });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'event_unreadable' });

    // The newer build: the scope revocation's SET first, then the consent revocation's.
    const polled = await receiverOn(newer).post(`/v1/ssf/poll/${streamId}`, { returnImmediately: true });
    expect(polled.status).toBe(200);
    const claims = Object.values(polled.body.sets as Record<string, string>)
      .map((jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')))
      .sort((a, b) => a.log_position - b.log_position)
      .map((c) => Object.keys(c.events)[0]);
    expect(claims).toEqual([`${CAEP}token-claims-change`, `${CAEP}session-revoked`]);
  });
});
