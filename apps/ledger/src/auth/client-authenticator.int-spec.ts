import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashClientSecret } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import { ViewsRebuildingError, ViewStore } from '@ledger/projections';
import { parseBasic } from './basic-credentials';
import { ClientAuthenticator } from './client-authenticator';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
const secret = (c: string) => 'lcs_' + c.repeat(43);
const id = (c: string) => 'sec_' + c.repeat(32);

/** ClientAuthenticator on a real client view: what authenticates, and when it stops. */
describe('ClientAuthenticator', () => {
  let dir: string;
  let views: ViewStore;
  let now = Date.parse(at(100));
  let events: StoredEvent[];
  const append = (type: string, data: Record<string, unknown>) => {
    const e = { id: `e${events.length}`, type, stream: 'client-app', revision: events.length, position: events.length, recordedAt: at(0), data: { clientId: 'app', ...data }, metadata: { actor: 't', correlationId: 'c' } };
    events.push(e);
    views.apply([e]);
  };
  const auth = () => new ClientAuthenticator(views.clients, { now: () => now });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-auth-'));
    views = new ViewStore(join(dir, 'views.db'));
    events = [];
    now = Date.parse(at(100));
    append('ClientRegistered', { name: 'App', allowedScopes: null, termsUrl: null, registeredAt: at(0) });
    append('ClientSecretAdded', { secretId: id('a'), secretHash: hashClientSecret(secret('a')), addedAt: at(10) });
    append('ClientSecretAdded', { secretId: id('b'), secretHash: hashClientSecret(secret('b')), addedAt: at(20) });
    append('ClientSecretsSuperseded', { secretIds: [id('a')], supersededBy: id('b'), validUntil: at(200), supersededAt: at(20) });
  });
  afterEach(async () => {
    await views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts every valid secret of an active client, and nothing else', () => {
    expect(auth().authenticate('app', secret('a'))).toEqual({ clientId: 'app' });
    expect(auth().authenticate('app', secret('b'))).toEqual({ clientId: 'app' });
    for (const [clientId, s] of [['app', secret('c')], ['other', secret('a')], ['app', ''], ['app', 'a'.repeat(5000)], ['app', secret('a') + ' '], ['bad id', secret('a')]]) {
      expect({ clientId, s: s.slice(0, 10), ok: auth().authenticate(clientId, s) }).toEqual({ clientId, s: s.slice(0, 10), ok: undefined });
    }
  });

  it('ends a superseded secret exactly at validUntil (exclusive)', () => {
    now = Date.parse(at(200)) - 1;
    expect(auth().authenticate('app', secret('a'))).toBeDefined();
    now = Date.parse(at(200));
    expect(auth().authenticate('app', secret('a'))).toBeUndefined();
    expect(auth().authenticate('app', secret('b'))).toBeDefined();
  });

  it('refuses a revoked secret, and every secret of a disabled or deleted client', () => {
    append('ClientSecretRevoked', { secretId: id('b'), revokedAt: at(30), reason: null });
    expect(auth().authenticate('app', secret('b'))).toBeUndefined();
    expect(auth().authenticate('app', secret('a'))).toBeDefined();
    append('ClientDisabled', { disabledAt: at(40), reason: null });
    expect(auth().authenticate('app', secret('a'))).toBeUndefined();
    append('ClientEnabled', { enabledAt: at(50) });
    expect(auth().authenticate('app', secret('a'))).toBeDefined();
    append('ClientDisabled', { disabledAt: at(60), reason: null });
    append('ClientDeleted', { deletedAt: at(60), reason: null });
    expect(auth().authenticate('app', secret('a'))).toBeUndefined();
  });

  it('answers 503 (ViewsRebuildingError), not yes or no, while the views are rebuilt from empty', async () => {
    const rebuilt = new ViewStore(join(dir, 'rebuilt.db'));
    rebuilt.startRebuild();
    rebuilt.apply(events);
    expect(() => new ClientAuthenticator(rebuilt.clients, { now: () => now }).authenticate('app', secret('a'))).toThrow(ViewsRebuildingError);
    rebuilt.finishRebuild();
    expect(new ClientAuthenticator(rebuilt.clients, { now: () => now }).authenticate('app', secret('a'))).toEqual({ clientId: 'app' });
    await rebuilt.close();
  });

  it('reads client_secret_basic as RFC 6749 section 2.3.1 writes it: form-encoded id and secret, then base64', () => {
    const header = (raw: string) => 'Basic ' + Buffer.from(raw).toString('base64');
    expect(parseBasic(header('my%3Aapp:s%2Bx+y'))).toEqual({ id: 'my:app', secret: 's+x y' });
    expect(parseBasic(header('app:with:colons'))).toEqual({ id: 'app', secret: 'with:colons' });
    expect(parseBasic(header('app:%ZZ'))).toEqual({ id: 'app', secret: '%ZZ' });
    for (const bad of [undefined, '', 'Basic', 'Bearer abc', header('no-colon'), 'Basic ' + 'A'.repeat(3000)]) expect(parseBasic(bad)).toBeUndefined();
  });
});
