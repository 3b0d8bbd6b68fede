/**
 * Revocations reach Kafka, and a resource service's cache hears them: the service over HTTP with a real broker
 * ($KAFKA_BROKERS from scripts/with-kafka.sh, or a broker of its own).
 */
import { randomUUID } from 'node:crypto';
import { hashToken, userKey } from '@ledger/domain';
import { RevocationEventV2, toRevocationEvent } from '@ledger/revocations';
import { waitUntil } from '@ledger/testing';
import { cloudEventHeaderViolations, contractV2Violations, contractViolations } from '../libs/revocations/src/testing/revocation-contract';
import { RevocationClient, RevocationMessage, tokenHash } from '@ledger/revocation-client';
import { consentWithTokens, uid } from './support/consent-fixtures';
import { KafkaBroker } from './support/kafka-broker';
import { bearer, clientBasic, ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';
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

  it('every revocation goes out on the v2 topic too, with the same eventId and key, in the v2 schema', async () => {
    const v1 = new RevocationTopicReader(brokers, topic);
    const v2 = new RevocationTopicReader(brokers, `${topic}.v2`);
    await Promise.all([v1.start(), v2.start()]);
    try {
      const { clientId, userId, consentId, tokens } = await consentWithTokens(ledger.http, scopes, 2);
      expect((await steps.revokeToken(tokens[0].token_id)).status).toBe(200);
      expect((await steps.revoke(consentId, { scopes: ['email'] })).status).toBe(200);
      expect((await ledger.http.post(`/v1/clients/${clientId}/disable`, { reason: 'compromised' })).status).toBe(200);
      const sent = await Promise.all(['token.revoked', 'consent.scopes_revoked'].map((type) => v1.waitFor((r) => r.value.consentId === consentId && r.value.type === type)));
      sent.push(await v1.waitFor((r) => r.value.type === 'client.disabled' && r.value.clientId === clientId));
      const heard = await Promise.all(sent.map((r) => v2.waitFor((x) => x.value.eventId === r.value.eventId)));
      for (const [i, record] of heard.entries()) {
        expect(contractV2Violations(record.value)).toEqual([]);
        expect({ key: record.key, type: record.headers.ce_type, subject: record.headers.ce_subject }).toEqual({ key: sent[i].key, type: sent[i].headers.ce_type, subject: sent[i].headers.ce_subject });
        expect(record.headers.ce_dataschema).toBe('urn:consent-ledger:revocation-event:v2');
        for (const t of tokens) expect(record.raw).not.toContain(t.access_token);
      }
      const [single, partial, disabled] = heard.map((r) => r.value as unknown as RevocationEventV2);
      expect(single.subject).toEqual({ kind: 'token', tokenId: tokens[0].token_id, tokenHash: hashToken(tokens[0].access_token), consentId, userId, clientId });
      expect({ subject: partial.subject, ends: partial.ends, remainingScopes: partial.remainingScopes }).toEqual({ subject: { kind: 'consent', consentId, userId, clientId }, ends: { carryingAnyOf: ['email'] }, remainingScopes: ['openid', 'profile'] });
      expect({ subject: disabled.subject, ends: disabled.ends }).toEqual({ subject: { kind: 'client', clientId }, ends: { all: true } });
    } finally {
      await Promise.all([v1.stop(), v2.stop()]);
    }
  });

  it('an erasure goes out on v2 only, as user.erased named by the userKey and keyed by it, and names the user nowhere', async () => {
    const v1 = new RevocationTopicReader(brokers, topic);
    const v2 = new RevocationTopicReader(brokers, `${topic}.v2`);
    await Promise.all([v1.start(), v2.start()]);
    try {
      const { userId, consentId } = await consentWithTokens(ledger.http, scopes, 1);
      expect((await steps.revoke(consentId)).status).toBe(200);
      const erased = await ledger.http.post(`/v1/users/${encodeURIComponent(userId)}/erase`, {});
      expect(erased.status).toBe(200);
      const notice = await v2.waitFor((r) => r.value.type === ('user.erased' as never));
      expect(contractV2Violations(notice.value)).toEqual([]);
      expect((notice.value as unknown as RevocationEventV2).subject).toEqual({ kind: 'erased_user', userKey: userKey(userId), pseudonym: erased.body.pseudonym });
      expect(notice.key).toBe(userKey(userId));
      expect(notice.raw).not.toContain(userId);
      // The consent revocation before it came out on both topics; the notice on v1 never does (its schema names users).
      await v1.waitFor((r) => r.value.consentId === consentId);
      expect(v1.received.filter((r) => r.headers.ce_id === notice.headers.ce_id)).toEqual([]);
    } finally {
      await Promise.all([v1.stop(), v2.stop()]);
    }
  });

  it("a refresh token's reuse goes out as token.family_revoked on v1 and as the consent with ends.inFamily on v2", async () => {
    const v1 = new RevocationTopicReader(brokers, topic);
    const v2 = new RevocationTopicReader(brokers, `${topic}.v2`);
    await Promise.all([v1.start(), v2.start()]);
    try {
      const clientId = `kafka-rt-${uid()}`;
      const userId = `user-${uid()}`;
      expect((await steps.registerClient(clientId)).status).toBe(201);
      const secret = (await steps.createSecret(clientId)).body.secret;
      const consentId = (await ledger.http.post('/v1/consents', { userId, clientId, scopes: ['openid'], allowsRefresh: true })).body.id;
      const issued = (await steps.issue(consentId)).body;
      const refresh = () => ledger.asRole(undefined).form('/v1/oauth2/token', { grant_type: 'refresh_token', refresh_token: issued.refresh_token }, clientBasic(clientId, secret));
      const next = (await refresh()).body;
      expect((await refresh()).body.error).toBe('invalid_grant');

      const stored = (await ledger.events()).find((e) => e.type === 'RefreshTokenFamilyRevoked' && e.data.consentId === consentId)!;
      const one = await v1.waitFor((r) => r.value.eventId === stored.id);
      const two = await v2.waitFor((r) => r.value.eventId === stored.id);
      expect(one.value).toMatchObject({ type: 'token.family_revoked', consentId, userId, clientId, tokenIds: [], tokenHashes: [], reason: 'refresh_token_reused' });
      expect(one.key).toBe(userId);
      expect(contractViolations(one.value)).toEqual([]);
      expect(cloudEventHeaderViolations(one.headers, one.value)).toEqual([]);
      expect(two.value).toMatchObject({ subject: { kind: 'consent', consentId, userId, clientId }, ends: { inFamily: stored.data.familyId } });
      expect(contractV2Violations(two.value)).toEqual([]);
      for (const raw of [one.raw, two.raw]) for (const t of [issued.access_token, issued.refresh_token, next.access_token, next.refresh_token]) expect(raw).not.toContain(t);
      // The rotation before it ended a refresh token, which no resource service holds: nothing was published for it.
      expect(v1.received.filter((r) => r.value.consentId === consentId).map((r) => r.value.type)).toEqual(['token.family_revoked']);
    } finally {
      await Promise.all([v1.stop(), v2.stop()]);
    }
  });

  it("a root's revocation goes out with its cascade: each dependent consent on v1 (the dependent client's pair) and with its dependencyPath on v2", async () => {
    const v1 = new RevocationTopicReader(brokers, topic);
    const v2 = new RevocationTopicReader(brokers, `${topic}.v2`);
    await Promise.all([v1.start(), v2.start()]);
    try {
      const n = uid();
      const [web, transfer, userId] = [`kafka-web-${n}`, `kafka-transfer-${n}`, `user-${n}`];
      for (const c of [web, transfer]) expect((await steps.registerClient(c)).status).toBe(201);
      const secret = (await steps.createSecret(transfer)).body.secret;
      expect((await ledger.http.post(`/v1/clients/${transfer}/served-scopes`, { scope: `transfer:all:${n}` })).status).toBe(201);
      const granted = (await ledger.http.post('/v1/consents', { userId, clientId: web, scopes: [`transfer:all:${n}[collection:${n}]`] })).body;
      const access = (await steps.issue(granted.id)).body.access_token;
      const exchanged = await ledger.asRole(undefined).form(
        '/v1/oauth2/token',
        { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: access, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', scope: `collection:${n}` },
        clientBasic(transfer, secret),
      );
      expect(exchanged.status).toBe(200);
      expect((await steps.revoke(granted.id)).status).toBe(200);

      const events = (await ledger.events()).filter((e) => e.data.consentId === granted.id);
      const root = events.find((e) => e.type === 'ConsentRevoked')!;
      const cascade = events.find((e) => e.type === 'DependentConsentRevoked')!;
      const [rootV1, cascadeV1] = await Promise.all([v1.waitFor((r) => r.value.eventId === root.id), v1.waitFor((r) => r.value.eventId === cascade.id)]);
      const [rootV2, cascadeV2] = await Promise.all([v2.waitFor((r) => r.value.eventId === root.id), v2.waitFor((r) => r.value.eventId === cascade.id)]);
      expect(rootV1.value).toMatchObject({ type: 'consent.revoked', consentId: granted.id, userId, clientId: web });
      expect(cascadeV1.value).toMatchObject({ type: 'consent.revoked', consentId: granted.id, userId, clientId: transfer, scopes: [`collection:${n}`] });
      expect(cascadeV1.key).toBe(userId);
      for (const r of [rootV1, cascadeV1]) expect(contractViolations(r.value)).toEqual([]);
      expect(rootV2.value).toMatchObject({ subject: { kind: 'consent', consentId: granted.id, clientId: web }, ends: { all: true }, dependencyPath: [granted.id] });
      expect(cascadeV2.value).toMatchObject({ subject: { kind: 'consent', consentId: granted.id, clientId: transfer }, dependencyPath: granted.dependents[0].dependencyPath });
      for (const r of [rootV2, cascadeV2]) expect(contractV2Violations(r.value)).toEqual([]);
      for (const raw of [rootV1.raw, cascadeV1.raw, rootV2.raw, cascadeV2.raw]) expect(raw).not.toContain(exchanged.body.access_token);
    } finally {
      await Promise.all([v1.stop(), v2.stop()]);
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

  it('a user-wide revocation is ONE record keyed by the user, and the revocation-client evicts every cached token of the user', async () => {
    const reader = new RevocationTopicReader(brokers, topic);
    await reader.start();
    const applied: RevocationMessage[] = [];
    const client = new RevocationClient({
      introspectionUrl: `${ledger.url}/v1/oauth2/introspect`,
      headers: bearer('introspect'),
      kafka: { brokers, topic, groupId: `resource-${uid()}`, onEvent: (event, fresh) => fresh && applied.push(event) },
    });
    await client.start();
    try {
      const userId = `user-${uid()}`;
      const tokens: string[] = [];
      for (const clientId of [`app-${uid()}`, `app-${uid()}`]) {
        expect((await steps.registerClient(clientId)).status).toBe(201);
        const consent = await steps.grant(userId, clientId, ['openid']);
        tokens.push((await steps.issue(consent.body.id)).body.access_token);
      }
      const bystander = (await consentWithTokens(ledger.http, ['openid'], 1)).tokens[0].access_token;
      for (const t of [...tokens, bystander]) expect(await client.introspect(t)).toMatchObject({ active: true });

      expect((await ledger.http.post(`/v1/users/${userId}/revoke`, { reason: 'account deleted' })).status).toBe(200);
      const record = await reader.waitFor((r) => r.value.userId === userId);
      expect(record.key).toBe(userId);
      expect(record.value).toMatchObject({ type: 'user.consents_revoked', consentId: null, clientId: null, reason: 'account deleted' });
      expect(contractViolations(record.value)).toEqual([]);
      expect(cloudEventHeaderViolations(record.headers, record.value)).toEqual([]);
      await waitUntil(() => applied.some((e) => e.type === 'user.consents_revoked' && e.userId === userId), { timeoutMs: 30_000 });
      for (const t of tokens) expect(client.cache.peek(tokenHash(t))).toBeUndefined();
      expect(client.cache.peek(tokenHash(bystander))).toMatchObject({ active: true });
      expect(await client.introspect(tokens[0])).toEqual({ active: false });

      // The fan-out's ConsentRevoked per consent goes out as nothing more: past them, the user has one record.
      await waitUntil(async () => (await ledger.http.get(`/v1/users/${userId}/consents`)).body.consents.length === 0, { timeoutMs: 10_000 });
      const marker = await consentWithTokens(ledger.http, ['openid'], 0);
      expect((await steps.revoke(marker.consentId)).status).toBe(200);
      await reader.waitFor((r) => r.value.consentId === marker.consentId);
      expect(reader.received.filter((r) => r.value.userId === userId).map((r) => r.value.type)).toEqual(['user.consents_revoked']);

      // The ledger-wide not-before: one record without a key; the client evicts everything.
      const set = await ledger.http.post('/v1/not-before', { reason: 'incident' });
      expect(set.status).toBe(200);
      const ledgerWide = await reader.waitFor((r) => r.value.type === 'ledger.not_before' && r.value.reason === 'incident');
      expect({ key: ledgerWide.key, subject: ledgerWide.headers.ce_subject, notBefore: ledgerWide.value.notBefore }).toEqual({ key: null, subject: 'ledger', notBefore: set.body.notBefore });
      expect(contractViolations(ledgerWide.value)).toEqual([]);
      await waitUntil(() => applied.some((e) => e.type === 'ledger.not_before'), { timeoutMs: 30_000 });
      expect(client.cache.peek(tokenHash(bystander))).toBeUndefined();
      expect(await client.introspect(bystander)).toEqual({ active: false });
    } finally {
      await client.stop();
      await reader.stop();
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
