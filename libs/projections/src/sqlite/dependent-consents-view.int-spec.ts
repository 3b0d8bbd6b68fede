import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@ledger/event-store';
import { ViewStore } from './view-store';

/**
 * Dependent consents in the views (real SQLite): a dependent token is cut at lookup by its ROOT's revocation, or by a
 * revocation of the root scope its chain hangs on, and by nothing else of the root's; the dependent consents have
 * rows of their own, revoked by the cascade; and a rebuild from 0 gives the same views.
 */
const T0 = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const ROOT = `cns_${'a'.repeat(32)}_1`;
const DEP = `${ROOT}_${'b'.repeat(16)}`;
const ref = { consentId: ROOT, userId: 'alice', clientId: 'web' };

function logOf(views: ViewStore) {
  const events: StoredEvent[] = [];
  const append = (type: string, data: Record<string, unknown>, stream = `consent-${'a'.repeat(32)}`) => {
    const position = events.length;
    const revision = events.filter((e) => e.stream === stream).length;
    const event = { id: `e${position}`, type, stream, revision, position, recordedAt: at(position), data, metadata: { actor: 't', correlationId: 'c' } };
    events.push(event);
    views.apply([event]);
  };
  const token = (name: string, extra: Record<string, unknown> = {}) => {
    const tokenHash = name.padEnd(64, '0');
    append('TokenIssued', { ...ref, tokenId: `tok_${name}`, tokenHash, scopes: ['transfer:all'], issuedAt: at(3), expiresAt: at(3600), ...extra });
    return tokenHash;
  };
  const dependentToken = (name: string) =>
    token(name, { clientId: 'transfer', scopes: ['collection:read'], dependent: { consentId: DEP, dependencyPath: [ROOT, DEP], rootScope: 'transfer:all' } });
  return { events, append, token, dependentToken };
}

describe('dependent consents in the views', () => {
  let dir: string;
  let views: ViewStore;
  let log: ReturnType<typeof logOf>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-dependent-'));
    views = new ViewStore(join(dir, 'views.db'));
    log = logOf(views);
    for (const clientId of ['web', 'transfer']) log.append('ClientRegistered', { clientId, name: clientId, allowedScopes: null, termsUrl: null, registeredAt: at(0) }, `client-${clientId}`);
    log.append('ConsentGranted', { ...ref, scopes: ['openid', 'transfer:all', 'collection:read'], grantedAt: at(1) });
    log.append('DependentConsentGranted', {
      ...ref,
      dependentConsentId: DEP,
      dependentClientId: 'transfer',
      scope: 'collection:read',
      parentScope: 'transfer:all',
      parentConsentId: ROOT,
      dependencyPath: [ROOT, DEP],
      scopePath: ['transfer:all', 'collection:read'],
      grantedAt: at(1),
    });
  });
  afterEach(async () => {
    await views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const active = (hash: string) => views.tokens.token(hash)?.active;

  it('keeps the dependent consent in a table of its own, found by id and by its root, not among the consents of its client', () => {
    expect(views.consents.dependentConsent(DEP)).toEqual({
      consentId: DEP,
      rootConsentId: ROOT,
      parentConsentId: ROOT,
      userId: 'alice',
      clientId: 'transfer',
      scope: 'collection:read',
      dependencyPath: [ROOT, DEP],
      status: 'active',
      grantedAt: at(1),
      revokedAt: null,
      revision: 1,
    });
    expect(views.consents.dependentsOf(ROOT).map((d) => d.consentId)).toEqual([DEP]);
    expect(views.consents.consentsByClient('transfer', { limit: 10 })).toEqual([]);
    expect(views.consents.consent(DEP)).toBeUndefined();
  });

  it("a dependent token is the dependent client's, under the root consent, and ends with the root's revocation", () => {
    const dependent = log.dependentToken('dep');
    const own = log.token('own');
    expect(views.tokens.token(dependent)).toMatchObject({ consentId: ROOT, clientId: 'transfer', scope: 'collection:read', rootScope: 'transfer:all', active: true });
    expect(views.tokens.token(own)).toMatchObject({ rootScope: null, active: true });
    log.append('ConsentRevoked', { ...ref, revokedScopes: ['openid', 'transfer:all', 'collection:read'], revokedAt: at(10), reason: null, tokensEnded: 2 });
    // Before the cascade's own event is applied: the root's cut alone ends it.
    expect(active(dependent)).toBe(false);
    expect(active(own)).toBe(false);
    log.append('DependentConsentRevoked', { ...ref, dependentConsentId: DEP, dependentClientId: 'transfer', scope: 'collection:read', dependencyPath: [ROOT, DEP], cause: 'ConsentRevoked', revokedAt: at(10), reason: null, tokensEnded: 1 });
    expect(views.consents.dependentConsent(DEP)).toMatchObject({ status: 'revoked', revokedAt: at(10), revision: 5 });
  });

  it('a revocation of the root scope the chain hangs on ends it; one of the scope the dependent token carries, held by the root directly, does not', () => {
    const dependent = log.dependentToken('dep');
    log.append('ConsentScopesRevoked', { ...ref, revokedScopes: ['collection:read'], remainingScopes: ['openid', 'transfer:all'], revokedAt: at(10), reason: null, tokensEnded: 0 });
    expect(active(dependent)).toBe(true);
    log.append('ConsentScopesRevoked', { ...ref, revokedScopes: ['transfer:all'], remainingScopes: ['openid'], revokedAt: at(11), reason: null, tokensEnded: 1 });
    expect(active(dependent)).toBe(false);
  });

  it("the dependent client's disable ends it; the root client's does not", () => {
    const dependent = log.dependentToken('dep');
    log.append('ClientDisabled', { clientId: 'web', disabledAt: at(10), reason: null }, 'client-web');
    expect(active(dependent)).toBe(true);
    log.append('ClientDisabled', { clientId: 'transfer', disabledAt: at(11), reason: null }, 'client-transfer');
    expect(active(dependent)).toBe(false);
  });

  it('a rebuild from 0 gives the same views, dependent consents and root scopes included', async () => {
    log.dependentToken('dep');
    log.append('ConsentRevoked', { ...ref, revokedScopes: ['openid', 'transfer:all', 'collection:read'], revokedAt: at(10), reason: null, tokensEnded: 1 });
    log.append('DependentConsentRevoked', { ...ref, dependentConsentId: DEP, dependentClientId: 'transfer', scope: 'collection:read', dependencyPath: [ROOT, DEP], cause: 'ConsentRevoked', revokedAt: at(10), reason: null, tokensEnded: 1 });
    const live = views.snapshot();
    const again = new ViewStore(join(dir, 'rebuilt.db'), 1);
    try {
      expect(again.startRebuild()).toBe(true);
      again.apply(log.events);
      again.finishRebuild();
      expect(again.snapshot()).toEqual(live);
    } finally {
      await again.close();
    }
  });
});
