import { MAX_SCOPE_LENGTH, MAX_SCOPES } from '@ledger/domain';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { consentIdFor, pairKey } from '@ledger/domain';
import { benchToken, seedTokens } from '../bench/support/seed-tokens';
import { bearer, tempDataDir } from './support/ledger-app';
import { LedgerProcess, spawnLedger } from './support/ledger-process';
import { SseClients, spawnSseClients } from './support/spawn-sse-clients';

/**
 * The revocation feed must survive its audience: the BUILT service as its own process with its production flags
 * (the 256 MB heap of start:prod; run `npm run build` first), and its SSE clients in another process on raw
 * connections. In one process a crash of the service would take the test down with it, and the clients' heap and
 * CPU would be counted as the service's.
 */
describe('revocation feed under a large audience (service as a process)', () => {
  let ledger: LedgerProcess | undefined;
  let clients: SseClients | undefined;
  const dirs: Array<ReturnType<typeof tempDataDir>> = [];
  afterEach(async () => {
    await clients?.stop();
    await ledger?.kill();
    clients = ledger = undefined;
    for (const d of dirs.splice(0)) d.remove();
  });

  const agent = new Agent({ keepAlive: true, maxSockets: 25 });
  afterAll(() => agent.destroy());
  function call(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, agent, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const consentId = (i: number) => consentIdFor(pairKey(`bench-user-${i}`, 'bench-app'), 1);
  const revoke = (p: LedgerProcess, i: number) => call(`${p.url}/v1/consents/${consentId(i)}/revoke`, 'POST', { ...bearer('admin'), 'content-type': 'application/json' }, '{}');
  const introspect = (p: LedgerProcess, token: string) =>
    call(`${p.url}/v1/oauth2/introspect`, 'POST', { ...bearer('introspect'), 'content-type': 'application/x-www-form-urlencoded' }, `token=${encodeURIComponent(token)}`);
  /** Revokes consents from..from+count-1, 25 at a time; every answer must be 200. */
  async function burst(p: LedgerProcess, from: number, count: number): Promise<void> {
    const queue = Array.from({ length: count }, (_, i) => from + i);
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) expect((await revoke(p, i)).status).toBe(200);
      }),
    );
  }
  /** Positions of the consent revocations after `after`, from the audit export: what every client must receive. */
  async function revocationsAfter(p: LedgerProcess, after: number): Promise<number[]> {
    const text = (await call(`${p.url}/v1/audit/events?fromPosition=${after + 1}`, 'GET', bearer('admin'))).text;
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .filter((e) => e.type === 'ConsentRevoked')
      .map((e) => e.position);
  }
  /** One sample of /metrics, as printed (undefined: not there). */
  const metric = async (p: LedgerProcess, sample: string) =>
    (await call(`${p.url}/metrics`, 'GET', bearer('admin'))).text.split('\n').find((line) => line.startsWith(`${sample} `))?.split(' ')[1];
  const head = async (p: LedgerProcess) => Number(await metric(p, 'ledger_event_store_head_position'));
  const rssMiB = (p: LedgerProcess) => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${p.child.pid}/status`, 'utf8'))![1]) / 1024;
  async function start(consents: number, tokensPerConsent: number, env: Record<string, string>, scopes?: string[]): Promise<LedgerProcess> {
    const data = tempDataDir();
    dirs.push(data);
    await seedTokens(join(data.dir, 'events.db'), consents, tokensPerConsent, undefined, { scopes });
    const p = await spawnLedger({ dataDir: data.dir, env });
    for (let i = 0; (await call(`${p.url}/health/ready`, 'GET', {}).catch(() => ({ status: 0 }))).status !== 200; i++) {
      if (i > 600) throw new Error(`not ready:\n${p.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return p;
  }
  async function untilComplete(c: SseClients, expected: number[], prompt: number) {
    for (let i = 0; ; i++) {
      const report = await c.report(expected);
      if (report.complete === prompt || i > 240) return report;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('2,000 streams of one caller and a burst of 500 revocations: the process lives, every stream gets every revocation once, in order, and introspection answers', async () => {
    // A log of about 5,000 events, 50 revocations among them (before any stream opens), as in the incident.
    ledger = await start(2600, 1, { LEDGER_SSE_MAX_PER_CALLER: '3000', LEDGER_SSE_MAX_TOTAL: '3000' });
    const p = ledger;
    await burst(p, 2500, 50);
    const before = await head(p);

    clients = await spawnSseClients();
    const statuses = await clients.open({ url: `${p.url}/v1/revocations/stream`, headers: bearer('introspect'), count: 2000 });
    expect(statuses).toEqual({ 200: 2000 });
    const rssConnected = rssMiB(p);

    let introspections = 0;
    let introspecting = true;
    const introspector = (async () => {
      for (let i = 0; introspecting; i++) {
        const r = await introspect(p, benchToken(1000 + (i % 1000)));
        expect(r.status).toBe(200);
        expect(JSON.parse(r.text).active).toBe(true);
        introspections += 1;
      }
    })();
    await burst(p, 0, 500);
    const expected = await revocationsAfter(p, before);
    expect(expected).toHaveLength(500);
    const report = await untilComplete(clients, expected, 2000);
    introspecting = false;
    await introspector;
    const rssAfter = rssMiB(p);
    process.stdout.write(`audience: RSS ${rssConnected.toFixed(0)} MiB with 2,000 streams, ${rssAfter.toFixed(0)} MiB after 500 revocations; ${introspections} introspections meanwhile\n`);

    expect(p.child.exitCode).toBeNull();
    expect(p.output()).not.toContain('heap out of memory');
    // The streams started at the head: none of the 50 earlier revocations, all 500 of the burst, in order, once.
    expect(report).toEqual({ complete: 2000, incomplete: [], incompleteCount: 0, dropped: {}, ended: 0 });
    expect(introspections).toBeGreaterThan(0);
    expect(JSON.parse((await introspect(p, benchToken(0))).text).active).toBe(false);
    expect(await metric(p, 'ledger_sse_subscribers')).toBe('2000');
  }, 150_000);

  it('drops a client that stops reading with a last event saying why, while the others get everything and memory stays bounded', async () => {
    // Revocations of consents that hold the most scopes a consent may, each as long as a scope may be (about 13 kB per
    // event, since a revocation lists the scopes it revoked): a stalled client falls far behind fast.
    const REVOCATIONS = 600;
    const manyScopes = Array.from({ length: MAX_SCOPES }, (_, i) => `urn:test:scope:${String(i).padStart(2, '0')}:${'x'.repeat(MAX_SCOPE_LENGTH - 20)}`);
    ledger = await start(REVOCATIONS, 2, { LEDGER_SSE_BUFFER_BYTES: String(64 * 1024) }, manyScopes);
    const p = ledger;
    const before = await head(p);
    clients = await spawnSseClients();
    expect(await clients.open({ url: `${p.url}/v1/revocations/stream`, headers: bearer('introspect'), count: 21, stalled: 1 })).toEqual({ 200: 21 });
    const rssBefore = rssMiB(p);

    const revoking = burst(p, 0, REVOCATIONS);
    // The stalled client reads again as soon as it has been dropped: what it finds at the end is the last event.
    let dropped: string | undefined;
    for (let i = 0; dropped === undefined && i < 600; i++) {
      dropped = await metric(p, 'ledger_sse_dropped_total{reason="slow_consumer"}');
      if (dropped === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(dropped).toBe('1');
    const [stalled] = await clients.resumeStalled();
    await revoking;
    const expected = await revocationsAfter(p, before);
    expect(expected).toHaveLength(REVOCATIONS);
    const report = await untilComplete(clients, expected, 20);
    const rssAfter = rssMiB(p);
    process.stdout.write(`slow client: dropped after ${stalled.positions.length} of ${REVOCATIONS} revocations; RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MiB\n`);

    expect(stalled.dropped).toBe('slow_consumer');
    expect(stalled.lastMessage).toMatch(/^event: dropped\ndata: \{"reason":"slow_consumer"/);
    expect(stalled.positions).toEqual(expected.slice(0, stalled.positions.length));
    expect(stalled.positions.length).toBeLessThan(REVOCATIONS);
    expect({ complete: report.complete, incomplete: report.incomplete, dropped: report.dropped }).toEqual({ complete: 20, incomplete: [], dropped: { slow_consumer: 1 } });
    expect(await metric(p, 'ledger_sse_subscribers')).toBe('20');
    // The revocations of about 13 kB went to 21 streams; the stalled one pinned none of it. A generous bound, not a
    // measurement: a subscriber buffering the burst per socket would pass it several times over.
    expect(rssAfter - rssBefore).toBeLessThan(100);
    expect(p.child.exitCode).toBeNull();
  }, 120_000);
});
