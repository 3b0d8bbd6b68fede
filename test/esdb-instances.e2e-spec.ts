/**
 * Several ledger instances on one EventStoreDB: each keeps its own views from its own subscription, and exactly one
 * of them (the holder of the publisher lease) publishes revocations to Kafka.
 *
 * The store is the wire-level test server, or the real EventStoreDB in EVENTSTORE_CONNECTION_STRING for the
 * visibility tests (`npm run test:esdb`). The handover test always runs on a private test server: on a shared
 * database a long-running ledger (docker compose) may hold the publisher lease. It spawns the BUILT service
 * (`npm run build` first; `npm run test:ci` does) so that it can SIGKILL it, and uses a real Kafka broker
 * ($KAFKA_BROKERS from scripts/with-kafka.sh, or one of its own).
 */
import { randomUUID } from 'node:crypto';
import { createEsdbEventStore } from '@ledger/event-store/esdb/esdb-event-store';
import { leaseStream, parseLeaseRecord, StoredEvent } from '@ledger/event-store';
import { toRevocationEvent } from '@ledger/revocations';
import { waitUntil } from '@ledger/testing';
import { PUBLISHER_LEASE, PublisherUnderLease } from '../apps/ledger/src/revocations/publisher-under-lease';
import { EsdbTestServer, startEsdbTestServer } from './support/esdb-test-server';
import { KafkaBroker } from './support/kafka-broker';
import { consentWithToken } from './support/consent-fixtures';
import { Http, ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';
import { LedgerProcess, spawnLedger } from './support/ledger-process';
import { externalBrokers, RevocationTopicReader, waitForTopic } from './support/revocation-topic';

const scopes = ['openid', 'email'];

describe('two ledger instances on one EventStoreDB', () => {
  let server: EsdbTestServer | undefined;
  let connectionString: string;
  const dirs: Array<ReturnType<typeof tempDataDir>> = [];
  let a: RunningLedger;
  let b: RunningLedger;

  beforeAll(async () => {
    connectionString = process.env.EVENTSTORE_CONNECTION_STRING ?? (server = await startEsdbTestServer()).connectionString;
    const env = { EVENTSTORE_CONNECTION_STRING: connectionString };
    dirs.push(tempDataDir(), tempDataDir());
    a = await startLedger({ dataDir: dirs[0].dir, env });
    b = await startLedger({ dataDir: dirs[1].dir, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    dirs.forEach((d) => d.remove());
    await server?.stop();
  });

  it('keeps views per instance: what one instance decides becomes visible on the other', async () => {
    const { consentId, token: { access_token: token } } = await consentWithToken(a.http, scopes);
    // Read-your-writes on A: its own views answer at once.
    expect((await a.http.get(`/v1/consents/${consentId}`)).body).toMatchObject({ id: consentId, status: 'active' });

    // On B: eventually, through B's own subscription and B's own view database.
    await waitUntil(async () => {
      const res = await b.http.get(`/v1/consents/${consentId}`);
      return res.status === 200 && res.body.status === 'active' ? res.body : undefined;
    }, { what: 'consent visible on B', timeoutMs: 30_000 });
    await waitUntil(async () => ((await ledgerSteps(b.http).introspect(token)).body.active === true ? true : undefined), { what: 'token active on B', timeoutMs: 30_000 });

    // The other way round: revoked through B, A's introspection follows.
    expect((await ledgerSteps(b.http).revoke(consentId)).status).toBe(200);
    expect((await ledgerSteps(b.http).introspect(token)).body).toEqual({ active: false });
    await waitUntil(async () => ((await ledgerSteps(a.http).introspect(token)).body.active === false ? true : undefined), { what: 'token inactive on A', timeoutMs: 30_000 });
    expect(a.dataDir).not.toBe(b.dataDir);
  });

  it('measures and reports how far each instance is behind the store, in events and ms', async () => {
    for (let i = 0; i < 3; i++) await consentWithToken(a.http, scopes);
    const lag = await b.projection.lag();
    expect(lag.events).toBeGreaterThanOrEqual(0);
    expect(lag.ms).toBeGreaterThanOrEqual(0);
    // Once B has caught up, its readiness body says so with a lag of zero.
    const ready = await waitUntil(async () => {
      const res = await b.http.get('/health/ready');
      return res.status === 200 && res.body.details.projection.lagEvents === 0 ? res.body : undefined;
    }, { what: 'B ready at lag 0', timeoutMs: 30_000 });
    expect(ready.details.projection).toMatchObject({ caughtUp: true, lagEvents: 0, lagMs: 0 });
    expect((await b.projection.lag()).events).toBe(0);
  });

  it('counts the events a stopped subscription has not applied, not the distance between positions', async () => {
    await b.projection.stop();
    try {
      const before = await b.projection.lag();
      await consentWithToken(a.http, scopes); // RegisterClient, ConsentGranted, TokenIssued
      const after = await b.projection.lag();
      // Exactly these three on a private store; a shared real database may have other writers.
      if (server) expect(after.events - before.events).toBe(3);
      else expect(after.events - before.events).toBeGreaterThanOrEqual(3);
      expect(after.ms).toBeGreaterThanOrEqual(0);
      const ready = await b.http.get('/health/ready');
      expect(ready.body.details.projection).toMatchObject({ lagEvents: after.events });
    } finally {
      b.projection.start();
    }
    await waitUntil(async () => ((await b.projection.lag()).events === 0 ? true : undefined), { what: 'B caught up again', timeoutMs: 30_000 });
  });
});

describe('revocation publishing across instances (real Kafka broker)', () => {
  let server: EsdbTestServer;
  let broker: KafkaBroker | undefined;
  let brokers: string[];
  const dirs: Array<ReturnType<typeof tempDataDir>> = [];
  let first: LedgerProcess | undefined;
  let second: RunningLedger | undefined;
  const topic = `revocations-handover-${randomUUID()}`;

  beforeAll(async () => {
    server = await startEsdbTestServer();
    brokers = externalBrokers() ?? (broker = await KafkaBroker.start()).brokers;
  }, 300_000);
  afterAll(async () => {
    await first?.kill();
    await second?.close();
    dirs.forEach((d) => d.remove());
    await server?.stop();
    await broker?.destroy();
  }, 60_000);

  it('killing the publishing instance hands publishing to the survivor with nothing lost', async () => {
    // A short lease so that the survivor takes over within seconds of the kill.
    const env = {
      EVENTSTORE_CONNECTION_STRING: server.connectionString,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_REVOCATIONS_TOPIC: topic,
      LEDGER_LEASE_TTL_MS: '4000',
      LEDGER_LEASE_RENEW_MS: '500',
    };
    const observer = createEsdbEventStore(server.connectionString);
    const reader = new RevocationTopicReader(brokers, topic);
    try {
      dirs.push(tempDataDir(), tempDataDir());
      first = await spawnLedger({ dataDir: dirs[0].dir, env });
      // The first instance is alone: it takes the lease and starts publishing (it creates the topic).
      const holder = await waitUntil(async () => {
        const [last] = await observer.readStream(leaseStream(PUBLISHER_LEASE), { direction: 'backwards', maxCount: 1 });
        return last && parseLeaseRecord(last.data)?.holder;
      }, { what: 'first instance holds the lease', timeoutMs: 30_000 });
      await waitForTopic(brokers, topic);
      second = await startLedger({ dataDir: dirs[1].dir, env });
      const survivor = second.app.get(PublisherUnderLease);
      expect(survivor.isLeader()).toBe(false);
      await reader.start();

      // Revocations through both instances while the first one publishes.
      const revoke = async (http: Http) => {
        const c = await consentWithToken(http, scopes);
        expect((await ledgerSteps(http).revoke(c.consentId)).status).toBe(200);
      };
      for (let i = 0; i < 6; i++) await revoke(i % 2 === 0 ? first.http : second.http);
      await waitUntil(async () => (reader.received.length >= 6 ? true : undefined), { what: 'first revocations on Kafka', timeoutMs: 30_000 });

      // Kill it in the middle of more work: no shutdown hook, no release of the lease, no last checkpoint.
      const more = (async () => {
        for (let i = 0; i < 6; i++) await revoke(second!.http);
      })();
      await first.kill();
      await more;
      for (let i = 0; i < 4; i++) await revoke(second.http);

      await waitUntil(async () => (survivor.isLeader() ? true : undefined), { what: 'survivor takes the lease', timeoutMs: 30_000 });
      const [last] = await observer.readStream(leaseStream(PUBLISHER_LEASE), { direction: 'backwards', maxCount: 1 });
      const record = parseLeaseRecord(last.data)!;
      expect(record.holder).not.toBe(holder);
      expect(record.term).toBeGreaterThan(1);

      // Every revocation in the log reaches the topic: the ones the first instance published, the ones it had not
      // acknowledged when it died, and the ones after.
      const log: StoredEvent[] = [];
      for await (const e of observer.readAll()) log.push(e);
      const expected = log.map(toRevocationEvent).filter((r) => r !== undefined).map((r) => r!.eventId);
      expect(expected.length).toBeGreaterThanOrEqual(16);
      await reader.waitForAll(expected);
      expect(new Set(reader.received.map((r) => r.value.eventId))).toEqual(new Set(expected));
    } finally {
      await reader.stop();
      await observer.close();
    }
  }, 180_000);
});
