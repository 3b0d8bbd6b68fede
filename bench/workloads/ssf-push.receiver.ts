/**
 * The receiver's side of the ssf-push workload, in a process of its own (as a receiver is): an RFC 8935 endpoint per
 * stream (POST /events/<n>) that stamps each SET when its body has arrived, answers 202, and reports {stream, user,
 * at} to the parent over IPC in small batches. It decodes the SET's claims but does not verify the signature: the
 * receiver's CPU is not what is measured, and it shares the machine's two cores with the ledger.
 *   argv: <port>
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const now = () => performance.timeOrigin + performance.now();
let pending: Array<{ stream: number; user: string; at: number }> = [];
setInterval(() => {
  if (pending.length > 0) process.send!({ receipts: pending.splice(0) });
}, 20).unref();

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = now();
    const stream = Number(/^\/events\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
    try {
      const claims = JSON.parse(Buffer.from(Buffer.concat(chunks).toString().split('.')[1], 'base64url').toString());
      const user = claims.sub_id?.user?.id;
      if (typeof user === 'string') pending.push({ stream, user, at });
    } catch {
      /* not a SET: answered all the same */
    }
    res.writeHead(202).end();
  });
}).listen(port, '127.0.0.1', () => process.send!({ ready: true }));

process.on('message', (m: { stop?: boolean }) => m.stop && process.exit(0));
