/**
 * Profiles one request shape against the built service, for docs/performance.md's profiles:
 *
 *   LEDGER_NODE_ARGS="--cpu-prof --cpu-prof-dir=.tmp/prof/revoke" \
 *     node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/profile/profile-command.ts revoke 10
 *   node bench/profile/summarize-cpuprofile.js .tmp/prof/revoke/<largest>.cpuprofile 60 10
 *
 * Shapes: refused (a GrantConsent refused at validation), grant, issue, revoke; 32 closed-loop connections, as the
 * commands workload. Unlike that workload, the service is stopped with SIGTERM, so that --cpu-prof writes its profile
 * (a SIGKILL, the workload's loss check, writes nothing). The load starts once /health/ready says the views have
 * caught up, and once the ledger is idle (settled): the other relays (the SSE and user-revocation fan-outs, SSF) read
 * and open the seeded log for seconds after ready.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consentIdFor, pairKey } from '@ledger/domain';
import { secretsDirFor } from '../../test/support/ledger-app';
import { BENCH_HEADERS, settled, startLedger } from '../support/ledger';
import { load } from '../support/load';
import { seedTokens } from '../support/seed-tokens';

/** Seeded consents: enough that RevokeConsent, each consent once after the first 1,000, never runs out. */
const seededFor = (seconds: number) => Math.max(40_000, 1_000 + (seconds + 2) * 3_000);

async function main() {
  const shape = process.argv[2] ?? 'refused';
  const seconds = Number(process.argv[3] ?? 10);
  const dataDir = join(mkdtempSync(join(tmpdir(), 'ledger-profile-')), 'data');
  // Sealed under their users' keys, as granted consents are (see the commands workload).
  await seedTokens(join(dataDir, 'events.db'), seededFor(seconds), 1, undefined, { subjectKeysIn: secretsDirFor(dataDir) });
  const ledger = await startLedger(dataDir);
  const consentOf = (i: number) => consentIdFor(pairKey(`bench-user-${i}`, 'bench-app'), 1);
  let n = 0;
  const shapes: Record<string, { path: string | (() => string); body: () => string }> = {
    refused: { path: '/v1/consents', body: () => JSON.stringify({ userId: `refused-${n++}`, clientId: 'bench-app', scopes: 'openid' }) },
    grant: { path: '/v1/consents', body: () => JSON.stringify({ userId: `granted-${n++}`, clientId: 'bench-app', scopes: ['openid', 'email'] }) },
    issue: { path: '/v1/tokens', body: () => JSON.stringify({ consentId: consentOf(Math.floor(Math.random() * 1_000)) }) },
    // Each seeded consent once, after the ones IssueToken picks from.
    revoke: { path: () => `/v1/consents/${consentOf(1_000 + n++)}/revoke`, body: () => '{}' },
  };
  const chosen = shapes[shape];
  if (!chosen) throw new Error(`shape must be one of ${Object.keys(shapes).join(', ')}`);
  while ((await fetch(`${ledger.url}/health/ready`)).status !== 200) await new Promise((r) => setTimeout(r, 200));
  await settled(ledger);
  const headers = { 'content-type': 'application/json', ...BENCH_HEADERS.commands };
  const statuses = new Map<number, number>();
  await load({ url: ledger.url, path: chosen.path, durationS: 2, headers, body: chosen.body, onResponse: () => undefined });
  const result = await load({ url: ledger.url, path: chosen.path, durationS: seconds, headers, body: chosen.body, onResponse: (status) => void statuses.set(status, (statuses.get(status) ?? 0) + 1) });
  process.stdout.write(`${shape}: ${Math.round(result.requestsPerSecond)} req/s, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`);
  ledger.child.kill('SIGTERM');
  await new Promise((resolve) => ledger.child.once('exit', resolve));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
