/**
 * Revocations reach Kafka, and a resource service's cache hears them: the service over HTTP with a real broker
 * ($KAFKA_BROKERS from scripts/with-kafka.sh, or a broker of its own).
 */
import { randomUUID } from 'node:crypto';
import { hashToken } from '@ledger/domain';
import { toRevocationEvent } from '@ledger/revocations';
import { waitUntil } from '@ledger/testing';
import { cloudEventHeaderViolations, contractViolations } from '../libs/revocations/src/testing/revocation-contract';
import { RevocationClient, RevocationMessage, tokenHash } from '@ledger/revocation-client';
import { consentWithTokens, uid } from './support/consent-fixtures';
import { KafkaBroker } from './support/kafka-broker';
import { bearer, ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';
import { externalBrokers, RevocationTopicReader, waitForTopic } from './support/revocation-topic';

let broker: KafkaBroker | undefined;
let brokers: string[];
let data: ReturnType<typeof tempDataDir>;
let ledger: RunningLedger;
let steps: ReturnType<typeof ledgerSteps>;
const topic = `revocations-e2e-${randomUUID()}`;
const scopes = ['openid', 'email', 'profile'];

beforeAll(async () => {
  brokers = externalBrokers() ?? (broker = await KafkaBroker.start()).brokers;
  data = tempDataDir();
  ledger = await startLedger({ dataDir: data.dir, env: { KAFKA_BROKERS: brokers.join(','), KAFKA_REVOCATIONS_TOPIC: topic } });
  steps = ledgerSteps(ledger.http);
  await waitForTopic(brokers, topic);
}, 300_000);

afterAll(async () => {
  await ledger?.close();
  data?.remove();
  await broker?.destroy();
}, 60_000);

describe('revocations on Kafka', () => {
  it('a revocation over HTTP arrives with every field right, CloudEvents headers, and hashes but no raw token', async () => {
    const reader = new RevocationTopicReader(brokers, topic);
    await reader.start();
    try {
      const { clientId, userId, consentId, tokens } = await consentWithTokens(ledger.http, scopes, 2);
      const revoked = await steps.revoke(consentId, { reason: 'user clicked revoke' });
      expect(revoked.status).toBe(200);

      const record = await reader.waitFor((r) => r.value.consentId === consentId);
      const stored = (await ledger.events()).find((e) => e.type === 'ConsentRevoked' && e.data.consentId === consentId)!;
      expect(record.value).toEqual({
        eventId: stored.id,
        type: 'consent.revoked',
        consentId,
        userId,
        clientId,
        scopes: [...scopes].sort(),
        // A consent revocation names no tokens: it ends every token of the consent issued before it.
        tokenIds: [],
        tokenHashes: [],
        revokedAt: stored.data.revokedAt,
        reason: 'user clicked revoke',
        position: stored.position,
      });
      expect(record.value).toEqual(toRevocationEvent(stored));
      expect(record.key).toBe(userId);
      expect(contractViolations(record.value)).toEqual([]);
      expect(cloudEventHeaderViolations(record.headers, record.value)).toEqual([]);
      expect(record.headers).toMatchObject({ ce_specversion: '1.0', ce_id: stored.id, ce_type: 'consent.revoked', ce_source: '/consent-ledger', ce_subject: consentId });
      const everything = record.raw + JSON.stringify(record.headers) + record.key;
      for (const t of tokens) expect(everything).not.toContain(t.access_token);
      expect(everything).not.toContain('endedTokens');
    } finally {
      await reader.stop();
    }
  });

  it('partial and single-token revocations follow the contract too', async () => {
    const reader = new RevocationTopicReader(brokers, topic);
    await reader.start();
    try {
      const { consentId, tokens } = await consentWithTokens(ledger.http, scopes, [['openid'], ['email'], undefined]);
      expect((await steps.revokeToken(tokens[0].token_id)).status).toBe(200);
      expect((await steps.revoke(consentId, { scopes: ['email'] })).status).toBe(200);
      const single = await reader.waitFor((r) => r.value.consentId === consentId && r.value.type === 'token.revoked');
      const partial = await reader.waitFor((r) => r.value.consentId === consentId && r.value.type === 'consent.scopes_revoked');
      expect(single.value).toMatchObject({ scopes: [], tokenIds: [tokens[0].token_id], tokenHashes: [hashToken(tokens[0].access_token)] });
      expect(single.headers.ce_subject).toBe(tokens[0].token_id);
      expect(partial.value).toMatchObject({ scopes: ['email'], tokenIds: [], tokenHashes: [] });
      expect(partial.value.position).toBeGreaterThan(single.value.position);
      for (const r of [single, partial]) {
        expect(contractViolations(r.value)).toEqual([]);
        expect(cloudEventHeaderViolations(r.headers, r.value)).toEqual([]);
      }
    } finally {
      await reader.stop();
    }
  });

  it('a restarted revocation-client consumer resumes from its committed offsets and applies what it missed', async () => {
    const groupId = `resource-${uid()}`;
    const applied: RevocationMessage[] = [];
    const delivered: RevocationMessage[] = [];
    const makeClient = (cache?: RevocationClient['cache']) =>
      new RevocationClient({
        introspectionUrl: `${ledger.url}/v1/oauth2/introspect`,
        headers: bearer('introspect'),
        cache,
        kafka: { brokers, topic, groupId, onEvent: (event, fresh) => (delivered.push(event), fresh && applied.push(event)) },
      });
    const [a, b, c] = [await consentWithTokens(ledger.http, scopes, 1), await consentWithTokens(ledger.http, scopes, 1), await consentWithTokens(ledger.http, scopes, 2)];
    const first = makeClient();
    await first.start();
    for (const t of [a.tokens[0], b.tokens[0], ...c.tokens]) expect(await first.introspect(t.access_token)).toMatchObject({ active: true });

    // Heard while running: evicted at once.
    await steps.revoke(a.consentId);
    await waitUntil(() => applied.some((e) => e.consentId === a.consentId), { timeoutMs: 30_000 });
    expect(first.cache.peek(tokenHash(a.tokens[0].access_token))).toBeUndefined();
    expect(await first.introspect(a.tokens[0].access_token)).toEqual({ active: false });
    await first.stop();

    // Made while it is down: the cache still holds the answers (nothing evicts them) ...
    applied.length = 0;
    delivered.length = 0;
    await steps.revoke(b.consentId);
    expect((await steps.revokeToken(c.tokens[0].token_id)).status).toBe(200);
    expect(first.cache.peek(tokenHash(b.tokens[0].access_token))).toMatchObject({ active: true });
    expect(first.cache.peek(tokenHash(c.tokens[0].access_token))).toMatchObject({ active: true });

    // ... until the group is back: it resumes after what it committed, neither from the start nor from the end.
    const second = makeClient(first.cache);
    await second.start();
    try {
      await waitUntil(() => applied.length >= 2, { timeoutMs: 30_000 });
      expect(applied.map((e) => e.type).sort()).toEqual(['consent.revoked', 'token.revoked']);
      // Not even delivered again: the offsets of what the first consumer applied were committed.
      expect(delivered.some((e) => e.consentId === a.consentId)).toBe(false);
      expect(second.cache.peek(tokenHash(b.tokens[0].access_token))).toBeUndefined();
      expect(second.cache.peek(tokenHash(c.tokens[0].access_token))).toBeUndefined();
      expect(second.cache.peek(tokenHash(c.tokens[1].access_token))).toMatchObject({ active: true });
      expect(await second.introspect(b.tokens[0].access_token)).toEqual({ active: false });
      expect(await second.introspect(c.tokens[0].access_token)).toEqual({ active: false });
    } finally {
      await second.stop();
    }
  });

  it('reports its progress for /metrics and /health', async () => {
    const { KafkaRevocationPublisher } = await import('@ledger/revocations');
    const publisher = ledger.app.get(KafkaRevocationPublisher);
    await waitUntil(async () => publisher.status().position === (await ledger.store.headPosition()), { timeoutMs: 30_000 });
    expect(publisher.status()).toMatchObject({ running: true, healthy: true, caughtUp: true, pending: 0, lagMs: 0, consecutiveFailures: 0 });
    expect(publisher.status().publishedTotal).toBeGreaterThanOrEqual(5);
    expect(await publisher.lagEvents()).toBe(0);
  });
});
