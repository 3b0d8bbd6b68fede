import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ChainedEventStore } from '@ledger/audit';
import { CommandExecutor } from '@ledger/commands';
import { clientDecider, clientStream, CommandMetadata, consentDecider, consentStreamFor, hashToken, parseConsentId } from '@ledger/domain';
import { EventStore, SqliteEventStore } from '@ledger/event-store';
import { createEsdbEventStore } from '@ledger/event-store/esdb/esdb-event-store';
import { ProjectionRunner, ViewStore } from '@ledger/projections';
import { toKafkaRecord, toRevocationEvent } from '@ledger/revocations';
import { startEsdbTestServer } from './support/esdb-test-server';
import { tempDataDir } from './support/ledger-app';

/**
 * A revocation is never refused for its size. When revocation events listed every token they ended, a consent with
 * about 8,000 live tokens made an event over EventStoreDB's 1 MiB append limit and Kafka's 1 MB message size. Here a
 * consent holds 20,000 live tokens: its revocation must succeed, stay small in the log and on Kafka, and leave every
 * one of them inactive on this instance when it is acknowledged.
 */
const TOKENS = 20_000;
const BATCH = 1_000;

const meta = (): CommandMetadata => ({ now: new Date(), actor: 'test', correlationId: 'large-revocation', initiator: 'user' });
const raw = (i: number) => `raw-${i}`;

type Adapter = () => Promise<{ store: EventStore; teardown(): Promise<void> }>;

function largeRevocation(name: string, adapter: Adapter) {
  describe(`A revocation of ${TOKENS} live tokens (${name})`, () => {
    const data = tempDataDir();
    let store: EventStore;
    let teardown: () => Promise<void>;
    let views: ViewStore;
    let runner: ProjectionRunner;
    let executor: CommandExecutor;

    beforeAll(async () => {
      ({ store, teardown } = await adapter());
      views = new ViewStore(join(data.dir, 'views.db'));
      runner = new ProjectionRunner(store, views);
      runner.start();
      executor = new CommandExecutor(new ChainedEventStore(store), runner);
    });
    afterAll(async () => {
      await runner.stop();
      await teardown();
      await views.close();
      data.remove();
    });

    it('succeeds, stays small in the log and on Kafka, and ends every token at once', async () => {
      const { state: client } = await executor.execute(clientStream('big-app'), clientDecider, { type: 'RegisterClient', data: { clientId: 'big-app', name: 'Big' } }, meta());
      const stream = consentStreamFor('big-user', 'big-app');
      const granted = await executor.execute(stream, consentDecider, { type: 'GrantConsent', data: { userId: 'big-user', clientId: 'big-app', scopes: ['openid', 'email'] }, context: { client } }, meta());
      if (granted.state.status === 'none') throw new Error('no consent');
      const { consentId } = granted.state;

      // The tokens go in as whole batches through the chained store: the same events IssueToken appends, faster.
      const chained = new ChainedEventStore(store);
      let revision = granted.revision;
      const now = Date.now();
      for (let first = 0; first < TOKENS; first += BATCH) {
        const events = Array.from({ length: BATCH }, (_, k) => {
          const i = first + k;
          const tokenId = `tok_${createHash('sha256').update(String(i)).digest('hex').slice(0, 32)}`;
          return {
            type: 'TokenIssued',
            data: { consentId, userId: 'big-user', clientId: 'big-app', tokenId, tokenHash: hashToken(raw(i)), scopes: ['openid'], issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 3_600_000).toISOString() },
            metadata: { actor: 'test', correlationId: 'seed' },
          };
        });
        revision = (await chained.append(stream, events, { expectedRevision: revision })).nextRevision;
      }
      await runner.waitFor(await store.headPosition(), 60_000);
      expect(views.tokens.token(hashToken(raw(TOKENS - 1)))?.active).toBe(true);

      const revoked = await executor.execute(stream, consentDecider, { type: 'RevokeConsent', data: { consent: parseConsentId(consentId)! } }, meta(), { priority: 'revocation' });
      expect(revoked.events).toHaveLength(1);
      expect(revoked.events[0]).toMatchObject({ type: 'ConsentRevoked', data: { tokensEnded: TOKENS } });

      const [stored] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
      expect(stored.type).toBe('ConsentRevoked');
      expect(JSON.stringify(stored.data).length).toBeLessThan(1_000);
      const record = toKafkaRecord(toRevocationEvent(stored)!);
      expect(record.value.length).toBeLessThan(1_000);

      // Acknowledged means this instance's views include it: every token is inactive now.
      for (let i = 0; i < TOKENS; i++) {
        const row = views.tokens.token(hashToken(raw(i)));
        if (row?.active !== false) throw new Error(`token ${i} still answers ${JSON.stringify(row)}`);
      }
    }, 180_000);
  });
}

largeRevocation('embedded SQLite', async () => {
  const dir = tempDataDir();
  const store = new SqliteEventStore({ file: join(dir.dir, 'events.db') });
  return { store, teardown: async () => { await store.close(); dir.remove(); } };
});

largeRevocation('EventStoreDB wire-level test server', async () => {
  const server = await startEsdbTestServer();
  const store = createEsdbEventStore(server.connectionString);
  return { store, teardown: async () => { await store.close(); await server.stop(); } };
});
