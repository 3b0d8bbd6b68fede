import { join } from 'node:path';
import { BENCH_API_KEYS, BENCH_HEADERS, memory, startLedger } from '../support/ledger';
import { LimitProcess, startLimit } from '../support/limit-process';
import { CONNECTIONS, load } from '../support/load';
import { interleaved, ledgerTarget, limitTarget, measure, Measured, Target } from '../support/rounds';
import { benchToken, seedTokens } from '../support/seed-tokens';
import { round } from '../support/stats';
import { Figure, Workload } from '../workload';

/** Offered load for the open-loop figures: Ory Hydra's published introspection throughput on 2 CPUs, rounded down. */
const FIXED_RATE = 5_000;
const PER_CONSENT = 100;
const PATH = '/v1/oauth2/introspect';

/**
 * RFC 7662 introspection at several sizes of the token view (the cost curve), each size against its same-run limit:
 * a bare node:http server that does the ledger's work on the ledger's own views.db (bare-introspection-server.ts).
 * A bare server answering from an in-memory Map is kept beside it as information.
 */
export const introspection: Workload = {
  name: 'introspection',
  description: 'RFC 7662 introspection at 10k and 1M live tokens (10M with BENCH_SCALE=10m), vs a bare node:http server on the same view DB',
  async run(ctx) {
    const sizes = ctx.quick ? [10_000, 100_000] : ctx.only10m ? [10_000_000] : [10_000, 1_000_000, ...(ctx.scale10m ? [10_000_000] : [])];
    const durationS = ctx.quick ? 3 : 10;
    const figures: Figure[] = [];
    const notes: Record<string, unknown> = { durationS, connections: CONNECTIONS, fixedRate: FIXED_RATE, sizes };
    for (const size of sizes) {
      const largest = size === sizes[sizes.length - 1];
      const at = `${size.toLocaleString('en-US')} live tokens`;
      const dir = join(ctx.scratchDir, String(size));
      const dataDir = join(dir, 'data');
      // A Map of 10M hashes would take gigabytes in the load generator's machine for a figure that is information only.
      const withMap = size <= 1_000_000;
      const hashesFile = withMap ? join(dir, 'hashes.txt') : undefined;
      ctx.log(`${at}: seeding through the event-store port`);
      let t0 = Date.now();
      const tokens = await seedTokens(join(dataDir, 'events.db'), size / PER_CONSENT, PER_CONSENT, hashesFile);
      ctx.log(`${at}: seeded in ${Date.now() - t0} ms; starting the ledger (it rebuilds its views)`);
      t0 = Date.now();
      const ledger = await startLedger(dataDir);
      const startupMs = Date.now() - t0;
      const limits: LimitProcess[] = [];
      try {
        const bare = await startLimit(join(__dirname, '..', 'support', 'bare-introspection-server.ts'), [join(dataDir, 'views.db'), BENCH_API_KEYS], { logFile: join(dir, 'bare.log') });
        limits.push(bare);
        const framework = await startLimit(join(__dirname, '..', 'support', 'fastify-introspection-server.ts'), [join(dataDir, 'views.db'), BENCH_API_KEYS], { logFile: join(dir, 'fastify.log') });
        limits.push(framework);
        const map = hashesFile ? await startLimit(join(__dirname, '..', 'support', 'map-introspection-server.ts'), [hashesFile]) : undefined;
        if (map) limits.push(map);
        const targets: Record<'bare' | 'ledger' | 'fastify' | 'map', Target | undefined> = {
          bare: limitTarget('bare node:http on the view DB', bare),
          ledger: ledgerTarget(ledger),
          fastify: limitTarget('bare Fastify on the view DB', framework),
          map: map && limitTarget('node:http + Map', map),
        };
        // Half valid tokens, half unknown ones, in random order.
        const body = () => {
          const i = Math.floor(Math.random() * tokens);
          return `token=${Math.random() < 0.5 ? benchToken(i) : 'clt_unknown' + i}`;
        };
        const headers = { 'content-type': 'application/x-www-form-urlencoded', ...BENCH_HEADERS.introspect };
        const run = (target: Target, seconds: number, overallRate?: number) => measure(target, (url) => load({ url, path: PATH, durationS: seconds, headers, body, overallRate }));
        const steps = (withMap ? ['bare', 'ledger', 'fastify', 'map'] : ['bare', 'ledger', 'fastify']) as Array<'bare' | 'ledger' | 'fastify' | 'map'>;
        ctx.log(`${at}: warm-up`);
        for (const step of steps) await run(targets[step]!, Math.min(2, durationS));
        const rssAfter: number[] = [];
        const saturated = await interleaved(ctx.rounds, steps, async (step) => {
          const result = await run(targets[step]!, durationS);
          if (step === 'ledger') rssAfter.push(Math.round(memory(ledger.child.pid!).rssMb));
          return result;
        }, ctx.log);
        const { load: loads, by } = saturated;
        const pick = (xs: Measured[], f: (m: Measured) => number) => xs.map((m) => round(f(m), 3));
        const bareName = 'bare node:http, same view DB';
        figures.push(
          { name: `throughput, ${at}`, unit: 'req/s', ledger: pick(by.ledger, (m) => m.requestsPerSecond), limit: { name: bareName, values: pick(by.bare, (m) => m.requestsPerSecond) }, ratio: '%', target: { of: 'ratio', value: 75, higher: true }, load: loads },
          { name: `p99 at saturation, ${at}`, unit: 'ms', ledger: pick(by.ledger, (m) => m.p99), limit: { name: bareName, values: pick(by.bare, (m) => m.p99) }, ratio: 'x', target: { of: 'ratio', value: 1.5, higher: false }, load: loads },
          { name: `p50 at saturation, ${at}`, unit: 'ms', ledger: pick(by.ledger, (m) => m.p50), limit: { name: bareName, values: pick(by.bare, (m) => m.p50) }, ratio: 'x', load: loads },
          { name: `CPU per introspection, ${at}`, unit: 'ms', ledger: pick(by.ledger, (m) => m.cpuPerOp), limit: { name: bareName, values: pick(by.bare, (m) => m.cpuPerOp) }, ratio: 'x', load: loads },
        );
        // The framework's own share (information): the same work on a bare Fastify, one route and no hooks.
        const fastifyName = 'bare Fastify, same work';
        figures.push(
          { name: `bare Fastify vs bare node:http (information), ${at}`, unit: 'req/s', ledger: pick(by.fastify, (m) => m.requestsPerSecond), limit: { name: bareName, values: pick(by.bare, (m) => m.requestsPerSecond) }, ratio: '%', load: loads },
          { name: `ledger vs bare Fastify (information), ${at}`, unit: 'req/s', ledger: pick(by.ledger, (m) => m.requestsPerSecond), limit: { name: fastifyName, values: pick(by.fastify, (m) => m.requestsPerSecond) }, ratio: '%', load: loads },
          { name: `CPU per introspection vs bare Fastify (information), ${at}`, unit: 'ms', ledger: pick(by.ledger, (m) => m.cpuPerOp), limit: { name: fastifyName, values: pick(by.fastify, (m) => m.cpuPerOp) }, ratio: 'x', load: loads },
        );
        if (withMap) figures.push({ name: `throughput vs in-memory Map (information), ${at}`, unit: 'req/s', ledger: pick(by.ledger, (m) => m.requestsPerSecond), limit: { name: 'node:http + Map', values: pick(by.map, (m) => m.requestsPerSecond) }, ratio: '%', load: loads });
        notes[`tokens${size}`] = { tokens, startupWithRebuildMs: startupMs, rounds: by };
        if (largest) {
          // Latency at a stated load as well. At saturation 32 closed-loop connections queue on one event loop, so
          // the tail mostly measures the queue. A resource-service fleet offers a rate, not a queue: these rounds hold
          // Ory Hydra's published 5,109 introspections/s (the peer reference), rounded down, against the
          // ledger and the bare server. autocannon's open-loop mode sends in bursts per tick, so the figure is noisy.
          const atRate = await interleaved(ctx.rounds, ['bare', 'ledger'] as const, (step) => run(targets[step]!, durationS, FIXED_RATE), ctx.log);
          figures.push(
            { name: `p99 at ${FIXED_RATE.toLocaleString('en-US')} req/s offered, ${at}`, unit: 'ms', ledger: pick(atRate.by.ledger, (m) => m.p99), limit: { name: bareName, values: pick(atRate.by.bare, (m) => m.p99) }, ratio: 'x', load: atRate.load },
            { name: `RSS after each round, ${at}`, unit: 'MB', ledger: rssAfter, target: { of: 'value', value: 400, higher: false }, load: loads },
            { name: `service start with the rebuild, ${at}`, unit: 's', ledger: [round(startupMs / 1000, 1)], load: [loads[0]] },
          );
          notes.atRate = atRate.by;
          notes.peakRssMb = Math.round(memory(ledger.child.pid!).peakMb);
        }
      } finally {
        for (const limit of limits) await limit.stop();
        await ledger.stop();
      }
    }
    return {
      workload: 'introspection',
      shape:
        `${CONNECTIONS} closed-loop autocannon connections (and ${FIXED_RATE.toLocaleString('en-US')} req/s open loop at the largest size), ${durationS} s per run, rounds bare/ledger/bare Fastify/Map; ` +
        `50 % valid / 50 % unknown tokens; CPU: the measured server's own process.cpuUsage (the ledger's from /metrics), load generator excluded; read-only, nothing to lose`,
      figures,
      notes,
    };
  },
};
