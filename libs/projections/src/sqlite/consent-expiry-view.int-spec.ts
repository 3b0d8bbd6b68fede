import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@ledger/event-store';
import { ViewStore } from './view-store';

/**
 * Consent expiry in the views (real SQLite): a token's exp is the earlier of its own and its consent's, read at
 * lookup, so an expired consent ends every token at once with nothing written; and the two lists, a client's
 * consents in grant order and a consent's tokens in issue order, live and rebuilt from 0.
 */
const T0 = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const sec = (s: number) => Math.floor((T0 + s * 1000) / 1000);

class Log {
  readonly events: StoredEvent[] = [];
  private readonly revisions = new Map<string, number>();

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

  grant(user: string, client: string, expiresAt?: string): string {
    const consentId = `cns_${user}${client}_1`;
    this.append(`consent-${user}${client}`, 'ConsentGranted', { consentId, userId: user, clientId: client, scopes: ['openid'], grantedAt: at(1), ...(expiresAt ? { expiresAt } : {}) });
    return consentId;
  }

  renew(user: string, client: string, expiresAt?: string): void {
    const consentId = `cns_${user}${client}_1`;
    const renewal = expiresAt ? { expiresAt } : {};
    this.append(`consent-${user}${client}`, 'ConsentScopesExtended', { consentId, userId: user, clientId: client, addedScopes: [], scopes: ['openid'], extendedAt: at(2), ...renewal });
  }

  issue(user: string, client: string, name: string, expiresAt = at(3600)): string {
    const tokenHash = name.padEnd(64, '0');
    const consentId = `cns_${user}${client}_1`;
    this.append(`consent-${user}${client}`, 'TokenIssued', { consentId, userId: user, clientId: client, tokenId: `tok_${name}`, tokenHash, scopes: ['openid'], issuedAt: at(3), expiresAt });
    return tokenHash;
  }
}

describe('consent expiry and the consent lists in the views', () => {
  let dir: string;
  let views: ViewStore;
  let log: Log;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-consent-expiry-'));
    views = new ViewStore(join(dir, 'views.db'));
    log = new Log(views);
    log.append('client-web', 'ClientRegistered', { clientId: 'web', name: 'web', allowedScopes: null, termsUrl: null, registeredAt: at(0) });
  });
  afterEach(async () => {
    await views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a token's exp is the earlier of its own and its consent's; a renewal moves it, either way", () => {
    log.grant('ann', 'web', at(600));
    const short = log.issue('ann', 'web', 'short', at(300));
    const long = log.issue('ann', 'web', 'long', at(3600));
    expect(views.tokens.token(short)).toMatchObject({ exp: sec(300), active: true });
    expect(views.tokens.token(long)).toMatchObject({ exp: sec(600), active: true });
    log.renew('ann', 'web', at(60));
    expect(views.tokens.token(short)!.exp).toBe(sec(60));
    expect(views.tokens.token(long)!.exp).toBe(sec(60));
    expect(views.tokens.tokenById('tok_long')!.exp).toBe(sec(60));
    // An extension that names no expiry leaves it where it is.
    log.renew('ann', 'web');
    expect(views.tokens.token(long)!.exp).toBe(sec(60));
    expect(views.consents.consent('cns_annweb_1')!.expiresAt).toBe(at(60));
    log.renew('ann', 'web', at(7200));
    expect(views.tokens.token(long)!.exp).toBe(sec(3600));
  });

  it('an expiry with a fraction of a second counts down: never active past it', () => {
    log.grant('ann', 'web', new Date(T0 + 600_900).toISOString());
    expect(views.tokens.token(log.issue('ann', 'web', 'a'))!.exp).toBe(sec(600));
  });

  it('a consent without expiry leaves every token its own', () => {
    log.grant('ann', 'web');
    expect(views.consents.consent('cns_annweb_1')!.expiresAt).toBeNull();
    expect(views.tokens.token(log.issue('ann', 'web', 'a', at(900)))!.exp).toBe(sec(900));
  });

  it("a client's consents, in grant order, a page at a time; activeAt leaves out the revoked and the expired", () => {
    const ids = ['bob', 'ann', 'cat', 'dan'].map((u, i) => log.grant(u, 'web', i === 3 ? at(100) : undefined));
    log.grant('eve', 'other');
    log.append('consent-catweb', 'ConsentRevoked', { consentId: ids[2], userId: 'cat', clientId: 'web', revokedScopes: ['openid'], tokensEnded: 0, revokedAt: at(5), reason: null });
    const page1 = views.consents.consentsByClient('web', { limit: 2 });
    expect(page1.map((c) => c.consentId)).toEqual(ids.slice(0, 2));
    const page2 = views.consents.consentsByClient('web', { limit: 2, afterPosition: page1[1].position });
    expect(page2.map((c) => c.consentId)).toEqual(ids.slice(2));
    expect(views.consents.consentsByClient('web', { limit: 2, afterPosition: page2[1].position })).toEqual([]);
    expect(views.consents.consentsByClient('web', { limit: 10, activeAt: new Date(T0 + 99_999) }).map((c) => c.consentId)).toEqual([ids[0], ids[1], ids[3]]);
    expect(views.consents.consentsByClient('web', { limit: 10, activeAt: new Date(T0 + 100_000) }).map((c) => c.consentId)).toEqual([ids[0], ids[1]]);
    expect(views.consents.consentsByClient('web', { limit: 1, activeAt: new Date(T0), afterPosition: page1[0].position }).map((c) => c.consentId)).toEqual([ids[1]]);
    expect(views.consents.consentsByClient('nobody', { limit: 10 })).toEqual([]);
  });

  it("a user's consents, in grant order (grantedAt, then id), a page at a time; activeAt as for a client's", () => {
    const grantAt = (client: string, s: number, expiresAt?: string) =>
      log.append(`consent-ann${client}`, 'ConsentGranted', { consentId: `cns_ann${client}_1`, userId: 'ann', clientId: client, scopes: ['openid'], grantedAt: at(s), ...(expiresAt ? { expiresAt } : {}) });
    grantAt('c', 20);
    grantAt('b', 10, at(100));
    grantAt('a', 20);
    grantAt('d', 30);
    log.grant('bob', 'a');
    const ids = (rows: Array<{ consentId: string }>) => rows.map((r) => r.consentId);
    expect(ids(views.consents.consentsOfUser('ann', { limit: 10 }))).toEqual(['cns_annb_1', 'cns_anna_1', 'cns_annc_1', 'cns_annd_1']);
    expect(ids(views.consents.consentsOfUser('ann', { limit: 2 }))).toEqual(['cns_annb_1', 'cns_anna_1']);
    expect(ids(views.consents.consentsOfUser('ann', { limit: 2, after: { grantedAt: at(20), consentId: 'cns_anna_1' } }))).toEqual(['cns_annc_1', 'cns_annd_1']);
    expect(ids(views.consents.consentsOfUser('ann', { limit: 9, after: { grantedAt: at(10), consentId: 'cns_annb_1' } }))).toEqual(['cns_anna_1', 'cns_annc_1', 'cns_annd_1']);
    expect(ids(views.consents.consentsOfUser('ann', { limit: 9, activeAt: new Date(T0 + 100_000) }))).toEqual(['cns_anna_1', 'cns_annc_1', 'cns_annd_1']);
    expect(ids(views.consents.consentsOfUser('ann', { limit: 9, activeAt: new Date(T0 + 99_999) }))).toHaveLength(4);
  });

  it("a consent's tokens, in issue order, with exp capped and ended ones said so; never a hash", () => {
    const consentId = log.grant('ann', 'web', at(1000));
    log.grant('bob', 'web');
    for (const n of ['t1', 't2', 't3']) log.issue('ann', 'web', n);
    log.issue('bob', 'web', 'b1');
    log.append('consent-annweb', 'TokenRevoked', { consentId, userId: 'ann', clientId: 'web', tokenId: 'tok_t2', tokenHash: 't2'.padEnd(64, '0'), revokedAt: at(4), reason: null });
    log.append('client-web', 'ClientNotBeforeSet', { clientId: 'web', notBefore: at(5), setAt: at(5), reason: null });
    log.issue('ann', 'web', 't4', at(500));
    const all = views.tokens.tokensOfConsent(consentId, { limit: 10 });
    expect(all).toEqual([
      { tokenId: 'tok_t1', scope: 'openid', iat: sec(3), exp: sec(1000), ended: true, position: expect.any(Number), tokenUse: 'access_token' },
      { tokenId: 'tok_t2', scope: 'openid', iat: sec(3), exp: sec(1000), ended: true, position: expect.any(Number), tokenUse: 'access_token' },
      { tokenId: 'tok_t3', scope: 'openid', iat: sec(3), exp: sec(1000), ended: true, position: expect.any(Number), tokenUse: 'access_token' },
      { tokenId: 'tok_t4', scope: 'openid', iat: sec(3), exp: sec(500), ended: false, position: expect.any(Number), tokenUse: 'access_token' },
    ]);
    const page = views.tokens.tokensOfConsent(consentId, { limit: 2, afterPosition: all[1].position });
    expect(page.map((t) => t.tokenId)).toEqual(['tok_t3', 'tok_t4']);
  });

  it('a rebuild from 0 gives the same views', async () => {
    log.grant('ann', 'web', at(600));
    log.issue('ann', 'web', 'a');
    log.renew('ann', 'web', at(60));
    log.grant('bob', 'web');
    const rebuilt = new ViewStore(join(dir, 'rebuilt.db'), 2);
    expect(rebuilt.startRebuild()).toBe(true);
    rebuilt.apply(log.events);
    rebuilt.finishRebuild();
    expect(rebuilt.snapshot()).toEqual(views.snapshot());
    expect(rebuilt.tokens.tokensOfConsent('cns_annweb_1', { limit: 5 })).toEqual(views.tokens.tokensOfConsent('cns_annweb_1', { limit: 5 }));
    await rebuilt.close();
  });
});
