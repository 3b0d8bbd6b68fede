import { ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { LedgerProcess, spawnLedger } from '../../test/support/ledger-process';
import { Workload } from '../workload';
import { BENCH_API_KEYS, BENCH_HEADERS } from './introspection';

const STORE = 'the wire-level EventStoreDB test server';

/** Plain node:http over kept-alive connections, as in revocation-propagation.ts: the poller must not be the bottleneck. */
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
interface Answer {
  status: number;
  body: string;
  consistency?: string;
  /** performance.now() when the whole answer had arrived. */
  at: number;
}
function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, consistency: res.headers['ledger-consistency'] as string | undefined, at: performance.now() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const json = { ...BENCH_HEADERS.commands, 'content-type': 'application/json' };
const form = { ...BENCH_HEADERS.introspect, 'content-type': 'application/x-www-form-urlencoded' };
const introspect = (ledger: LedgerProcess, token: string, consistency?: string) =>
  post(`${ledger.url}/v1/oauth2/introspect`, `token=${encodeURIComponent(token)}${consistency ? `&consistency=${consistency}` : ''}`, form);
const isActive = (a: Answer) => a.status === 200 && a.body.startsWith('{"active":true');

/**
 * The window between instances: a revocation acknowledged by instance A, introspected on instance B, which sees it
 * only when its own subscription gets there. Two built ledgers, each its own process with production flags, on the
 * wire-level EventStoreDB test server (its own process too, test/support/esdb-test-server/main.ts).
 *
 * One revocation at a time (an idle pair: the window itself, not a queue), each measured from the moment A's answer
 * arrived to the first introspection answer that says inactive, in three interleaved groups:
 * - on B, polling back to back without a token: the window, and how many `active: true` answers B gave inside it;
 * - on A itself: one introspection, the same-run limit (A's views include the revocation before A answers);
 * - on B with A's consistency token: one introspection that waits for B's views; never `active: true`.
 */
export const crossInstanceRevocation: Workload = {
  name: 'cross-instance-revocation',
  description: `Revoke on instance A, introspect on instance B (two ledgers on ${STORE}): p50/p99 window, vs A itself, and with the consistency token`,
  async run(ctx) {
    const perGroup = ctx.quick ? 60 : 500;
    const warmup = ctx.quick ? 30 : 200;
    const consents = warmup + 3 * perGroup;
    let server: ChildProcess | undefined;
    const ledgers: LedgerProcess[] = [];
    try {
      ctx.log(`starting ${STORE}`);
      server = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ctx.root, 'test/support/esdb-test-server/main.ts'), '0'], {
        cwd: ctx.root,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const connectionString = await firstLine(server);
      const env = { EVENTSTORE_CONNECTION_STRING: connectionString, LEDGER_API_KEYS: BENCH_API_KEYS, LOG_LEVEL: 'warn' };
      for (const name of ['a', 'b']) ledgers.push(await spawnLedger({ dataDir: join(ctx.scratchDir, name), env }));
      const [a, b] = ledgers;

      ctx.log(`seeding ${consents} consents with a token each through A`);
      if ((await post(`${a.url}/v1/clients`, JSON.stringify({ clientId: 'bench-app', name: 'Bench' }), json)).status !== 201) throw new Error('register client failed');
      const tokens: Array<{ consentId: string; token: string }> = new Array(consents);
      await inParallel(consents, 8, async (i) => {
        const consent = await post(`${a.url}/v1/consents`, JSON.stringify({ userId: `bench-user-${i}`, clientId: 'bench-app', scopes: ['openid'] }), json);
        if (consent.status !== 201) throw new Error(`grant: ${consent.status} ${consent.body}`);
        const consentId = JSON.parse(consent.body).id as string;
        const issued = await post(`${a.url}/v1/tokens`, JSON.stringify({ consentId }), json);
        if (issued.status !== 201) throw new Error(`issue: ${issued.status} ${issued.body}`);
        tokens[i] = { consentId, token: JSON.parse(issued.body).access_token };
      });
      // B has every token once it knows the last one issued (its views apply the log in order).
      const deadline = Date.now() + 60_000;
      while (!isActive(await introspect(b, tokens[consents - 1].token))) {
        if (Date.now() > deadline) throw new Error('B never caught up with the seeded tokens');
        await new Promise((r) => setTimeout(r, 50));
      }

      const windowMs: number[] = [];
      const staleAnswers: number[] = [];
      const selfMs: number[] = [];
      const tokenMs: number[] = [];
      let activeWithToken = 0;
      let tokenRefusals = 0;
      const measure = async (i: number, record: boolean) => {
        const { consentId, token } = tokens[i];
        const revoked = await post(`${a.url}/v1/consents/${consentId}/revoke`, '{}', json);
        if (revoked.status !== 200 || !revoked.consistency) throw new Error(`revoke: ${revoked.status} ${revoked.body}`);
        const group = i % 3;
        if (group === 0) {
          let stale = 0;
          for (;;) {
            const answer = await introspect(b, token);
            if (!isActive(answer)) {
              if (answer.status !== 200) throw new Error(`B answered ${answer.status}`);
              if (!record) return;
              windowMs.push(answer.at - revoked.at);
              staleAnswers.push(stale);
              return;
            }
            stale += 1;
          }
        }
        // With the token, a 503 (B's views not there within LEDGER_CONSISTENCY_WAIT_MS) is retried, as a caller would.
        let answer: Answer;
        do {
          answer = group === 1 ? await introspect(a, token) : await introspect(b, token, revoked.consistency);
          if (answer.status === 503) tokenRefusals += 1;
        } while (answer.status === 503 && group === 2);
        if (isActive(answer)) activeWithToken += 1;
        else if (answer.status !== 200) throw new Error(`introspection answered ${answer.status} ${answer.body}`);
        if (record) (group === 1 ? selfMs : tokenMs).push(answer.at - revoked.at);
      };
      ctx.log(`warm-up: ${warmup} revocations`);
      for (let i = 0; i < warmup; i++) await measure(i, false);
      ctx.log(`measuring: ${3 * perGroup} revocations, one at a time`);
      for (let i = warmup; i < consents; i++) await measure(i, true);
      if (activeWithToken > 0) throw new Error(`${activeWithToken} introspections answered active:true after the revocation`);

      const q = (xs: number[], p: number) => {
        const sorted = [...xs].sort((x, y) => x - y);
        return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 100) / 100;
      };
      const ratio = (x: number, y: number) => Math.round((x / y) * 10) / 10;
      ctx.log(`window on B p50 ${q(windowMs, 0.5)} ms, p99 ${q(windowMs, 0.99)} ms; A itself p99 ${q(selfMs, 0.99)} ms; B with token p99 ${q(tokenMs, 0.99)} ms`);
      const label = `(measured on ${STORE})`;
      return {
        workload: 'cross-instance-revocation',
        figures: [
          { name: `window: A acknowledged -> B inactive, p50 ${label}`, value: q(windowMs, 0.5), unit: 'ms' },
          { name: `window: A acknowledged -> B inactive, p99 ${label}`, value: q(windowMs, 0.99), unit: 'ms' },
          { name: `revocations B still answered active after A acknowledged ${label}`, value: staleAnswers.filter((n) => n > 0).length, unit: `of ${perGroup}` },
          { name: `same introspection on A itself, p50 ${label}`, value: q(selfMs, 0.5), unit: 'ms' },
          { name: `same introspection on A itself, p99 ${label}`, value: q(selfMs, 0.99), unit: 'ms' },
          { name: `window p99 / A itself p99 ${label}`, value: ratio(q(windowMs, 0.99), q(selfMs, 0.99)), unit: 'x' },
          { name: `B with the consistency token, p50 ${label}`, value: q(tokenMs, 0.5), unit: 'ms' },
          { name: `B with the consistency token, p99 ${label}`, value: q(tokenMs, 0.99), unit: 'ms' },
          { name: `B with the token p99 / A itself p99 ${label}`, value: ratio(q(tokenMs, 0.99), q(selfMs, 0.99)), unit: 'x' },
          { name: 'active:true answers with the token', value: activeWithToken, unit: '', target: { value: 0, higher: false } },
        ],
        notes: {
          store: STORE,
          revocationsPerGroup: perGroup,
          warmup,
          pacing: 'one revocation at a time, idle pair',
          staleActiveAnswersOnB: { p50: q(staleAnswers, 0.5), p99: q(staleAnswers, 0.99), max: q(staleAnswers, 1) },
          windowMaxMs: q(windowMs, 1),
          tokenMaxMs: q(tokenMs, 1),
          consistencyTimeouts: tokenRefusals,
        },
      };
    } finally {
      agent.destroy();
      for (const ledger of ledgers) await ledger.stop();
      server?.kill('SIGTERM');
    }
  },
};

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the EventStoreDB test server exited with ${code}`)));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0].trim());
    });
  });
}

async function inParallel(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await task(next++);
  }));
}
