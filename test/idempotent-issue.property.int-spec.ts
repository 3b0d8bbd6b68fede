/**
 * Revocation always wins, under random retries: a seeded mix of idempotent issues, retries (mostly the same body,
 * sometimes another), plain issues (which prune expired tokens from the consent state), token and consent
 * revocations, re-grants and the passing of time, run through the real write path: the IssueToken, RevokeToken,
 * GrantConsent and RevokeConsent handlers, AggregateRepository, the SQLite store, the projection and the token
 * view, on a controlled clock (command metadata). After every step:
 * - no token id and no token hash is issued twice in the log;
 * - every token the log has ended is inactive in the view;
 * - every token a request answered with is active in the view, and not expired at the step's instant;
 * - inside a key's window, every answer for the key is the same token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { canonicalJson } from '@ledger/audit';
import { clientDecider, clientStream, CommandMetadata, consentStreamFor, DomainError, hashToken, parseConsentId } from '@ledger/domain';
import { SqliteEventStore } from '@ledger/event-store';
import { ChainedEventStore } from '@ledger/audit';
import { CommandExecutor } from '@ledger/commands';
import { ProjectionRunner, ViewStore } from '@ledger/projections';
import { loadConfig } from '../apps/ledger/src/config/ledger-config';
import { GrantConsentCommand } from '../apps/ledger/src/consents/grant-consent/grant-consent.command';
import { GrantConsentHandler } from '../apps/ledger/src/consents/grant-consent/grant-consent.handler';
import { RevokeConsentCommand } from '../apps/ledger/src/consents/revoke-consent/revoke-consent.command';
import { RevokeConsentHandler } from '../apps/ledger/src/consents/revoke-consent/revoke-consent.handler';
import { TokenKey } from '../apps/ledger/src/infrastructure/token-key';
import { TokenMinter } from '../apps/ledger/src/infrastructure/token-minter';
import { IssueTokenCommand } from '../apps/ledger/src/tokens/issue-token/issue-token.command';
import { IssueTokenHandler } from '../apps/ledger/src/tokens/issue-token/issue-token.handler';
import { RevokeTokenCommand } from '../apps/ledger/src/tokens/revoke-token/revoke-token.command';
import { RevokeTokenHandler } from '../apps/ledger/src/tokens/revoke-token/revoke-token.handler';
import { mulberry32 } from '../libs/domain/src/testing/mulberry32';
import { tempDataDir } from './support/ledger-app';

const WINDOW_S = 900;
const ACTOR = 'frontend';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** What the IssueToken controller makes of a request body: its consent id parsed, the rest as it came. */
const issueData = ({ consentId, ...rest }: { consentId: string; expiresIn: number; scopes?: string[] }) => ({ consent: parseConsentId(consentId)!, ...rest });

describe('idempotent issue, retry, revoke and expiry at random: a revoked token never comes back', () => {
  const data = tempDataDir();
  const store = new SqliteEventStore({ file: join(data.dir, 'events.db') });
  const views = new ViewStore(join(data.dir, 'views.db'));
  const runner = new ProjectionRunner(store, views);
  const repository = new CommandExecutor(new ChainedEventStore(store), runner);
  const config = loadConfig({ LEDGER_DATA_DIR: data.dir, LEDGER_IDEMPOTENCY_TTL_SECONDS: String(WINDOW_S), LEDGER_TOKEN_KEY: randomBytes(32).toString('base64url') });
  const issueHandler = new IssueTokenHandler(repository, new TokenMinter(config.tokenKey as TokenKey), config);
  const revokeTokenHandler = new RevokeTokenHandler(repository, views.tokens);
  const grantHandler = new GrantConsentHandler(repository, config);
  const revokeConsentHandler = new RevokeConsentHandler(repository, views.consents);
  const totals: Record<string, number> = {};

  beforeAll(async () => {
    runner.start();
    await repository.execute(clientStream('app'), clientDecider, { type: 'RegisterClient', data: { clientId: 'app', name: 'App' } }, meta(new Date()));
  });
  afterAll(async () => {
    await runner.stop();
    await store.close();
    await views.close();
    data.remove();
  });

  function meta(now: Date): CommandMetadata {
    return { now, actor: ACTOR, correlationId: `c-${now.getTime()}`, initiator: 'user' };
  }

  async function run(seed: number, steps: number) {
    const random = mulberry32(seed);
    const int = (n: number) => Math.floor(random() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
    const stats = (name: string) => (totals[name] = (totals[name] ?? 0) + 1);
    const userId = `user-${seed}`;
    let nowMs = Date.parse('2026-06-01T00:00:00.000Z') + seed * 1000;
    let consentId = (await grantHandler.execute(new GrantConsentCommand({ userId, clientId: 'app', scopes: ['email', 'openid'] }, meta(new Date(nowMs))))).consent.id;
    /** Per key: the body its window was opened with, and the token and instant of the first answer. */
    const windows = new Map<string, { body: { consentId: string; expiresIn: number; scopes?: string[] }; token?: string; untilMs: number }>();
    const tokenIds: string[] = [];
    const stream = () => consentStreamFor(userId, 'app');

    for (let step = 0; step < steps; step++) {
      nowMs += 1000 * pick([0, 0, 1, 1, 2, 3, 5, 30, 120, 600]);
      const now = new Date(nowMs);
      const roll = int(100);
      const label = `seed ${seed} step ${step}`;
      let answeredNow: string | undefined;
      try {
        if (roll < 50) {
          const key = `key-${int(4)}`;
          let w = windows.get(key);
          const open = w?.token !== undefined && nowMs < w.untilMs;
          if (!w || (!open && (w.token !== undefined || int(3) === 0))) {
            w = { body: { consentId, expiresIn: pick([1, 2, 5, 60, 600]) }, untilMs: 0 };
            windows.set(key, w);
          }
          const body = int(10) === 0 ? { ...w.body, scopes: ['openid'] } : w.body; // sometimes another request
          const idempotency = { key, keyHash: sha256(`${ACTOR}\u0000POST /v1/tokens\u0000${key}`), fingerprint: sha256(canonicalJson(body)) };
          const answer = await issueHandler.execute(new IssueTokenCommand(issueData(body), meta(now), idempotency));
          answeredNow = answer.access_token;
          tokenIds.push(answer.token_id);
          if (w.token !== undefined && nowMs < w.untilMs) {
            if (answer.access_token !== w.token) throw new Error(`${label}: ${key} answered with another token inside its window`);
            stats('retry answered with the same token');
          } else {
            // A window the test has not seen open: its end is the one the log recorded, one window after the issue.
            const [issued] = (await store.readStream(stream())).filter((e) => e.type === 'TokenIssued' && e.data.tokenId === answer.token_id);
            const { issuedAt, idempotency: recorded } = issued.data as { issuedAt: string; idempotency: { until: string } };
            expect(recorded.until).toBe(new Date(Date.parse(issuedAt) + WINDOW_S * 1000).toISOString());
            Object.assign(w, { token: answer.access_token, untilMs: Date.parse(recorded.until) });
            stats('issue under a key');
          }
        } else if (roll < 62) {
          const answer = await issueHandler.execute(new IssueTokenCommand(issueData({ consentId, expiresIn: pick([1, 5, 600]) }), meta(now)));
          answeredNow = answer.access_token;
          tokenIds.push(answer.token_id);
          stats('plain issue');
        } else if (roll < 85) {
          // Mostly a recent token, so that many revocations end a live one.
          const tokenId = pick(int(4) === 0 ? tokenIds : tokenIds.slice(-4));
          if (tokenId && (await revokeTokenHandler.execute(new RevokeTokenCommand({ tokenId }, meta(now)))).revoked) stats('token revoked');
        } else if (roll < 90) {
          await revokeConsentHandler.execute(new RevokeConsentCommand({ consent: parseConsentId(consentId)!, scopes: ['email'] }, meta(now)));
        } else if (roll < 93) {
          await revokeConsentHandler.execute(new RevokeConsentCommand({ consent: parseConsentId(consentId)! }, meta(now)));
        } else {
          consentId = (await grantHandler.execute(new GrantConsentCommand({ userId, clientId: 'app', scopes: ['email', 'openid'] }, meta(now)))).consent.id;
        }
      } catch (error) {
        if (!(error instanceof DomainError)) throw new Error(`${label}: ${String(error)}`);
        stats(error.code);
      }

      const logged = await store.readStream(stream());
      const issuedIds = logged.filter((e) => e.type === 'TokenIssued').map((e) => String(e.data.tokenId));
      const issuedHashes = logged.filter((e) => e.type === 'TokenIssued').map((e) => String(e.data.tokenHash));
      expect([label, new Set(issuedIds).size, new Set(issuedHashes).size]).toEqual([label, issuedIds.length, issuedHashes.length]);
      const ended = new Set<string>();
      // A revocation ends every token of its consent issued before it that carries a revoked scope (any, in full).
      const issuedSoFar: Array<{ hash: string; consentId: string; scopes: string[] }> = [];
      for (const e of logged) {
        if (e.type === 'TokenIssued') issuedSoFar.push({ hash: String(e.data.tokenHash), consentId: String(e.data.consentId), scopes: e.data.scopes as string[] });
        if (e.type === 'TokenRevoked') ended.add(String(e.data.tokenHash));
        if (e.type === 'ConsentRevoked' || e.type === 'ConsentScopesRevoked') {
          const revoked = e.type === 'ConsentRevoked' ? undefined : (e.data.revokedScopes as string[]);
          for (const t of issuedSoFar) if (t.consentId === e.data.consentId && (!revoked || t.scopes.some((x) => revoked.includes(x)))) ended.add(t.hash);
        }
      }
      for (const hash of ended) expect([label, hash, views.tokens.token(hash)?.active]).toEqual([label, hash, false]);
      if (answeredNow !== undefined) {
        const row = views.tokens.token(hashToken(answeredNow));
        expect([label, row?.active, (row?.exp ?? 0) * 1000 > nowMs]).toEqual([label, true, true]);
      }
    }
  }

  it.each([1, 2, 3, 42, 1337, 20250301])('holds at every step of a 300-step run (seed %d)', async (seed) => {
    await run(seed, 300);
  }, 120_000);

  it('the runs went where the bug lives: refused retries, reused keys, closed windows, revocations', () => {
    if (process.env.PROPERTY_STATS) console.log(JSON.stringify(totals));
    expect(totals.token_no_longer_active ?? 0).toBeGreaterThan(20);
    expect(totals.idempotency_key_reused ?? 0).toBeGreaterThan(5);
    expect(totals['retry answered with the same token'] ?? 0).toBeGreaterThan(20);
    expect(totals['issue under a key'] ?? 0).toBeGreaterThan(20);
    expect(totals['token revoked'] ?? 0).toBeGreaterThan(15);
    expect(totals.consent_not_active ?? 0).toBeGreaterThan(0);
  });
});
