/**
 * The health probes of the whole service over HTTP: what decides readiness, and what a failing probe writes to the log.
 * (A broker outage, which must not fail readiness, is in revocations-broker-outage.e2e-spec.ts.)
 */
import { ledgerSteps, LogLines, RunningLedger, startLedger } from './support/ledger-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(25);
  }
}

describe('health probes', () => {
  let ledger: RunningLedger;
  const log = new LogLines();

  beforeAll(async () => {
    // A lag of one event fails readiness, so that one event appended past the stopped views is enough.
    ledger = await startLedger({ env: { LEDGER_READY_MAX_LAG_EVENTS: '0', LOG_LEVEL: 'info' }, log });
    expect((await ledgerSteps(ledger.http).registerClient('health-app')).status).toBe(201);
  });

  afterAll(async () => {
    await ledger?.close();
  });

  it('without Kafka, readiness reports no publisher and /health/publisher has nothing to fail', async () => {
    const probe = ledger.asRole(undefined);
    await until('ready', async () => (await probe.get('/health/ready')).status === 200);
    expect((await probe.get('/health/ready')).body).not.toHaveProperty('publisher');
    const publisher = await probe.get('/health/publisher');
    expect({ status: publisher.status, body: publisher.body }).toEqual({ status: 200, body: { status: 'ok', info: {}, error: {}, details: {} } });
  });

  it('views behind the store fail readiness; the probes log that once at warn, its end once at info, and no error', async () => {
    const probe = ledger.asRole(undefined);
    await until('ready', async () => (await probe.get('/health/ready')).status === 200);
    const from = log.lines.length;
    await ledger.projection.stop();
    try {
      // Straight to the store, past the command path, which would wait for the stopped views.
      const [registered] = (await ledger.events()).filter((e) => e.type === 'ClientRegistered');
      await ledger.store.append('client-health-late', [{ type: registered.type, data: { ...registered.data, clientId: 'health-late' }, metadata: registered.metadata }], { expectedRevision: 'no_stream' });
      const PROBES = 10;
      for (let i = 0; i < PROBES; i++) {
        const ready = await probe.get('/health/ready');
        expect({ status: ready.status, body: ready.body }).toMatchObject({
          status: 503,
          body: { status: 'error', info: { store: { status: 'up' } }, error: { projection: { status: 'down', lagEvents: 1 } } },
        });
      }
    } finally {
      ledger.projection.start();
    }
    await until('ready again', async () => (await probe.get('/health/ready')).status === 200);

    const lines = log.lines.slice(from);
    expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([expect.objectContaining({ context: 'Health', check: 'projection', lagEvents: 1 })]);
    expect(lines.filter((l) => l.context === 'Health' && l.level === 'info')).toEqual([expect.objectContaining({ check: 'projection' })]);
    // Each probe still has its access line, at info: a 503 is the probe's answer, not a failed request.
    expect(lines.filter((l) => l.route === '/health/ready' && l.status === 503).map((l) => l.level)).toEqual(Array(10).fill('info'));
  });
});
