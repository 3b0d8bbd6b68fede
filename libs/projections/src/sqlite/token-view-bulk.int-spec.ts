import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@ledger/event-store';
import { ViewStore } from './view-store';

/**
 * The token view and bulk revocation: a user-wide revocation and not-before cut-offs (user, client, ledger) end
 * tokens at lookup, from the event on, whatever their number, with no token row rewritten. Each case writes a log in
 * order and asks the view after each step, live and in a staged rebuild from 0.
 */
const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

class Log {
  readonly events: StoredEvent[] = [];
  private readonly revisions = new Map<string, number>();
  private tokens = 0;

  constructor(private readonly views: ViewStore) {}

  append(stream: string, type: string, data: Record<string, unknown>): number {
    const revision = (this.revisions.get(stream) ?? -1) + 1;
    this.revisions.set(stream, revision);
    const position = this.events.length;
    const event = { id: `e${position}`, type, stream, revision, position, recordedAt: at(position), data, metadata: { actor: 't', correlationId: 'c' } };
    this.events.push(event);
    this.views.apply([event]);
    return position;
  }

  register(clientId: string): void {
    this.append(`client-${clientId}`, 'ClientRegistered', { clientId, name: clientId, allowedScopes: null, termsUrl: null, registeredAt: at(0) });
  }

  /** Consent `generation` of (userId, clientId), granted after the user's `afterUserRevocation`-th user-wide revocation. */
  grant(userId: string, clientId: string, afterUserRevocation = 0, generation = 1): string {
    const consentId = `cns_${userId}_${clientId}_${generation}`;
    const extra = afterUserRevocation > 0 ? { afterUserRevocation } : {};
    this.append(`consent-${userId}-${clientId}`, 'ConsentGranted', { consentId, userId, clientId, scopes: ['openid'], grantedAt: at(1), ...extra });
    return consentId;
  }

  /** A token under the pair's consent; returns its hash. */
  issue(userId: string, clientId: string, generation = 1): string {
    const n = this.tokens++;
    const tokenHash = `${n}`.padStart(64, '0');
    const consentId = `cns_${userId}_${clientId}_${generation}`;
    this.append(`consent-${userId}-${clientId}`, 'TokenIssued', {
      consentId,
      userId,
      clientId,
      tokenId: `tok_${n}`,
      tokenHash,
      scopes: ['openid'],
      issuedAt: at(n),
      expiresAt: at(86_400),
    });
    return tokenHash;
  }

  revokeUser(userId: string, revocation: number): number {
    return this.append(`user-${userId}`, 'UserConsentsRevoked', { userId, revocation, consentsEnded: 1, revokedAt: at(50), reason: null });
  }

  /** The fan-out's ConsentRevoked of one consent, carrying out the user's n-th revocation. */
  fanOut(userId: string, clientId: string, userRevocation: number, generation = 1): void {
    this.append(`consent-${userId}-${clientId}`, 'ConsentRevoked', {
      consentId: `cns_${userId}_${clientId}_${generation}`,
      userId,
      clientId,
      revokedScopes: ['openid'],
      tokensEnded: 1,
      revokedAt: at(60),
      reason: null,
      userRevocation,
    });
  }

  userNotBefore(userId: string): number {
    return this.append(`user-${userId}`, 'UserNotBeforeSet', { userId, notBefore: at(this.events.length), setAt: at(this.events.length), reason: null });
  }

  clientNotBefore(clientId: string): number {
    return this.append(`client-${clientId}`, 'ClientNotBeforeSet', { clientId, notBefore: at(this.events.length), setAt: at(this.events.length), reason: null });
  }

  ledgerNotBefore(): number {
    return this.append('global', 'LedgerNotBeforeSet', { notBefore: at(this.events.length), setAt: at(this.events.length), reason: null });
  }
}

describe('SqliteTokenView: bulk revocation', () => {
  let dir: string;
  let views: ViewStore;
  let log: Log;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-bulk-cuts-'));
    views = new ViewStore(join(dir, 'views.db'));
    log = new Log(views);
  });
  afterEach(async () => {
    await views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const activeIn = (store: ViewStore, hashes: string[]) => hashes.map((h) => store.tokens.token(h)?.active);
  const active = (...hashes: string[]) => activeIn(views, hashes);

  /** Applies the log again from 0, staged (two events already count as a long history), and compares everything. */
  function rebuilt(): ViewStore {
    const store = new ViewStore(join(dir, `rebuilt-${Math.random().toString(36).slice(2)}.db`), 2);
    expect(store.startRebuild()).toBe(true);
    store.apply(log.events);
    store.finishRebuild();
    expect(store.snapshot()).toEqual(views.snapshot());
    return store;
  }

  describe('a user-wide revocation', () => {
    it("ends every token of every consent of the user at the event, and no one else's; the fan-out changes no answer", async () => {
      for (const c of ['app', 'other']) log.register(c);
      log.grant('alice', 'app');
      log.grant('alice', 'other');
      log.grant('bob', 'app');
      const alice = [log.issue('alice', 'app'), log.issue('alice', 'other'), log.issue('alice', 'app')];
      const bob = log.issue('bob', 'app');

      log.revokeUser('alice', 1);
      expect(active(...alice, bob)).toEqual([false, false, false, true]);
      expect(views.users.user('alice')).toMatchObject({ revocations: 1, revokedAt: at(50), revokedPosition: log.events.length - 1, notBefore: null });
      expect(views.tokens.activeTokenCount()).toBe(1);

      // Issued under a consent granted before it, appended after it (an IssueToken that read the user's stream just
      // before the revocation): ended all the same, by number.
      const slipped = log.issue('alice', 'other');
      expect(active(slipped)).toEqual([false]);

      log.fanOut('alice', 'app', 1);
      log.fanOut('alice', 'other', 1);
      expect(active(...alice, slipped, bob)).toEqual([false, false, false, false, true]);
      expect(views.consents.consentsByUser('alice', 'active')).toEqual([]);

      // A consent granted after it lives, and so do its tokens, until a second user-wide revocation.
      log.grant('alice', 'app', 1, 2);
      const fresh = log.issue('alice', 'app', 2);
      expect(active(fresh)).toEqual([true]);
      log.revokeUser('alice', 2);
      expect(active(fresh, bob)).toEqual([false, true]);

      const store = rebuilt();
      expect(activeIn(store, [...alice, slipped, fresh, bob])).toEqual(active(...alice, slipped, fresh, bob));
      await store.close();
    });

    it('a consent granted after fewer revocations than the user has (a grant that read the user stream before the last) ends with it', () => {
      log.register('app');
      log.revokeUser('alice', 1);
      log.grant('alice', 'app', 0);
      const token = log.issue('alice', 'app');
      expect(active(token)).toEqual([false]);
    });
  });

  describe('not-before: the latest of the user, client and ledger cut-offs, by log position', () => {
    type Cut = 'U' | 'C' | 'G';
    /** Every interleaving of two settings of each cut-off (set, then raised): 6! / 2^3 = 90 orderings. */
    function orderings(): Cut[][] {
      const out: Cut[][] = [];
      const walk = (left: Record<Cut, number>, seq: Cut[]) => {
        if (seq.length === 6) return void out.push(seq);
        for (const c of ['U', 'C', 'G'] as const) if (left[c] > 0) walk({ ...left, [c]: left[c] - 1 }, [...seq, c]);
      };
      walk({ U: 2, C: 2, G: 2 }, []);
      return out;
    }

    /** The tokens of every (user, client) pair: the cuts set alice's and app's; bob and other only the ledger's. */
    const PAIRS = [
      ['alice', 'app'],
      ['alice', 'other'],
      ['bob', 'app'],
      ['bob', 'other'],
    ] as const;

    it('covers every ordering', () => {
      expect(orderings()).toHaveLength(90);
    });

    it.each(orderings().map((o) => [o.join(' ')]))('%s, with tokens of every pair issued before, between and after', async (sequence) => {
      for (const c of ['app', 'other']) log.register(c);
      for (const [u, c] of PAIRS) log.grant(u, c);
      const tokens: Array<{ hash: string; user: string; client: string; position: number }> = [];
      const issueAll = () => {
        for (const [user, client] of PAIRS) {
          const hash = log.issue(user, client);
          tokens.push({ hash, user, client, position: log.events.length - 1 });
        }
      };
      /** The oracle, stated apart from the view's max(): a token is inactive iff SOME cut-off that applies to it came later. */
      const cuts: Array<{ cut: Cut; position: number }> = [];
      const expected = () =>
        tokens.map((t) => !cuts.some(({ cut, position }) => position > t.position && (cut === 'G' || (cut === 'U' && t.user === 'alice') || (cut === 'C' && t.client === 'app'))));

      issueAll();
      for (const cut of sequence.split(' ') as Cut[]) {
        const position = cut === 'U' ? log.userNotBefore('alice') : cut === 'C' ? log.clientNotBefore('app') : log.ledgerNotBefore();
        cuts.push({ cut, position });
        expect(active(...tokens.map((t) => t.hash))).toEqual(expected());
        issueAll();
        expect(active(...tokens.map((t) => t.hash))).toEqual(expected());
      }
      // The last tokens came after every cut-off: all live. And a rebuild from 0 answers the same for every token.
      expect(active(...tokens.slice(-4).map((t) => t.hash))).toEqual([true, true, true, true]);
      const store = rebuilt();
      expect(activeIn(store, tokens.map((t) => t.hash))).toEqual(expected());
      await store.close();
    });

    it('a client not-before and enabling the client share one cut: the later of the two holds', () => {
      log.register('app');
      log.grant('alice', 'app');
      const first = log.issue('alice', 'app');
      log.clientNotBefore('app');
      const second = log.issue('alice', 'app');
      log.append('client-app', 'ClientDisabled', { clientId: 'app', disabledAt: at(70), reason: null });
      log.append('client-app', 'ClientEnabled', { clientId: 'app', enabledAt: at(71) });
      const third = log.issue('alice', 'app');
      expect(active(first, second, third)).toEqual([false, false, true]);
      expect(views.clients.client('app')).toMatchObject({ status: 'active', notBefore: at(3) });
    });

    it('records the times for people, and the view keeps the latest', () => {
      log.userNotBefore('alice');
      log.userNotBefore('alice');
      expect(views.users.user('alice')).toMatchObject({ revocations: 0, notBefore: at(1), notBeforePosition: 1 });
      log.revokeUser('alice', 1);
      expect(views.users.user('alice')).toMatchObject({ revocations: 1, notBefore: at(1), notBeforePosition: 1 });
    });
  });
});
