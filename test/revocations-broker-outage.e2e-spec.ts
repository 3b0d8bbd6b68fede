/**
 * No revocation is lost when Kafka or the ledger fails, and a broker outage takes no instance out of rotation. Owns
 * its broker, because it stops and crashes it. The cases that spawn the service run the BUILT service (npm run build
 * first; the README's test line does).
 */
import { toRevocationEvent, RevocationEventV1 } from '@ledger/revocations';
import { consentWithToken, uid } from './support/consent-fixtures';
import { KafkaBroker } from './support/kafka-broker';
import { bearer, httpClient, ledgerSteps, startLedger, tempDataDir, TEST_API_KEYS } from './support/ledger-app';
import { spawnLedger } from './support/ledger-process';
import { RevocationTopicReader, waitForTopic } from './support/revocation-topic';

let broker: KafkaBroker;

beforeAll(async () => {
  broker = await KafkaBroker.start();
}, 300_000);

afterAll(async () => {
  await broker?.destroy();
}, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(100);
  }
}

/** The service's log lines (pino JSON), from `since` on; anything else it printed is left out. */
function logLines(output: string, since: Date): Array<Record<string, any>> {
  const lines: Array<Record<string, any>> = [];
  for (const text of output.split('\n')) {
    try {
      const line = JSON.parse(text);
      if (typeof line.level === 'string' && new Date(line.time) >= since) lines.push(line);
    } catch {
      /* not a log line */
    }
  }
  return lines;
}

/** Every revocation in the log, mapped to the contract, per user in log order. */
function expectedPerUser(events: Awaited<ReturnType<Awaited<ReturnType<typeof startLedger>>['events']>>): Map<string, RevocationEventV1[]> {
  const perUser = new Map<string, RevocationEventV1[]>();
  for (const e of events) {
    const r = toRevocationEvent(e);
    // Keyed as the Kafka record is: by user (this test revokes no client).
    if (r) perUser.set(r.userId ?? r.clientId ?? '', [...(perUser.get(r.userId ?? r.clientId ?? '') ?? []), r]);
  }
  return perUser;
}

describe('revocations survive failures', () => {
  it('a broker crash during a burst of revocations loses none, and each user keeps their order', async () => {
    const topic = `outage-${uid()}`;
    const data = tempDataDir();
    // fatal: the outage makes the publisher log each failed attempt, which is right but noisy here.
    const ledger = await startLedger({ dataDir: data.dir, env: { KAFKA_BROKERS: broker.brokers.join(','), KAFKA_REVOCATIONS_TOPIC: topic, LOG_LEVEL: 'fatal' } });
    const steps = ledgerSteps(ledger.http);
    try {
      await waitForTopic(broker.brokers, topic);
      const clientId = `app-${uid()}`;
      expect((await steps.registerClient(clientId)).status).toBe(201);
      const users = Array.from({ length: 30 }, (_, i) => `user-${i}-${uid()}`);
      const setup = await Promise.all(
        users.map(async (userId) => {
          const consent = await steps.grant(userId, clientId, ['openid', 'email', 'profile']);
          const first = await steps.issue(consent.body.id, ['openid']);
          await steps.issue(consent.body.id, ['email']);
          return { consentId: consent.body.id as string, firstTokenId: first.body.token_id as string };
        }),
      );

      // Per user, three revocations that must arrive in this order: one token, one scope, the rest of the consent.
      let done = 0;
      const burst = Promise.all(
        setup.map(async ({ consentId, firstTokenId }) => {
          for (const call of [
            () => steps.revokeToken(firstTokenId),
            () => steps.revoke(consentId, { scopes: ['email'] }),
            () => steps.revoke(consentId),
          ]) {
            expect((await call()).status).toBe(200);
            done += 1;
            await new Promise((r) => setTimeout(r, 5));
          }
        }),
      );
      while (done < 20) await new Promise((r) => setTimeout(r, 2));
      await broker.kill();
      await burst;
      expect(ledger.app.get((await import('@ledger/revocations')).KafkaRevocationPublisher).status().position).toBeLessThan(await ledger.store.headPosition());
      await broker.restart();

      const expected = expectedPerUser(await ledger.events());
      expect([...expected.values()].flat()).toHaveLength(users.length * 3);
      const reader = new RevocationTopicReader(broker.brokers, topic);
      await reader.start();
      try {
        await reader.waitForAll([...expected.values()].flat().map((e) => e.eventId), 90_000);
        // At-least-once: a batch in flight at the crash may come twice. Deduped by eventId, each user's sequence is
        // exactly the log's.
        const arrived = new Map<string, RevocationEventV1[]>();
        const seen = new Set<string>();
        for (const { value } of reader.received) {
          if (seen.has(value.eventId)) continue;
          seen.add(value.eventId);
          arrived.set(value.userId ?? value.clientId ?? '', [...(arrived.get(value.userId ?? value.clientId ?? '') ?? []), value]);
        }
        for (const userId of users) {
          expect({ userId, events: arrived.get(userId) }).toEqual({ userId, events: expected.get(userId) });
          expect(arrived.get(userId)!.map((e) => e.type)).toEqual(['token.revoked', 'consent.scopes_revoked', 'consent.revoked']);
        }
      } finally {
        await reader.stop();
      }
    } finally {
      await ledger.close();
      data.remove();
    }
  }, 180_000);

  it('a broker outage keeps the instance ready and answering: the publisher is reported down, and its change logged once', async () => {
    const topic = `ready-${uid()}`;
    const data = tempDataDir();
    // info: the log is part of what is checked (one warn when the publisher goes down, one info when it is back).
    const env = { KAFKA_BROKERS: broker.brokers.join(','), KAFKA_REVOCATIONS_TOPIC: topic, LEDGER_API_KEYS: TEST_API_KEYS, LOG_LEVEL: 'info' };
    const service = await spawnLedger({ dataDir: data.dir, env });
    // Probes call without credentials, as load balancers and orchestrators do.
    const probe = httpClient(service.url);
    try {
      const steps = ledgerSteps(service.http);
      await waitForTopic(broker.brokers, topic);
      await until('publisher up', async () => (await probe.get('/health/publisher')).status === 200);
      const clientId = `app-${uid()}`;
      await steps.registerClient(clientId);
      const consent = await steps.grant(`user-${uid()}`, clientId, ['openid', 'email']);
      const revokedIssue = (await steps.issue(consent.body.id, ['openid'])).body;
      const revoked = revokedIssue.access_token as string;
      const kept = (await steps.issue(consent.body.id, ['email'])).body.access_token as string;

      const outage = new Date();
      await broker.stop();
      expect((await steps.revokeToken(revokedIssue.token_id)).status).toBe(200);
      // The publisher finds the broker gone when it tries to send that revocation.
      await until('publisher down', async () => (await probe.get('/health/publisher')).status === 503);
      const PROBES = 20;
      for (let i = 0; i < PROBES; i++) {
        const ready = await probe.get('/health/ready');
        expect({ status: ready.status, body: ready.body }).toMatchObject({
          status: 200,
          body: { status: 'ok', info: { store: { status: 'up' }, projection: { status: 'up' } }, error: {}, publisher: { status: 'down', role: 'leader' } },
        });
        const publisher = await probe.get('/health/publisher');
        expect({ status: publisher.status, body: publisher.body }).toMatchObject({ status: 503, body: { status: 'error', error: { publisher: { status: 'down' } } } });
        // The same facts /health/ready gives, no more.
        expect(Object.keys(publisher.body.details)).toEqual(['publisher']);
        expect(Object.keys(publisher.body.details.publisher).sort()).toEqual(Object.keys(ready.body.publisher).sort());
        expect((await steps.introspect(revoked)).body).toEqual({ active: false });
        expect((await steps.introspect(kept)).body).toMatchObject({ active: true });
        await sleep(50);
      }
      expect((await service.http.get('/metrics')).body).toMatch(/^ledger_publisher_healthy 0$/m);

      await broker.restart();
      await until('publisher up again', async () => (await probe.get('/health/publisher')).status === 200);
      const ready = await probe.get('/health/ready');
      expect({ status: ready.status, body: ready.body }).toMatchObject({ status: 200, body: { status: 'ok', publisher: { status: 'up' } } });
      expect((await service.http.get('/metrics')).body).toMatch(/^ledger_publisher_healthy 1$/m);
      expect(await service.stop()).toBe(0);

      // Over the whole outage, the probes logged one warn when the publisher went down and one info when it came
      // back, and not a single error. The publisher's own lines (context RevocationPublisher, one per failed
      // attempt to publish, however often anyone probes) are not the probes' business.
      const lines = logLines(service.output(), outage).filter((l) => l.context !== 'RevocationPublisher' && l.msg !== 'request completed');
      expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
      expect(lines.filter((l) => l.level === 'warn')).toEqual([expect.objectContaining({ context: 'Health', check: 'publisher' })]);
      expect(lines.filter((l) => l.context === 'Health' && l.level === 'info')).toEqual([expect.objectContaining({ check: 'publisher' })]);
    } finally {
      await service.kill();
      data.remove();
    }
  }, 180_000);

  it('a revocation appended but not yet published when the service is SIGKILLed is published after the restart', async () => {
    const topic = `crash-${uid()}`;
    const data = tempDataDir();
    const env = { KAFKA_BROKERS: broker.brokers.join(','), KAFKA_REVOCATIONS_TOPIC: topic, LEDGER_API_KEYS: TEST_API_KEYS, LOG_LEVEL: 'fatal' };
    let service = await spawnLedger({ dataDir: data.dir, env });
    try {
      const http = httpClient(service.url, bearer('admin'));
      const steps = ledgerSteps(http);
      await waitForTopic(broker.brokers, topic);
      const { consentId, token } = await consentWithToken(http, ['openid']);

      // With the broker away the publisher cannot publish: the append is acknowledged, the message is not sent.
      await broker.stop();
      const revoked = await steps.revoke(consentId);
      expect(revoked.status).toBe(200);
      expect((await steps.introspect(token.access_token)).body).toEqual({ active: false });
      await service.kill();

      await broker.restart();
      service = await spawnLedger({ dataDir: data.dir, env });
      const reader = new RevocationTopicReader(broker.brokers, topic);
      await reader.start();
      try {
        const record = await reader.waitFor((r) => r.value.consentId === consentId, 60_000);
        // A consent revocation names no tokens (it ends every token of the consent issued before it).
        expect(record.value).toMatchObject({ type: 'consent.revoked', consentId, tokenIds: [] });
      } finally {
        await reader.stop();
      }
    } finally {
      await service.kill();
      data.remove();
    }
  }, 180_000);
});
