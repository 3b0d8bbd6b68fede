import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { erasedUserId, userKey } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import { ViewStore } from './view-store';

const userId = 'erin@example.org';
const kid = 'f'.repeat(32);
const pseudonym = erasedUserId(kid);
let n = 0;
const event = (type: string, data: Record<string, unknown>, stream: string): StoredEvent => ({
  id: `e${n}`,
  type,
  stream,
  revision: n,
  position: n++,
  recordedAt: '2026-01-01T00:00:00.000Z',
  data,
  metadata: { actor: 't', correlationId: 'c' },
});
const ref = (user: string, consent = 'cns_a_1') => ({ consentId: consent, userId: user, clientId: 'app' });
const granted = (user: string, consent = 'cns_a_1') => event('ConsentGranted', { ...ref(user, consent), scopes: ['a'], grantedAt: '2026-01-01T00:00:00.000Z' }, 'consent-a');
const issued = (user: string, hash: string, consent = 'cns_a_1') =>
  event('TokenIssued', { ...ref(user, consent), tokenId: `tok_${hash.slice(0, 4)}`, tokenHash: hash, scopes: ['a'], issuedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' }, 'consent-a');
const notBefore = (user: string) => event('UserNotBeforeSet', { userId: user, notBefore: '2025-01-01T00:00:00.000Z', setAt: '2026-01-01T00:00:00.000Z', reason: null }, `user-${userKey(userId)}`);
/** As the erasing instance applies it (its key still opens `userId`) or any other (`userId` reads as the pseudonym). */
const erased = (user: string) => event('SubjectErased', { userId: user, subject: userKey(userId), kid, erasedAt: '2026-01-02T00:00:00.000Z' }, `user-${userKey(userId)}`);

describe('ViewStore: a subject erased', () => {
  let dir: string;
  let views: ViewStore;
  const h1 = '1'.repeat(64);
  const h2 = '2'.repeat(64);
  const other = '3'.repeat(64);
  beforeEach(() => {
    n = 0;
    dir = mkdtempSync(join(tmpdir(), 'ledger-erasure-'));
    views = new ViewStore(join(dir, 'views.db'));
  });
  afterEach(async () => {
    await views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['by the instance that erased it, the key still there', userId],
    ['by another instance, after the key is gone', pseudonym],
  ])('given an active consent with tokens, when applied %s, then its rows name the pseudonym and its tokens are inactive', (_, as) => {
    views.apply([granted(userId), issued(userId, h1), notBefore(userId), granted('bob', 'cns_b_1'), issued('bob', other, 'cns_b_1')]);
    views.apply([issued(userId, h2), erased(as)]);
    expect(views.tokens.token(h1)).toMatchObject({ sub: pseudonym, active: false });
    expect(views.tokens.token(h2)).toMatchObject({ sub: pseudonym, active: false, clientId: 'app', scope: 'a' });
    expect(views.consents.consent('cns_a_1')).toMatchObject({ userId: pseudonym, clientId: 'app', scopes: ['a'], status: 'active' });
    expect(views.consents.consentsByUser(userId, 'all')).toEqual([]);
    expect(views.users.user(userId)).toBeUndefined();
    expect(views.users.user(pseudonym)).toMatchObject({ notBefore: '2026-01-02T00:00:00.000Z' });
    // Nobody else is touched.
    expect(views.tokens.token(other)).toMatchObject({ sub: 'bob', active: true });
    expect(JSON.stringify(views.snapshot())).not.toContain(userId);
    // Zeroed and checkpointed: the file and its log hold the user id nowhere.
    for (const suffix of ['', '-wal']) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(dir, `views.db${suffix}`));
      } catch {
        continue;
      }
      expect({ suffix, holds: bytes.includes(Buffer.from(userId)) }).toEqual({ suffix, holds: false });
    }
  });

  it('given a root consent with a dependent consent (a tree), when erased, then the dependent row names the pseudonym too', () => {
    const dep = 'cns_a_1_0123456789abcdef';
    const dependent = event(
      'DependentConsentGranted',
      { ...ref(userId), dependentConsentId: dep, dependentClientId: 'transfer', scope: 'collection:read', parentScope: 'a', parentConsentId: 'cns_a_1', dependencyPath: ['cns_a_1', dep], scopePath: ['a', 'collection:read'], grantedAt: '2026-01-01T00:00:00.000Z' },
      'consent-a',
    );
    views.apply([granted(userId), dependent, erased(userId)]);
    expect(views.consents.dependentConsent(dep)).toMatchObject({ userId: pseudonym, clientId: 'transfer', rootConsentId: 'cns_a_1' });
    expect(JSON.stringify(views.snapshot())).not.toContain(userId);
    expect(readFileSync(join(dir, 'views.db')).includes(Buffer.from(userId))).toBe(false);
  });

  it('given a rebuild from a log whose fields read as erased, then it ends as the live views did', () => {
    views.apply([granted(pseudonym), issued(pseudonym, h1), erased(pseudonym)]);
    expect(views.tokens.token(h1)).toMatchObject({ sub: pseudonym, active: false });
    expect(views.consents.consent('cns_a_1')).toMatchObject({ userId: pseudonym });
  });

  it('given a rebuild that stages its tokens, when an erasure of a subject stored in clear comes, then the staged rows are renamed too', async () => {
    await views.close();
    views = new ViewStore(join(dir, 'staged.db'), 3);
    expect(views.startRebuild()).toBe(true);
    views.apply([granted(userId), issued(userId, h1), issued(userId, h2), erased(pseudonym)]);
    views.finishRebuild();
    expect(views.tokens.token(h1)).toMatchObject({ sub: pseudonym, active: false });
    expect(views.tokens.token(h2)).toMatchObject({ sub: pseudonym, active: false });
    expect(JSON.stringify(views.snapshot())).not.toContain(userId);
  });
});
