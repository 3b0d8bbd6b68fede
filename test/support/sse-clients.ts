/**
 * Many SSE clients of GET /v1/revocations/stream in a process of their own (forked by a test or a benchmark), on raw
 * node:http connections: the service under test must not share a heap, an event loop or a CPU budget with them.
 * The parent drives it over IPC:
 *   { open: { url, headers, count, stalled } }  opens `count` streams; the first `stalled` stop reading once connected
 *                                                -> { opened, statuses } once every answer has arrived
 *   { report: { expected } }                     -> { report: SseClientsReport } (expected: the positions every
 *                                                   prompt client must have received, in order, and nothing else)
 *   { resume: true }                             the stalled clients read again -> { stalledTails } once they ended
 *   { cpu: true }                                -> { cpuMs }: CPU this process has used so far (a benchmark's
 *                                                   deliveries cost it too, on the same cores)
 * With SSE_CLIENTS_STAMP=1 each receipt is stamped (performance.timeOrigin + performance.now(), one clock with the
 * parent) and a report given `since` (position -> ms) folds every delivery's latency into quantiles here, so that a
 * million samples never cross the IPC channel.
 */
import { Agent, IncomingMessage, request } from 'node:http';

export interface SseClientsReport {
  /** Prompt clients whose positions equal `expected` exactly. */
  complete: number;
  /** The others, a few of them: how many they got and where they first differ. */
  incomplete: Array<{ client: number; received: number; firstDifference: number }>;
  incompleteCount: number;
  /** Clients whose stream ended with `event: dropped`, by reason. */
  dropped: Record<string, number>;
  /** Streams that ended (or failed) for any reason. */
  ended: number;
  /** With stamping and `since` (position -> ms, the shared clock): every delivery's latency, as quantiles. */
  latency?: { samples: number; p50: number; p99: number; max: number };
}

interface Client {
  positions: number[];
  /** Receipt time of each position, kept only when stamping. */
  at: number[];
  tail: string;
  ended: boolean;
  dropped?: string;
  stalled: boolean;
  response?: IncomingMessage;
  lastMessage: string;
}

const clients: Client[] = [];
const stamp = process.env.SSE_CLIENTS_STAMP === '1';
const now = () => performance.timeOrigin + performance.now();
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

function consume(client: Client, chunk: string): void {
  const at = stamp ? now() : 0;
  const text = client.tail + chunk;
  let start = 0;
  let end: number;
  while ((end = text.indexOf('\n\n', start)) >= 0) {
    const block = text.slice(start, end);
    start = end + 2;
    client.lastMessage = block;
    if (block.startsWith('id: ')) {
      client.positions.push(Number(block.slice(4, block.indexOf('\n'))));
      if (stamp) client.at.push(at);
    } else if (block.startsWith('event: dropped')) {
      client.dropped = JSON.parse(block.slice(block.indexOf('data: ') + 6)).reason;
    }
  }
  client.tail = text.slice(start);
}

function open(url: string, headers: Record<string, string>, stalled: boolean): Promise<number> {
  return new Promise((resolve) => {
    const client: Client = { positions: [], at: [], tail: '', ended: false, stalled, lastMessage: '' };
    clients.push(client);
    const req = request(url, { agent, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      client.response = res;
      res.setEncoding('utf8');
      const status = res.statusCode ?? 0;
      let answered = false;
      res.on('data', (chunk: string) => {
        consume(client, chunk);
        // Answered once the feed said it is connected: from then on the subscriber is registered at the head.
        if (!answered && (client.lastMessage.includes(': connected') || status !== 200)) {
          answered = true;
          if (stalled) res.pause();
          resolve(status);
        }
      });
      res.on('end', () => {
        client.ended = true;
        if (!answered) resolve(status);
      });
      res.on('error', () => (client.ended = true));
    });
    req.on('error', () => {
      client.ended = true;
      resolve(0);
    });
    req.end();
  });
}

async function openAll(m: { url: string; headers: Record<string, string>; count: number; stalled: number }) {
  const statuses: Record<number, number> = {};
  // A hundred connection attempts at a time: the listen backlog is finite, and so is the patience of a test.
  const queue = Array.from({ length: m.count }, (_, i) => i);
  await Promise.all(
    Array.from({ length: Math.min(100, m.count) }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const status = await open(m.url, m.headers, i < m.stalled);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  process.send!({ opened: m.count, statuses });
}

function report(expected: number[], since?: Record<number, number>): SseClientsReport {
  const out: SseClientsReport = { complete: 0, incomplete: [], incompleteCount: 0, dropped: {}, ended: 0 };
  const latencies: number[] = [];
  for (const [i, c] of clients.entries()) {
    if (c.ended) out.ended += 1;
    if (c.dropped) out.dropped[c.dropped] = (out.dropped[c.dropped] ?? 0) + 1;
    if (c.stalled) continue;
    const firstDifference = expected.findIndex((p, k) => c.positions[k] !== p);
    if (firstDifference === -1 && c.positions.length === expected.length) out.complete += 1;
    else {
      out.incompleteCount += 1;
      if (out.incomplete.length < 5) out.incomplete.push({ client: i, received: c.positions.length, firstDifference });
    }
    if (since) for (let k = 0; k < c.at.length; k++) if (since[c.positions[k]] !== undefined) latencies.push(c.at[k] - since[c.positions[k]]);
  }
  if (latencies.length > 0) {
    const sorted = Float64Array.from(latencies).sort();
    const q = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10;
    out.latency = { samples: sorted.length, p50: q(0.5), p99: q(0.99), max: q(1) };
  }
  return out;
}

async function resumeStalled() {
  const stalled = clients.filter((c) => c.stalled);
  for (const c of stalled) c.response?.resume();
  while (stalled.some((c) => !c.ended)) await new Promise((r) => setTimeout(r, 20));
  process.send!({ stalledTails: stalled.map((c) => ({ positions: c.positions, lastMessage: c.lastMessage, dropped: c.dropped })) });
}

process.on('message', (m: { open?: Parameters<typeof openAll>[0]; report?: { expected: number[]; since?: Record<number, number> }; resume?: boolean; cpu?: boolean; stop?: boolean }) => {
  if (m.open) void openAll(m.open);
  if (m.cpu) {
    const used = process.cpuUsage();
    process.send!({ cpuMs: (used.user + used.system) / 1000 });
  }
  if (m.report) process.send!({ report: report(m.report.expected, m.report.since) });
  if (m.resume) void resumeStalled();
  if (m.stop) {
    for (const c of clients) c.response?.destroy();
    process.exit(0);
  }
});
process.send!({ ready: true });
