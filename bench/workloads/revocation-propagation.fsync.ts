/**
 * The same-run limit of the revocation's durable stage (request -> acknowledged), in a process of its own: at the
 * same steady rate, on the same disk as the ledger's data, a write of one WAL-sized record followed by the store's
 * group commit (GroupCommitWriter): one fdatasync in flight at a time, covering every write made before it started.
 * Each write's latency runs from its scheduled time to the end of the sync that covers it. No acknowledgement can
 * come sooner than this on this disk: it is what the disk and the kernel cost, with no HTTP, SQLite or Kafka.
 *   argv: <directory on the ledger's disk>
 *   request: { run: { rate, count } } -> { ms: number[] }
 */
import { closeSync, fdatasync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { serveParent } from '../support/limit-process';

const [dir] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
/** About what one revocation's commit adds to events.db-wal: a few 4 KiB pages (the row and its indexes). */
const RECORD = Buffer.alloc(16 * 1024, 1);

const file = join(dir, `fsync-limit-${process.pid}.wal`);
const fd = openSync(file, 'w');
process.on('exit', () => {
  closeSync(fd);
  unlinkSync(file);
});
process.on('SIGTERM', () => process.exit(0));

async function run(rate: number, count: number): Promise<{ ms: number[] }> {
  const ms: number[] = [];
  let waiting: number[] = [];
  let syncing = false;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const sync = () => {
    if (syncing || waiting.length === 0) return;
    syncing = true;
    const covered = waiting;
    waiting = [];
    fdatasync(fd, (error) => {
      if (error) throw error;
      syncing = false;
      const at = now();
      for (const due of covered) ms.push(at - due);
      if (ms.length === count) done();
      sync();
    });
  };
  const t0 = now();
  for (let k = 0; k < count; k++) {
    const due = t0 + (k * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    writeSync(fd, RECORD);
    waiting.push(due);
    sync();
  }
  await finished;
  return { ms };
}

serveParent({}, (m) => {
  const r = (m as { run?: { rate: number; count: number } }).run;
  if (!r) throw new Error('unknown request');
  return run(r.rate, r.count);
});
