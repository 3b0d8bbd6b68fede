/**
 * No revocation is lost when Kafka or the ledger fails. Owns its broker, because it stops and crashes it.
 * The SIGKILL case runs the BUILT service (npm run build first; the README's test line does).
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

/** Every revocation in the log, mapped to the contract, per user in log order. */
function expectedPerUser(events: Awaited<ReturnType<Awaited<ReturnType<typeof startLedger>>['events']>>): Map<string, RevocationEventV1[]> {
  const perUser = new Map<string, RevocationEventV1[]>();
  for (const e of events) {
    const r = toRevocationEvent(e);
    if (r) perUser.set(r.userId, [...(perUser.get(r.userId) ?? []), r]);
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
          return { consentId: consent.body.id as string, firstToken: first.body.access_token as string };
        }),
      );

      // Per user, three revocations that must arrive in this order: one token, one scope, the rest of the consent.
      let done = 0;
      const burst = Promise.all(
        setup.map(async ({ consentId, firstToken }) => {
          for (const call of [
            () => ledger.http.form('/v1/oauth2/revoke', { token: firstToken }),
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
          arrived.set(value.userId, [...(arrived.get(value.userId) ?? []), value]);
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
        expect(record.value).toMatchObject({ type: 'consent.revoked', tokenIds: [token.token_id] });
      } finally {
        await reader.stop();
      }
    } finally {
      await service.kill();
      data.remove();
    }
  }, 180_000);
});
