import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@ledger/event-store';
import { ViewsRebuildingError } from '../views-rebuilding.error';
import { ViewStore } from './view-store';

/**
 * Client secrets in the client view: what client authentication reads. Only hashes are stored; a rotation's window
 * never grows; a revocation is final; and nothing is answered while the views rebuild from an empty file.
 */
const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
const hash = (name: string) => name.padEnd(64, '0');
const id = (name: string) => `sec_${name.padEnd(32, '0')}`;

function clientLog(): StoredEvent[] {
  const events: StoredEvent[] = [];
  const push = (type: string, data: Record<string, unknown>) =>
    events.push({ id: `e${events.length}`, type, stream: 'client-app', revision: events.length, position: events.length, recordedAt: at(events.length), data, metadata: { actor: 't', correlationId: 'c' } });
  push('ClientRegistered', { clientId: 'app', name: 'App', allowedScopes: null, termsUrl: null, registeredAt: at(0) });
  push('ClientSecretAdded', { clientId: 'app', secretId: id('a'), secretHash: hash('a'), addedAt: at(10) });
  push('ClientSecretAdded', { clientId: 'app', secretId: id('b'), secretHash: hash('b'), addedAt: at(20) });
  push('ClientSecretsSuperseded', { clientId: 'app', secretIds: [id('a')], supersededBy: id('b'), validUntil: at(100), supersededAt: at(20) });
  push('ClientSecretAdded', { clientId: 'app', secretId: id('c'), secretHash: hash('c'), addedAt: at(30) });
  // Written as a longer window than a's own: a's stays.
  push('ClientSecretsSuperseded', { clientId: 'app', secretIds: [id('a'), id('b')], supersededBy: id('c'), validUntil: at(200), supersededAt: at(30) });
  push('ClientSecretRevoked', { clientId: 'app', secretId: id('c'), revokedAt: at(40), reason: null });
  push('ClientSecretRevoked', { clientId: 'app', secretId: id('c'), revokedAt: at(50), reason: null });
  return events;
}

describe('SqliteClientView: client secrets', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-secrets-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps each secret by hash with its window (which never grows) and its first revocation; the client row moves on', async () => {
    const views = new ViewStore(join(dir, 'views.db'));
    const events = clientLog();
    for (const e of events) views.apply([e]);
    expect(views.clients.secrets('app')).toEqual([
      { clientId: 'app', secretId: id('a'), secretHash: hash('a'), addedAt: at(10), validUntil: at(100), revokedAt: null },
      { clientId: 'app', secretId: id('b'), secretHash: hash('b'), addedAt: at(20), validUntil: at(200), revokedAt: null },
      { clientId: 'app', secretId: id('c'), secretHash: hash('c'), addedAt: at(30), validUntil: null, revokedAt: at(40) },
    ]);
    expect(views.clients.secrets('other')).toEqual([]);
    // A secret is a change of the client, as in the domain state.
    expect(views.clients.client('app')).toMatchObject({ updatedAt: at(50), revision: events.length - 1 });
    await views.close();
  });

  it('answers no secret while the views rebuild from an empty file, and the rebuilt view equals the live one', async () => {
    const events = clientLog();
    const live = new ViewStore(join(dir, 'live.db'));
    for (const e of events) live.apply([e]);

    const rebuilt = new ViewStore(join(dir, 'rebuilt.db'));
    expect(rebuilt.startRebuild()).toBe(true);
    rebuilt.apply(events.slice(0, 3));
    // Secret c is revoked later in the log: a half-built view must not vouch for it.
    expect(() => rebuilt.clients.secrets('app')).toThrow(ViewsRebuildingError);
    expect(rebuilt.clients.client('app')).toBeDefined();
    rebuilt.apply(events.slice(3));
    rebuilt.finishRebuild();
    expect(rebuilt.clients.secrets('app')).toEqual(live.clients.secrets('app'));
    expect(rebuilt.snapshot()).toEqual(live.snapshot());
    await live.close();
    await rebuilt.close();
  });
});
