import { createHash } from 'node:crypto';
import { GENESIS_LINK, linkEvents } from '@ledger/audit';
import { consentIdFor, consentStreamFor, pairKey } from '@ledger/domain';
import { SqliteEventStore } from '@ledger/event-store';

/*
 * A generated ledger for the rebuild workload, written through the SQLite adapter's bulk write path (importEvents:
 * one transaction per 20,000 events, the path `ledger audit import` uses) with a realistic mix: clients, consents
 * granted and extended, tokens issued, single tokens revoked, partial and full revocations that end live tokens.
 * Every event carries its chain link, as the service writes them, so the ledger also verifies.
 */

/** Deterministic PRNG: the same ledger every run. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SCOPES = ['openid', 'email', 'profile', 'urn:globus:auth:scope:transfer.api.globus.org:all', 'urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships'];
const hex = (s: string, n = 64) => createHash('sha256').update(s).digest('hex').slice(0, n);

interface Draft {
  type: string;
  data: Record<string, unknown>;
}

/** One consent's life: grant, maybe extend, tokens, maybe a token revoked, maybe narrowed, maybe revoked in full. */
function lifecycle(userId: string, clientId: string, n: number, random: () => number, at: () => string): Draft[] {
  const consentId = consentIdFor(pairKey(userId, clientId), 1);
  const ref = { consentId, userId, clientId };
  let scopes = SCOPES.filter(() => random() < 0.5);
  if (scopes.length < 2) scopes = SCOPES.slice(0, 2);
  scopes.sort();
  const out: Draft[] = [{ type: 'ConsentGranted', data: { ...ref, scopes, grantedAt: at() } }];
  if (random() < 0.3) {
    const added = SCOPES.filter((s) => !scopes.includes(s)).slice(0, 1);
    if (added.length) {
      scopes = [...scopes, ...added].sort();
      out.push({ type: 'ConsentScopesExtended', data: { ...ref, addedScopes: added, scopes, extendedAt: at() } });
    }
  }
  const live: Array<{ tokenId: string; tokenHash: string; scopes: string[] }> = [];
  const tokenCount = 3 + Math.floor(random() * 8);
  for (let i = 0; i < tokenCount; i++) {
    const tokenId = `tok_${hex(`${n}:${i}:id`, 32)}`;
    const tokenHash = hex(`${n}:${i}:raw`);
    const tokenScopes = random() < 0.5 ? scopes : scopes.slice(0, 1);
    const issuedAt = at();
    live.push({ tokenId, tokenHash, scopes: tokenScopes });
    out.push({ type: 'TokenIssued', data: { ...ref, tokenId, tokenHash, scopes: tokenScopes, issuedAt, expiresAt: new Date(Date.parse(issuedAt) + 3600_000).toISOString() } });
    if (random() < 0.15) {
      const t = live.shift()!;
      out.push({ type: 'TokenRevoked', data: { ...ref, tokenId: t.tokenId, tokenHash: t.tokenHash, revokedAt: at(), reason: 'user signed out' } });
    }
  }
  if (random() < 0.2) {
    const revoked = [scopes[scopes.length - 1]];
    const remaining = scopes.slice(0, -1);
    const ended = live.filter((t) => t.scopes.some((s) => revoked.includes(s)));
    for (const t of ended) live.splice(live.indexOf(t), 1);
    scopes = remaining;
    out.push({ type: 'ConsentScopesRevoked', data: { ...ref, revokedScopes: revoked, remainingScopes: remaining, tokensEnded: ended.length, revokedAt: at(), reason: null } });
  }
  if (random() < 0.4) {
    out.push({ type: 'ConsentRevoked', data: { ...ref, revokedScopes: scopes, tokensEnded: live.length, revokedAt: at(), reason: 'user revoked' } });
  }
  return out;
}

export async function generate(store: SqliteEventStore, target: number, log: (m: string) => void) {
  const random = prng(42);
  let clock = Date.parse('2025-01-01T00:00:00.000Z');
  const at = () => new Date((clock += 7)).toISOString();
  let seq = 0;
  const meta = () => ({ actor: 'bench', correlationId: `bench-${++seq}`, causationId: `bench-${seq}`, initiator: 'user' as const });
  const link = (stream: string, revision: number, prev: string, draft: Draft) => {
    const { events, lastLink } = linkEvents(stream, revision, prev, [{ id: `00000000-0000-4000-8000-${(seq + 1).toString(16).padStart(12, '0')}`, type: draft.type, data: draft.data, metadata: meta() }]);
    const event = { ...events[0], stream, revision, recordedAt: new Date(clock).toISOString() };
    return { event, lastLink };
  };
  let batch: Array<ReturnType<typeof link>['event']> = [];
  const flush = () => {
    if (batch.length > 0) store.importEvents(batch);
    batch = [];
  };

  const clientCount = 1000;
  const clients = Array.from({ length: clientCount }, (_, i) => `bench-app-${i}`);
  for (const clientId of clients) {
    batch.push(link(`client-${clientId}`, 0, GENESIS_LINK, { type: 'ClientRegistered', data: { clientId, name: clientId, allowedScopes: null, termsUrl: null, registeredAt: at() } }).event);
  }
  flush();
  let events = clientCount;
  let consents = 0;
  let tokens = 0;
  const chunk = 2000;
  while (events < target) {
    // A chunk of consents whose lives interleave: round k appends the k-th event of every consent still going.
    const lives = Array.from({ length: chunk }, () => {
      const n = consents++;
      const userId = `user-${Math.floor(random() * 100_000)}-${n}`;
      const clientId = clients[Math.floor(random() * clientCount)];
      const drafts = lifecycle(userId, clientId, n, random, at);
      tokens += drafts.filter((d) => d.type === 'TokenIssued').length;
      return { stream: consentStreamFor(userId, clientId), drafts, prev: GENESIS_LINK };
    });
    for (let round = 0; ; round++) {
      let wrote = 0;
      for (const life of lives) {
        const draft = life.drafts[round];
        if (!draft || events >= target) continue;
        const { event, lastLink } = link(life.stream, round, life.prev, draft);
        life.prev = lastLink;
        batch.push(event);
        events += 1;
        wrote += 1;
      }
      if (wrote === 0) break;
      if (batch.length >= 20_000) flush();
    }
    if (consents % 100_000 === 0) log(`  ${events.toLocaleString()} events written`);
  }
  flush();
  return { events, consents, tokens, clients: clientCount };
}
