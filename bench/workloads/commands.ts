import Database from 'better-sqlite3';
import { join } from 'node:path';
import { consentIdFor, pairKey } from '@ledger/domain';
import { BENCH_HEADERS, memory, settled, startLedger } from '../support/ledger';
import { LimitProcess, startLimit } from '../support/limit-process';
import { CONNECTIONS, load, LoadResult } from '../support/load';
import { interleaved, ledgerTarget, limitTarget, measure, Measured, Target } from '../support/rounds';
import { secretsDirFor } from '../../test/support/ledger-app';
import { seedTokens } from '../support/seed-tokens';
import { round } from '../support/stats';
import { Figure, Workload } from '../workload';

const COMMANDS = ['GrantConsent', 'IssueToken', 'RevokeConsent'] as const;
type Command = (typeof COMMANDS)[number];
/** The event each command appends, for the durable-append limit and the read-back. */
const EVENT: Record<Command, { type: string; id: string }> = {
  GrantConsent: { type: 'ConsentGranted', id: '$.consentId' },
  IssueToken: { type: 'TokenIssued', id: '$.tokenId' },
  RevokeConsent: { type: 'ConsentRevoked', id: '$.consentId' },
};
const SCOPES = ['openid', 'email', 'urn:globus:auth:scope:transfer.api.globus.org:all'];
/** Seeded consents that IssueToken picks from at random; RevokeConsent takes the ones after them, each once. */
const ISSUE_POOL = 1_000;

/**
 * GrantConsent, IssueToken and RevokeConsent over HTTP at saturation, each against three same-run limits: a trivial
 * Nest route with the ledger's validation (trivial-nest-app.ts: the ceiling the target reads), a durable-append
 * loop writing the same event with the same group commit (durable-append.ts: information), and the two together,
 * the route appending the event through the embedded store before it answers (storage-floor-app.ts: the most any
 * ledger on this stack can do, so the highest share of the route a target can ask for). Every acknowledged id is
 * read back from the store after the ledger is SIGKILLed.
 */
export const commands: Workload = {
  name: 'commands',
  description: 'GrantConsent, IssueToken, RevokeConsent over HTTP vs a trivial Nest route and a durable-append floor; every acknowledged id read back',
  async run(ctx) {
    const durationS = ctx.quick ? 3 : 10;
    // Enough consents that RevokeConsent never runs out at 3,000/s, well above what it does here.
    const revocable = (ctx.rounds + 1) * durationS * 3_000;
    const dataDir = join(ctx.scratchDir, 'data');
    const eventsFile = join(dataDir, 'events.db');
    ctx.log(`seeding ${(ISSUE_POOL + revocable).toLocaleString('en-US')} consents through the event-store port`);
    // Sealed under their users' keys, as GrantConsent seals them: unsealed, each seeded user's first IssueToken or
    // RevokeConsent would create its key (a key-store write and a WAL sync) that production pays once, at the grant.
    await seedTokens(eventsFile, ISSUE_POOL + revocable, 1, undefined, { subjectKeysIn: secretsDirFor(dataDir) });
    const ledger = await startLedger(dataDir);
    const limits: LimitProcess[] = [];
    let killed = false;
    try {
      const route = await startLimit(join(__dirname, '..', 'support', 'trivial-nest-app.ts'), []);
      limits.push(route);
      const floor = await startLimit(join(__dirname, '..', 'support', 'durable-append.ts'), [join(ctx.scratchDir, 'floor.db')]);
      limits.push(floor);
      const storage = await startLimit(join(__dirname, '..', 'support', 'storage-floor-app.ts'), [join(ctx.scratchDir, 'storage-floor.db')]);
      limits.push(storage);
      const targets = { ledger: ledgerTarget(ledger), route: limitTarget('trivial Nest route', route), storage: limitTarget('storage floor', storage) };

      const headers = { 'content-type': 'application/json', ...BENCH_HEADERS.commands };
      const acknowledged: Record<Command, string[]> = { GrantConsent: [], IssueToken: [], RevokeConsent: [] };
      let users = 0;
      let nextRevocation = ISSUE_POOL;
      const consentOf = (i: number) => consentIdFor(pairKey(`bench-user-${i}`, 'bench-app'), 1);
      const grantBody = () => JSON.stringify({ userId: `bench-new-${users++}`, clientId: 'bench-app', scopes: SCOPES });
      const shapes: Record<Command, { path: string | (() => string); body: () => string; ok: number; id: (answer: any, sent: { path: string }) => string }> = {
        GrantConsent: { path: '/v1/consents', body: grantBody, ok: 201, id: (a) => a.id },
        IssueToken: { path: '/v1/tokens', body: () => JSON.stringify({ consentId: consentOf(Math.floor(Math.random() * ISSUE_POOL)) }), ok: 201, id: (a) => a.token_id },
        RevokeConsent: {
          path: () => {
            if (nextRevocation >= ISSUE_POOL + revocable) throw new Error('ran out of seeded consents to revoke');
            return `/v1/consents/${consentOf(nextRevocation++)}/revoke`;
          },
          body: () => '{}',
          ok: 200,
          id: (_a, sent) => sent.path.split('/')[3],
        },
      };
      const onLedger = async (command: Command, seconds: number) => {
        const shape = shapes[command];
        const m = await measure(targets.ledger, (url) =>
          load({
            url,
            path: shape.path,
            durationS: seconds,
            headers,
            body: shape.body,
            onResponse: (status, text, sent) => status === shape.ok && acknowledged[command].push(shape.id(JSON.parse(text), sent)),
          }),
        );
        // Then until the ledger is idle: its relays may still be reading the run's events, on the CPU the next step
        // (a limit) would use. Their CPU after the run is not in the ledger's CPU per command, which flatters it.
        await settled(ledger);
        return m;
      };
      // Information: the ledger's own HTTP path without a command. A GrantConsent whose scopes are not a list is
      // authenticated, authorised, parsed, validated and refused with a problem (400) and its access line, and
      // reaches neither the executor nor the store: the ledger's share of a command's cost that is not the command.
      const refusedBody = () => JSON.stringify({ userId: `bench-refused-${users++}`, clientId: 'bench-app', scopes: 'openid' });
      const onRefused = async (seconds: number) => {
        let other = 0;
        const m = await measure(targets.ledger, (url) => load({ url, path: '/v1/consents', durationS: seconds, headers, body: refusedBody, onResponse: (status, text) => (status === 400 && JSON.parse(text).code ? undefined : other++) }), { refusals: true });
        if (other > 0) throw new Error(`refused GrantConsent: ${other} answers that were not a 400 problem`);
        return m;
      };
      // The limit gets the GrantConsent body for every command, and its answers are parsed like the ledger's.
      const onRoute = (seconds: number) => measure(targets.route, (url) => load({ url, path: '/v1/consents', durationS: seconds, headers, body: grantBody, onResponse: (_s, text) => JSON.parse(text) }));
      const templates = {} as Record<Command, unknown>;
      // The route and the store together, appending the command's own event, on the command's own path and body (a
      // revocation of one fixed id: the floor reads nothing), its answers parsed like the route's.
      const floorPaths: Record<Command, string> = { GrantConsent: '/v1/consents', IssueToken: '/v1/tokens', RevokeConsent: `/v1/consents/${consentOf(0)}/revoke` };
      const onStorage = async (command: Command, seconds: number) => {
        await storage.ask({ template: templates[command] });
        return measure(targets.storage, (url) => load({ url, path: floorPaths[command], durationS: seconds, headers, body: shapes[command].body, onResponse: (_s, text) => JSON.parse(text) }));
      };
      const onFloor = async (command: Command, seconds: number): Promise<Measured> => {
        const before = await floor.cpuMs();
        const r = await floor.ask<{ appends: number; perSecond: number; p99: number }>({ run: { durationS: seconds, concurrency: CONNECTIONS, event: templates[command] } });
        const cpu = (await floor.cpuMs()) - before;
        return { requestsPerSecond: r.perSecond, p50: NaN, p99: r.p99, total: r.appends, non2xx: 0, errors: 0, cpuPerOp: cpu / r.appends } satisfies LoadResult & { cpuPerOp: number };
      };

      ctx.log('warm-up');
      await onRoute(Math.min(2, durationS));
      for (const command of COMMANDS) await onLedger(command, Math.min(2, durationS));
      // The floor appends the very events the ledger wrote (data, metadata with its chain link), read from its file.
      const events = new Database(eventsFile, { readonly: true });
      for (const command of COMMANDS) {
        const row = events.prepare<[string], { type: string; data: string; metadata: string }>('SELECT type, data, metadata FROM events WHERE type = ? ORDER BY position DESC LIMIT 1').get(EVENT[command].type);
        if (!row) throw new Error(`the ledger wrote no ${EVENT[command].type} during the warm-up`);
        templates[command] = { type: row.type, data: JSON.parse(row.data), metadata: JSON.parse(row.metadata) };
      }
      events.close();
      for (const command of COMMANDS) await onFloor(command, 1);
      await onStorage('GrantConsent', Math.min(2, durationS));

      type Step = `route ${Command}` | Command | `floor ${Command}` | `storage ${Command}` | 'refused';
      const steps: Step[] = [...COMMANDS.flatMap((c) => [`route ${c}`, c, `storage ${c}`, `floor ${c}`] as Step[]), 'refused'];
      const { load: loads, by } = await interleaved(ctx.rounds, steps, (step) => {
        if (step === 'refused') return onRefused(durationS);
        if (step.startsWith('route ')) return onRoute(durationS);
        if (step.startsWith('floor ')) return onFloor(step.slice(6) as Command, durationS);
        if (step.startsWith('storage ')) return onStorage(step.slice(8) as Command, durationS);
        return onLedger(step as Command, durationS);
      }, ctx.log);
      const rss = Math.round(memory(ledger.child.pid!).rssMb);

      // Nothing acknowledged is lost: SIGKILL (no shutdown hook, no flush), then every acknowledged id must be in the file.
      await ledger.kill();
      killed = true;
      const store = new Database(eventsFile, { readonly: true });
      const lost: Record<Command, number> = { GrantConsent: 0, IssueToken: 0, RevokeConsent: 0 };
      for (const command of COMMANDS) {
        const stored = new Set(store.prepare<[string, string], { id: string }>('SELECT json_extract(data, ?) AS id FROM events WHERE type = ?').all(EVENT[command].id, EVENT[command].type).map((r) => r.id));
        lost[command] = acknowledged[command].filter((id) => !stored.has(id)).length;
      }
      store.close();
      const checked = COMMANDS.reduce((n, c) => n + acknowledged[c].length, 0);
      ctx.log(`read back ${checked.toLocaleString('en-US')} acknowledged ids after SIGKILL: lost ${JSON.stringify(lost)}`);

      const pick = (xs: Measured[], f: (m: Measured) => number) => xs.map((m) => round(f(m), 3));
      const figures: Figure[] = [];
      for (const c of COMMANDS) {
        const trivial = { name: 'trivial Nest route', values: [] as number[] };
        const led = by[c];
        const lim = by[`route ${c}`];
        const flo = by[`floor ${c}`];
        const sto = by[`storage ${c}`];
        figures.push(
          { name: `${c} throughput`, unit: 'cmd/s', ledger: pick(led, (m) => m.requestsPerSecond), limit: { ...trivial, values: pick(lim, (m) => m.requestsPerSecond) }, ratio: '%', target: { of: 'ratio', value: 40, higher: true }, load: loads },
          { name: `${c} vs the storage floor: the route appending its event (information)`, unit: 'cmd/s', ledger: pick(led, (m) => m.requestsPerSecond), limit: { name: 'route + durable append', values: pick(sto, (m) => m.requestsPerSecond) }, ratio: '%', load: loads },
          // The floor against the route it is built on: no ledger's share of the route can be higher than this one.
          { name: `storage floor of ${c} vs trivial Nest route: the highest share any ledger reaches (information)`, unit: 'cmd/s', ledger: pick(sto, (m) => m.requestsPerSecond), limit: { ...trivial, values: pick(lim, (m) => m.requestsPerSecond) }, ratio: '%', load: loads },
          { name: `CPU per ${c} vs the storage floor (information)`, unit: 'ms', ledger: pick(led, (m) => m.cpuPerOp), limit: { name: 'route + durable append', values: pick(sto, (m) => m.cpuPerOp) }, ratio: 'x', load: loads },
          { name: `${c} vs durable append of its event (information)`, unit: 'cmd/s', ledger: pick(led, (m) => m.requestsPerSecond), limit: { name: 'better-sqlite3 group commit', values: pick(flo, (m) => m.requestsPerSecond) }, ratio: '%', load: loads },
          { name: `${c} p99`, unit: 'ms', ledger: pick(led, (m) => m.p99), limit: { ...trivial, values: pick(lim, (m) => m.p99) }, ratio: 'x', load: loads },
          {
            name: `CPU per ${c}`,
            unit: 'ms',
            ledger: pick(led, (m) => m.cpuPerOp),
            limit: { ...trivial, values: pick(lim, (m) => m.cpuPerOp) },
            ratio: 'x',
            ...(c === 'RevokeConsent' ? { target: { of: 'value' as const, value: 0.5, higher: false } } : {}),
            load: loads,
          },
        );
      }
      const trivialCpu = { name: 'trivial Nest route', values: pick(by['route GrantConsent'], (m) => m.cpuPerOp) };
      figures.push(
        { name: 'CPU per request refused at validation, no command (information)', unit: 'ms', ledger: pick(by.refused, (m) => m.cpuPerOp), limit: trivialCpu, ratio: 'x', load: loads },
        { name: 'requests refused at validation, no command (information)', unit: 'req/s', ledger: pick(by.refused, (m) => m.requestsPerSecond), limit: { name: 'trivial Nest route', values: pick(by['route GrantConsent'], (m) => m.requestsPerSecond) }, ratio: '%', load: loads },
        { name: `acknowledged (${checked.toLocaleString('en-US')}), then missing from the store after SIGKILL`, unit: 'ids', ledger: [COMMANDS.reduce((n, c) => n + lost[c], 0)], target: { of: 'value', value: 0, higher: false }, load: [loads[loads.length - 1]] },
        { name: 'ledger RSS after the rounds', unit: 'MB', ledger: [rss], load: [loads[loads.length - 1]] },
      );
      return {
        workload: 'commands',
        shape:
          `${CONNECTIONS} closed-loop autocannon connections, ${durationS} s per run, rounds of (trivial route, ledger, route + durable append, durable append) per command, then the ledger refusing an invalid GrantConsent at validation; ` +
          `GrantConsent for new users, IssueToken on ${ISSUE_POOL.toLocaleString('en-US')} seeded consents, RevokeConsent each seeded consent once; ` +
          `CPU: the measured process only (the ledger's from /metrics); loss: every acknowledged id read back from events.db after SIGKILL`,
        figures,
        notes: { durationS, connections: CONNECTIONS, acknowledged: Object.fromEntries(COMMANDS.map((c) => [c, acknowledged[c].length])), lost, rounds: by },
      };
    } finally {
      for (const limit of limits) await limit.stop();
      if (!killed) await ledger.stop();
    }
  },
};
