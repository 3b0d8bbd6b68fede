import { ChildProcess, fork } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { consentIdFor, pairKey } from '@ledger/domain';
import { SetSigner } from '@ledger/revocations';
import { freePort, LedgerProcess } from '../../test/support/ledger-process';
import { BENCH_API_KEYS, BENCH_HEADERS, ledgerCpuMs, startLedger } from '../support/ledger';
import { seedTokens } from '../support/seed-tokens';
import { loadAverage, quantile, round } from '../support/stats';
import { Figure, Workload } from '../workload';

const now = () => performance.timeOrigin + performance.now();
const RATE = 200;
const STREAMS = 10;
const RECEIVER_KEY = 'bench-partner-receiver-secret-0123456789';
const RECEIVER = { authorization: `Bearer ${RECEIVER_KEY}`, 'content-type': 'application/json' };
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

function post(agent: Agent | undefined, url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU µs of one RS256 signature of a SET-sized claim set, in this process (one core, nothing else running in it). */
function signingCpuUs(count: number): number {
  const signer = new SetSigner(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  const claims = { iss: 'https://ledger.example', aud: 'partner', iat: 1, jti: 'ssf_0123456789abcdef0123456789abcdef-12345', txn: '00000000-0000-0000-0000-000000000000', log_position: 12345, sub_id: { format: 'complex', user: { format: 'opaque', id: 'bench-user-1' }, application: { format: 'opaque', id: 'bench-app' } }, events: { [SESSION_REVOKED]: { event_timestamp: 1, initiating_entity: 'user' } } };
  for (let i = 0; i < 50; i++) signer.sign(claims as never);
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) signer.sign(claims as never);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

/**
 * Revocation -> SET at an RFC 8935 push receiver in another process: RevokeConsent over HTTP at 200/s against the
 * built service with 10 push streams (each hears every user of the client, so every revocation is 10 SETs, signed
 * and POSTed one after another per stream), measured from the request to the receiver's arrival, over every
 * (revocation, stream) pair; and the last of the 10 streams per revocation. Then the CPU of one RS256 signature (in
 * this process), and RFC 8936 poll throughput: a poll stream that heard every revocation of the run, drained with
 * maxEvents 1000 and ack.
 */
export const ssfPush: Workload = {
  name: 'ssf-push',
  description: 'RevokeConsent at 200/s -> 10 RFC 8935 push streams -> receiver in another process; RS256 CPU per SET; RFC 8936 poll throughput',
  async run(ctx) {
    const durationS = ctx.quick ? 2 : 10;
    const warmup = ctx.quick ? 100 : 1000;
    const perRound = RATE * durationS;
    const dataDir = join(ctx.scratchDir, 'data');
    const port = await freePort();
    let receiver: ChildProcess | undefined;
    let ledger: LedgerProcess | undefined;
    try {
      await seedTokens(join(dataDir, 'events.db'), warmup + ctx.rounds * perRound, 1);
      const received = new Map<string, number[]>();
      receiver = fork(join(__dirname, 'ssf-push.receiver.ts'), [String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await new Promise<void>((resolve, reject) => {
        receiver!.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
        receiver!.on('message', (m: { ready?: boolean; receipts?: Array<{ stream: number; user: string; at: number }> }) => {
          if (m.ready) resolve();
          for (const r of m.receipts ?? []) {
            const at = received.get(r.user) ?? Array(STREAMS).fill(NaN);
            if (Number.isNaN(at[r.stream])) at[r.stream] = r.at;
            received.set(r.user, at);
          }
        });
      });
      ledger = await startLedger(dataDir, {
        LEDGER_API_KEYS: `${BENCH_API_KEYS},bench-partner:receiver:${RECEIVER_KEY}`,
        LEDGER_SSF_RECEIVERS: 'bench-partner=bench-app',
        LEDGER_SSF_PUSH_ALLOW: `http://127.0.0.1:${port}`,
      });
      const service = ledger;
      const subject = JSON.stringify({ format: 'complex', application: { format: 'opaque', id: 'bench-app' } });
      const stream = async (delivery: Record<string, string>) => {
        const created = await post(undefined, `${service.url}/v1/ssf/streams`, JSON.stringify({ delivery, events_requested: [SESSION_REVOKED] }), RECEIVER);
        if (created.status !== 201) throw new Error(`stream not created: ${created.status} ${created.body}`);
        const id = JSON.parse(created.body).stream_id as string;
        const added = await post(undefined, `${service.url}/v1/ssf/subjects/add`, `{"stream_id":"${id}","subject":${subject}}`, RECEIVER);
        if (added.status !== 200) throw new Error(`subject not added: ${added.status} ${added.body}`);
        return id;
      };
      for (let s = 0; s < STREAMS; s++) await stream({ method: 'urn:ietf:rfc:8935', endpoint_url: `http://127.0.0.1:${port}/events/${s}` });
      const pollId = await stream({ method: 'urn:ietf:rfc:8936' });

      const user = (i: number) => `bench-user-${i}`;
      const waitForAll = async (users: string[]) => {
        const deadline = Date.now() + 120_000;
        while (users.some((u) => received.get(u)?.some(Number.isNaN) ?? true)) {
          if (Date.now() > deadline) throw new Error(`${users.filter((u) => received.get(u)?.some(Number.isNaN) ?? true).length} revocations never reached all ${STREAMS} streams`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      let next = 0;
      const onLedger = async (n: number) => {
        const from = next;
        next += n;
        const sent = new Map<string, number>();
        let failures = 0;
        const cpuBefore = await ledgerCpuMs(service);
        const agent = new Agent({ keepAlive: true, maxSockets: 256 });
        const t0 = now();
        const inFlight: Promise<void>[] = [];
        for (let k = 0; k < n; k++) {
          const wait = t0 + (k * 1000) / RATE - now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          const id = consentIdFor(pairKey(user(from + k), 'bench-app'), 1);
          sent.set(user(from + k), now());
          inFlight.push(post(agent, `${service.url}/v1/consents/${id}/revoke`, '{}', BENCH_HEADERS.commands).then((r) => void (r.status !== 200 && failures++), () => void failures++));
        }
        await Promise.all(inFlight);
        agent.destroy();
        if (failures > 0) throw new Error(`${failures} RevokeConsent requests failed`);
        await waitForAll([...sent.keys()]);
        const cpuPerRevocation = ((await ledgerCpuMs(service)) - cpuBefore) / n;
        const every = [...sent].flatMap(([u, at]) => received.get(u)!.map((r) => r - at));
        const last = [...sent].map(([u, at]) => Math.max(...received.get(u)!) - at);
        return { every, last, cpuPerRevocation };
      };

      ctx.log(`warm-up: ${warmup} revocations`);
      await onLedger(warmup);
      const rounds: Array<Awaited<ReturnType<typeof onLedger>>> = [];
      const loads: number[] = [];
      for (let r = 0; r < ctx.rounds; r++) {
        loads.push(loadAverage());
        ctx.log(`round ${r + 1}/${ctx.rounds}: ${perRound} revocations at ${RATE}/s`);
        rounds.push(await onLedger(perRound));
      }

      ctx.log('RS256 signing CPU, then poll throughput');
      const signCount = ctx.quick ? 500 : 5000;
      const signing = [0, 1, 2].slice(0, ctx.rounds).map(() => round(signingCpuUs(signCount), 1));
      const pollUrl = `${service.url}/v1/ssf/poll/${pollId}`;
      const t0 = now();
      let polled = 0;
      let ack: string[] = [];
      for (;;) {
        const r = await post(undefined, pollUrl, JSON.stringify({ returnImmediately: true, maxEvents: 1000, ack }), RECEIVER);
        if (r.status !== 200) throw new Error(`poll failed: ${r.status} ${r.body}`);
        ack = Object.keys(JSON.parse(r.body).sets);
        if (ack.length === 0) break;
        polled += ack.length;
      }
      const pollSetsPerS = round(polled / ((now() - t0) / 1000), 0);

      const q = (xs: number[], p: number) => round(quantile(xs, p), 2);
      const figures: Figure[] = [
        { name: `revocation -> SET at the push receiver p50, ${RATE}/s, ${STREAMS} streams`, unit: 'ms', ledger: rounds.map((r) => q(r.every, 0.5)), load: loads },
        { name: `revocation -> SET at the push receiver p99, ${RATE}/s, ${STREAMS} streams`, unit: 'ms', ledger: rounds.map((r) => q(r.every, 0.99)), load: loads },
        { name: `revocation -> SET on all ${STREAMS} streams p99`, unit: 'ms', ledger: rounds.map((r) => q(r.last, 0.99)), load: loads },
        { name: `ledger CPU per revocation (${STREAMS} SETs signed and pushed)`, unit: 'ms', ledger: rounds.map((r) => round(r.cpuPerRevocation, 3)), load: loads },
        { name: 'RS256 signature CPU per SET (2048-bit)', unit: 'µs', ledger: signing, load: loads.slice(0, signing.length) },
        { name: `RFC 8936 poll throughput (maxEvents 1000, ack)`, unit: 'SETs/s', ledger: [pollSetsPerS], load: [loadAverage()] },
      ];
      return {
        workload: 'ssf-push',
        shape:
          `open loop, one RevokeConsent every 1/${RATE} s over kept-alive node:http, ${durationS} s per round, ${ctx.rounds} rounds; ${STREAMS} push streams of one receiver, ` +
          `each hearing every user of the client, pushed to a node:http receiver in another process (202, no signature check); ` +
          `CPU: the ledger's own from /metrics; signing: SetSigner.sign in the load generator's process; poll: one stream with every revocation of the run (${polled} SETs)`,
        figures,
        notes: { rate: RATE, streams: STREAMS, durationS, warmup, polled, signCount },
      };
    } finally {
      receiver?.send({ stop: true });
      receiver?.kill();
      await ledger?.stop();
    }
  },
};
