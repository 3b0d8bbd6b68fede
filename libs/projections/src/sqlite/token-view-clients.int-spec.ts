import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@ledger/event-store';
import { ViewStore } from './view-store';

/**
 * The token view and the client lifecycle: a disabled or narrowed client ends its tokens at lookup, at once, and
 * nothing comes back when it is enabled or widened again. Each case writes a log in order and asks the view after
 * each step, on the live path and in a staged rebuild from 0.
 */
const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';

class Log {
  readonly events: StoredEvent[] = [];
  private readonly revisions = new Map<string, number>();
  private n = 0;

  constructor(private readonly views: ViewStore) {}

  append(stream: string, type: string, data: Record<string, unknown>): void {
    const revision = (this.revisions.get(stream) ?? -1) + 1;
    this.revisions.set(stream, revision);
    const position = this.events.length;
    const event = { id: `e${position}`, type, stream, revision, position, recordedAt: at(position), data, metadata: { actor: 't', correlationId: 'c' } };
    this.events.push(event);
    this.views.apply([event]);
  }

  register(clientId: string, allowedScopes: string[] | null): void {
    this.append(`client-${clientId}`, 'ClientRegistered', { clientId, name: clientId, allowedScopes, termsUrl: null, registeredAt: at(0) });
  }

  client(clientId: string, type: string, data: Record<string, unknown> = {}): void {
    this.append(`client-${clientId}`, type, { clientId, reason: null, ...data });
  }

  grant(clientId: string, scopes: string[]): void {
    this.append(`consent-${clientId}`, 'ConsentGranted', { consentId: `cns_${clientId}_1`, userId: 'alice', clientId, scopes, grantedAt: at(1) });
  }

  /** Issues token `name` under the client's consent; its hash is the name, padded. */
  issue(clientId: string, name: string, scopes: string[]): string {
    const tokenHash = name.padEnd(64, '0');
    this.append(`consent-${clientId}`, 'TokenIssued', {
      consentId: `cns_${clientId}_1`,
      userId: 'alice',
      clientId,
      tokenId: `tok_${name}`,
      tokenHash,
      scopes,
      issuedAt: at(this.n++),
      expiresAt: at(86_400),
    });
    return tokenHash;
  }
}

describe('SqliteTokenView: client cuts', () => {
  let dir: string;
  let views: ViewStore;
  let log: Log;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-client-cuts-'));
    views = new ViewStore(join(dir, 'views.db'));
    log = new Log(views);
  });
  afterEach(async () => {
    await views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const active = (...hashes: string[]) => hashes.map((h) => views.tokens.token(h)?.active);

  /** Applies the log again, staged from 0, and answers the same for every token: the cuts need no fold. */
  async function expectRebuildAgrees(): Promise<void> {
    const rebuilt = new ViewStore(join(dir, 'rebuilt.db'), 2);
    expect(rebuilt.startRebuild()).toBe(true);
    rebuilt.apply(log.events);
    rebuilt.finishRebuild();
    expect(rebuilt.snapshot()).toEqual(views.snapshot());
    const hashes = log.events.filter((e) => e.type === 'TokenIssued').map((e) => e.data.tokenHash as string);
    expect(hashes.map((h) => rebuilt.tokens.token(h)?.active)).toEqual(active(...hashes));
    await rebuilt.close();
  }

  it('disable -> enable: every token of the client ends at the disable; none comes back; a new one lives', async () => {
    log.register('app', null);
    log.register('other', null);
    log.grant('app', ['openid']);
    log.grant('other', ['openid']);
    const before = log.issue('app', 'a1', ['openid']);
    const elsewhere = log.issue('other', 'o1', ['openid']);
    expect(active(before, elsewhere)).toEqual([true, true]);

    log.client('app', 'ClientDisabled', { disabledAt: at(10) });
    expect(active(before, elsewhere)).toEqual([false, true]);
    // Issued on a client state read before the disable, appended after it: ended all the same.
    const slipped = log.issue('app', 'a2', ['openid']);
    expect(active(slipped)).toEqual([false]);

    log.client('app', 'ClientEnabled', { enabledAt: at(20) });
    const after = log.issue('app', 'a3', ['openid']);
    expect(active(before, slipped, after, elsewhere)).toEqual([false, false, true, true]);
    expect(views.tokens.activeTokenCount()).toBe(2);

    log.client('app', 'ClientDisabled', { disabledAt: at(30) });
    log.client('app', 'ClientEnabled', { enabledAt: at(40) });
    expect(active(before, slipped, after)).toEqual([false, false, false]);
    await expectRebuildAgrees();
  });

  it('narrow -> widen: tokens carrying the removed scope end, others live; allowing it again revives none', async () => {
    log.register('app', ['openid', TRANSFER]);
    log.grant('app', ['openid', TRANSFER]);
    const plain = log.issue('app', 'p1', ['openid']);
    const carrying = log.issue('app', 'c1', ['openid', TRANSFER]);

    log.client('app', 'ClientScopesRevoked', { revokedScopes: [TRANSFER], allowedScopes: ['openid'], revokedAt: at(10) });
    expect(active(plain, carrying)).toEqual([true, false]);
    const slipped = log.issue('app', 'c2', [TRANSFER]);
    expect(active(slipped)).toEqual([false]);

    log.client('app', 'ClientScopesAllowed', { addedScopes: [TRANSFER], allowedScopes: ['openid', TRANSFER], allowedAt: at(20) });
    const fresh = log.issue('app', 'c3', ['openid', TRANSFER]);
    expect(active(plain, carrying, slipped, fresh)).toEqual([true, false, false, true]);
    await expectRebuildAgrees();
  });

  it('from any scope to a list: a token carrying a scope outside the list ends, and allowing it later revives it not', async () => {
    log.register('app', null);
    log.grant('app', ['email', 'openid']);
    const email = log.issue('app', 'e1', ['email', 'openid']);
    const openid = log.issue('app', 'o1', ['openid']);

    log.client('app', 'ClientScopesRevoked', { revokedScopes: null, allowedScopes: ['openid'], revokedAt: at(10) });
    expect(active(email, openid)).toEqual([false, true]);

    log.client('app', 'ClientScopesAllowed', { addedScopes: ['email'], allowedScopes: ['email', 'openid'], allowedAt: at(20) });
    const again = log.issue('app', 'e2', ['email']);
    expect(active(email, openid, again)).toEqual([false, true, true]);
    await expectRebuildAgrees();
  });

  it('replacing a scope in one append (revoke, then allow): the removed one ends, the added one is new', () => {
    log.register('app', ['openid', TRANSFER]);
    log.grant('app', ['openid', TRANSFER]);
    const carrying = log.issue('app', 't1', [TRANSFER]);
    log.client('app', 'ClientScopesRevoked', { revokedScopes: [TRANSFER], allowedScopes: ['openid'], revokedAt: at(10) });
    log.client('app', 'ClientScopesAllowed', { addedScopes: ['email'], allowedScopes: ['email', 'openid'], allowedAt: at(10) });
    expect(active(carrying)).toEqual([false]);
    expect(views.clients.client('app')).toMatchObject({ allowedScopes: ['email', 'openid'], status: 'active', revision: 2 });
  });

  it('delete: the disable ends every token, and the deleted client stays in the view', async () => {
    log.register('app', null);
    log.grant('app', ['openid']);
    const token = log.issue('app', 'a1', ['openid']);
    log.client('app', 'ClientDisabled', { disabledAt: at(10) });
    log.client('app', 'ClientDeleted', { deletedAt: at(10) });
    expect(active(token)).toEqual([false]);
    expect(views.clients.client('app')).toMatchObject({ status: 'deleted', updatedAt: at(10), revision: 2 });
    await expectRebuildAgrees();
  });

  it('a consent cut and a client cut together: either ends the token', () => {
    log.register('app', null);
    log.grant('app', ['email', 'openid']);
    const token = log.issue('app', 'a1', ['email', 'openid']);
    log.append('consent-app', 'ConsentScopesRevoked', {
      consentId: 'cns_app_1',
      userId: 'alice',
      clientId: 'app',
      revokedScopes: ['email'],
      remainingScopes: ['openid'],
      revokedAt: at(5),
      reason: null,
    });
    expect(active(token)).toEqual([false]);
    log.client('app', 'ClientDisabled', { disabledAt: at(10) });
    log.client('app', 'ClientEnabled', { enabledAt: at(20) });
    expect(active(token)).toEqual([false]);
  });
});
