import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ChainedEventStore, consentsAsOf, verifyLedger } from '@ledger/audit';
import { clientDecider, clientStream, CommandMetadata, consentDecider, consentStreamFor, DomainError, parseConsentId } from '@ledger/domain';
import { SqliteEventStore, StoredEvent } from '@ledger/event-store';
import { ProjectionRunner, ViewStore } from '@ledger/projections';
import { CommandExecutor } from '@ledger/commands';
import { tempDataDir } from './support/ledger-app';

/**
 * As-of replay against an oracle: a history is generated through the real write path (CommandExecutor, the
 * deciders, the SQLite store) on a controlled clock, then the as-of answer at EVERY event boundary (at the instant
 * of each event, and just before it) is compared with a straightforward fold written here, independently of the
 * projections' mapping.
 */

/** What an auditor expects to see of a consent: written out by hand from the event definitions. */
interface Expected {
  id: string;
  userId: string;
  clientId: string;
  scopes: string[];
  status: 'active' | 'revoked';
  grantedAt: string;
  revokedAt: string | null;
  revision: number;
  expiresAt: string | null;
  position: number;
  allowsRefresh: boolean;
}

function oracle(events: StoredEvent[], userId: string, at: number): Expected[] {
  const consents = new Map<string, Expected>();
  for (const e of events) {
    if (Date.parse(e.recordedAt) > at || e.data.userId !== userId) continue;
    const d = e.data as any;
    const c = consents.get(d.consentId);
    switch (e.type) {
      case 'ConsentGranted':
        consents.set(d.consentId, {
          id: d.consentId,
          userId: d.userId,
          clientId: d.clientId,
          scopes: d.scopes,
          status: 'active',
          grantedAt: d.grantedAt,
          revokedAt: null,
          revision: e.revision,
          expiresAt: d.expiresAt ?? null,
          position: e.position,
          allowsRefresh: d.allowsRefresh === true,
        });
        break;
      case 'ConsentScopesExtended':
        Object.assign(c!, { scopes: d.scopes, revision: e.revision, ...(d.expiresAt ? { expiresAt: d.expiresAt } : {}), ...(d.allowsRefresh ? { allowsRefresh: true } : {}) });
        break;
      case 'ConsentScopesRevoked':
        Object.assign(c!, { scopes: d.remainingScopes, revision: e.revision });
        break;
      case 'ConsentRevoked':
        Object.assign(c!, { scopes: d.revokedScopes, status: 'revoked', revokedAt: d.revokedAt, revision: e.revision });
        break;
      default: // token events do not change a consent
    }
  }
  return [...consents.values()].sort((a, b) => (a.grantedAt < b.grantedAt ? -1 : a.grantedAt > b.grantedAt ? 1 : a.id < b.id ? -1 : 1));
}

/** A small deterministic PRNG, so a failure can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('As-of replay at every event boundary (real write path, controlled clock)', () => {
  const data = tempDataDir();
  let t = Date.parse('2026-01-01T00:00:00.000Z');
  const store = new SqliteEventStore({ file: join(data.dir, 'events.db'), now: () => new Date(t) });
  const views = new ViewStore(join(data.dir, 'views.db'));
  const runner = new ProjectionRunner(store, views);
  const executor = new CommandExecutor(new ChainedEventStore(store), runner);
  const users = ['ann', 'ben', 'cy'];
  const clients = ['app-a', 'app-b', 'app-c'];
  const allScopes = ['email', 'openid', 'profile', 'urn:globus:auth:scope:transfer.api.globus.org:all'];
  let events: StoredEvent[];

  beforeAll(async () => {
    runner.start();
    const random = prng(20260101);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    let n = 0;
    const meta = (): CommandMetadata => {
      t += 1 + Math.floor(random() * 3000); // distinct instants, so every boundary can be asked about
      return { now: new Date(t), actor: 'generator', correlationId: `gen-${++n}`, initiator: pick(['user', 'admin', 'policy', 'system'] as const) };
    };
    for (const clientId of clients) {
      await executor.execute(clientStream(clientId), clientDecider, { type: 'RegisterClient', data: { clientId, name: clientId } }, meta());
    }
    const tokens: Array<{ consentId: string; tokenId: string }> = [];
    for (let i = 0; i < 250; i++) {
      const userId = pick(users);
      const clientId = pick(clients);
      const stream = consentStreamFor(userId, clientId);
      const { state } = await executor.load(stream, consentDecider);
      const consentId = state.status === 'none' ? undefined : state.consentId;
      const roll = random();
      try {
        if (!consentId || state.status === 'revoked' || roll < 0.25) {
          const { state: client } = await executor.load(clientStream(clientId), clientDecider);
          const scopes = allScopes.filter(() => random() < 0.5);
          await executor.execute(stream, consentDecider, { type: 'GrantConsent', data: { userId, clientId, scopes: scopes.length ? scopes : ['openid'] }, context: { client } }, meta());
        } else if (roll < 0.6) {
          const tokenId = `tok_${createHash('sha256').update(`t${i}`).digest('hex').slice(0, 32)}`;
          const tokenHash = createHash('sha256').update(`raw${i}`).digest('hex');
          const scopes = state.status === 'active' ? state.scopes.filter(() => random() < 0.7) : [];
          const { state: client } = await executor.load(clientStream(clientId), clientDecider);
          const data = { consent: parseConsentId(consentId)!, tokenId, tokenHash, ...(scopes.length ? { scopes } : {}) };
          await executor.execute(stream, consentDecider, { type: 'IssueToken', data, context: { client } }, meta());
          tokens.push({ consentId, tokenId });
        } else if (roll < 0.75 && tokens.length > 0) {
          const token = pick(tokens);
          await executor.execute(parseConsentId(token.consentId)!.stream, consentDecider, { type: 'RevokeToken', data: { tokenId: token.tokenId } }, { ...meta(), reason: 'generated' });
        } else if (roll < 0.9 && state.status === 'active' && state.scopes.length > 1) {
          await executor.execute(stream, consentDecider, { type: 'RevokeConsent', data: { consent: parseConsentId(consentId)!, scopes: [pick(state.scopes)] } }, { ...meta(), reason: 'narrow' });
        } else {
          await executor.execute(stream, consentDecider, { type: 'RevokeConsent', data: { consent: parseConsentId(consentId)! } }, { ...meta(), reason: 'full' });
        }
      } catch (error) {
        if (!(error instanceof DomainError)) throw error; // e.g. a grant outside a client's rules: not a history step
      }
    }
    events = [];
    for await (const e of store.readAll()) events.push(e);
    await runner.waitFor(events[events.length - 1].position);
  });

  afterAll(async () => {
    await runner.stop();
    await store.close();
    await views.close();
    data.remove();
  });

  it('generated a history with every kind of consent event, each at its own instant', () => {
    const types = new Set(events.map((e) => e.type));
    for (const type of ['ConsentGranted', 'ConsentScopesExtended', 'ConsentScopesRevoked', 'ConsentRevoked', 'TokenIssued', 'TokenRevoked']) expect(types).toContain(type);
    expect(new Set(events.map((e) => e.recordedAt)).size).toBe(events.length);
    expect(events.length).toBeGreaterThan(150);
  });

  it('matches the independent fold at the instant of every event and just before it, for every user', async () => {
    let compared = 0;
    for (const e of events) {
      for (const at of [Date.parse(e.recordedAt) - 1, Date.parse(e.recordedAt)]) {
        for (const userId of users) {
          const streams = clients.map((c) => consentStreamFor(userId, c));
          const scanned = await consentsAsOf(store, userId, new Date(at));
          const byStream = await consentsAsOf(store, userId, new Date(at), streams);
          const expected = oracle(events, userId, at);
          const shown = (rows: typeof scanned.consents) => rows.map(({ consentId, updatedAt: _u, afterUserRevocation: _a, ...rest }) => ({ id: consentId, ...rest }));
          expect(shown(scanned.consents)).toEqual(expected);
          expect(shown(byStream.consents)).toEqual(expected);
          compared += 1;
        }
      }
    }
    expect(compared).toBe(events.length * 2 * users.length);
  });

  it('as of now equals the live views, row for row', async () => {
    for (const userId of users) {
      const { consents } = await consentsAsOf(store, userId, new Date(t + 1));
      expect(consents).toEqual(views.consents.consentsByUser(userId, 'all'));
    }
  });

  it('the history written through the repository carries a valid hash chain', async () => {
    const result = await verifyLedger(store.readAll(), { gapFreePositions: true });
    expect(result).toMatchObject({ ok: true, checked: events.length });
  });
});
