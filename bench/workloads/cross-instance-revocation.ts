import { ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { LedgerProcess } from '../../test/support/ledger-process';
import { BENCH_HEADERS, startLedger } from '../support/ledger';
import { loadAverage, quantile, round } from '../support/stats';
import { Figure, Workload } from '../workload';

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
 * arrived to the first introspection answer that says inactive, in three interleaved groups, in rounds:
 * - on B, polling back to back without a token: the window, and how many `active: true` answers B gave inside it;
 * - on A itself: one introspection, the same-run limit (A's views include the revocation before A answers);
 * - on B with A's consistency token: one introspection that waits for B's views; never `active: true`.
 */
export const crossInstanceRevocation: Workload = {
  name: 'cross-instance-revocation',
  description: `Revoke on instance A, introspect on instance B (two ledgers on ${STORE}): p50/p99 window, vs A itself, and with the consistency token`,
  async run(ctx) {
    const perGroup = ctx.quick ? 60 : 300;
    const warmup = ctx.quick ? 30 : 200;
    const consents = warmup + ctx.rounds * 3 * perGroup;
    let server: ChildProcess | undefined;
    const ledgers: LedgerProcess[] = [];
    try {
      ctx.log(`starting ${STORE}`);
      server = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ctx.root, 'test/support/esdb-test-server/main.ts'), '0'], {
        cwd: ctx.root,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const connectionString = await firstLine(server);
      for (const name of ['a', 'b']) ledgers.push(await startLedger(join(ctx.scratchDir, name, 'data'), { EVENTSTORE_CONNECTION_STRING: connectionString }));
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

      interface Round {
        windowMs: number[];
        staleAnswers: number[];
        selfMs: number[];
        tokenMs: number[];
      }
      const rounds: Round[] = [];
      let current: Round = { windowMs: [], staleAnswers: [], selfMs: [], tokenMs: [] };
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
              current.windowMs.push(answer.at - revoked.at);
              current.staleAnswers.push(stale);
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
        if (record) (group === 1 ? current.selfMs : current.tokenMs).push(answer.at - revoked.at);
      };
      ctx.log(`warm-up: ${warmup} revocations`);
      for (let i = 0; i < warmup; i++) await measure(i, false);
      const loads: number[] = [];
      for (let r = 0; r < ctx.rounds; r++) {
        loads.push(loadAverage());
        ctx.log(`round ${r + 1}/${ctx.rounds} (load ${loads[r]}): ${3 * perGroup} revocations, one at a time`);
        current = { windowMs: [], staleAnswers: [], selfMs: [], tokenMs: [] };
        for (let i = warmup + r * 3 * perGroup; i < warmup + (r + 1) * 3 * perGroup; i++) await measure(i, true);
        rounds.push(current);
      }
      if (activeWithToken > 0) throw new Error(`${activeWithToken} introspections answered active:true after the revocation`);

      const q = (p: number, of: (r: Round) => number[]) => rounds.map((r) => round(quantile(of(r), p), 2));
      const self = 'same introspection on A itself';
      const figures: Figure[] = [
        { name: `window: A acknowledged -> B inactive, p50`, unit: 'ms', ledger: q(0.5, (r) => r.windowMs), limit: { name: self, values: q(0.5, (r) => r.selfMs) }, ratio: 'x', load: loads },
        { name: `window: A acknowledged -> B inactive, p99`, unit: 'ms', ledger: q(0.99, (r) => r.windowMs), limit: { name: self, values: q(0.99, (r) => r.selfMs) }, ratio: 'x', load: loads },
        { name: `revocations B still answered active after A acknowledged`, unit: `of ${perGroup}`, ledger: rounds.map((r) => r.staleAnswers.filter((n) => n > 0).length), load: loads },
        { name: `B with the consistency token, p50`, unit: 'ms', ledger: q(0.5, (r) => r.tokenMs), limit: { name: self, values: q(0.5, (r) => r.selfMs) }, ratio: 'x', load: loads },
        { name: `B with the consistency token, p99`, unit: 'ms', ledger: q(0.99, (r) => r.tokenMs), limit: { name: self, values: q(0.99, (r) => r.selfMs) }, ratio: 'x', load: loads },
        { name: 'active:true answers with the token', unit: '', ledger: [activeWithToken], target: { of: 'value', value: 0, higher: false }, load: [loads[loads.length - 1]] },
      ];
      const all = (of: (r: Round) => number[]) => rounds.flatMap(of);
      return {
        workload: 'cross-instance-revocation',
        shape:
          `two ledgers (A, B) on ${STORE}, each its own process; one revocation at a time on an idle pair, ${perGroup} per group per round, groups interleaved revocation by revocation; ` +
          'CPU not measured (latency of an idle pair); no acknowledged revocation may be answered active with its consistency token',
        figures,
        notes: {
          store: STORE,
          revocationsPerGroup: perGroup,
          warmup,
          pacing: 'one revocation at a time, idle pair',
          staleActiveAnswersOnB: { p50: quantile(all((r) => r.staleAnswers), 0.5), p99: quantile(all((r) => r.staleAnswers), 0.99), max: Math.max(...all((r) => r.staleAnswers)) },
          windowMaxMs: round(Math.max(...all((r) => r.windowMs)), 2),
          tokenMaxMs: round(Math.max(...all((r) => r.tokenMs)), 2),
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
