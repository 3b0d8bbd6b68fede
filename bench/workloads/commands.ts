import { join } from 'node:path';
import { consentIdFor, pairKey } from '@ledger/domain';
import { spawnLedger } from '../../test/support/ledger-process';
import { load } from '../support/load';
import { Workload } from '../workload';
import { BENCH_API_KEYS, BENCH_HEADERS, memory } from './introspection';

/**
 * GrantConsent and IssueToken over HTTP. Every acknowledged command is durable: the embedded store fsyncs before it
 * acknowledges (group commit batches the fsyncs, never skips them).
 */
export const commands: Workload = {
  name: 'commands',
  description: 'GrantConsent and IssueToken over HTTP, durable acknowledgements',
  async run(ctx) {
    const durationS = ctx.quick ? 4 : 15;
    const ledger = await spawnLedger({ dataDir: join(ctx.scratchDir, 'data'), env: { LEDGER_API_KEYS: BENCH_API_KEYS, LOG_LEVEL: 'warn' } });
    const headers = { 'content-type': 'application/json', ...BENCH_HEADERS.commands };
    try {
      const client = await fetch(`${ledger.url}/v1/clients`, { method: 'POST', headers, body: JSON.stringify({ clientId: 'bench-app', name: 'Bench' }) });
      if (client.status !== 201) throw new Error(`register client: ${client.status} ${await client.text()}`);
      const scopes = ['openid', 'email', 'urn:globus:auth:scope:transfer.api.globus.org:all'];
      let users = 0;
      const grants = await load({
        url: ledger.url,
        path: '/v1/consents',
        durationS,
        headers,
        body: () => JSON.stringify({ userId: `bench-${users++}`, clientId: 'bench-app', scopes }),
      });
      const granted = users;
      const consentOf = (i: number) => consentIdFor(pairKey(`bench-${i}`, 'bench-app'), 1);
      const issues = await load({
        url: ledger.url,
        path: '/v1/tokens',
        durationS,
        headers,
        body: () => JSON.stringify({ consentId: consentOf(Math.floor(Math.random() * (granted - 64))) }),
      });
      for (const [name, r] of [['GrantConsent', grants], ['IssueToken', issues]] as const) {
        if (r.errors > 0 || r.non2xx > 0) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      }
      return {
        workload: 'commands',
        figures: [
          { name: 'GrantConsent', value: Math.round(grants.requestsPerSecond), unit: 'cmd/s', target: { value: 5000, higher: true } },
          { name: 'GrantConsent p99', value: grants.p99, unit: 'ms' },
          { name: 'IssueToken', value: Math.round(issues.requestsPerSecond), unit: 'cmd/s', target: { value: 5000, higher: true } },
          { name: 'IssueToken p99', value: issues.p99, unit: 'ms' },
          { name: 'RSS after the run', value: Math.round(memory(ledger.child.pid!).rssMb), unit: 'MB' },
        ],
        notes: { durationS, connections: 32, grants, issues },
      };
    } finally {
      await ledger.stop();
    }
  },
};
