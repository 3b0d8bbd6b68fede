import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

/**
 * The worker's whole program. A connection of its own to the same file runs PASSIVE checkpoints: they copy committed
 * WAL frames into the database file and sync it, never take the write lock, and never wait for the writer.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints a WAL-mode SQLite file from a worker thread, so that no commit on the event loop pays for one: the
 * event log's, and the views' (libs/projections view-database.ts).
 *
 * SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages, on the committing thread: it
 * copies the pages into the database file and fsyncs it. With the event log's commits on the event loop, that was
 * a stall of every request in flight, several milliseconds each time (more on a busy disk) every few hundred
 * revocations (docs/performance.md, "Revocation latency at 200/s"). The owner's connection turns its automatic
 * checkpoint off while this runs, and back on if the worker ever fails, so that the WAL never grows without bound.
 *
 * Durability is unchanged: commits are made durable by the WAL sync (GroupCommitWriter), which a checkpoint only
 * follows. The WAL keeps its inode while the owner's connection is open (SQLite rewinds it in place after a complete
 * checkpoint), so the writer's descriptor of it stays valid.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private stopping = false;

  constructor(
    private readonly db: Database.Database,
    file: string,
    options: { intervalMs?: number; onError?: (error: Error) => void } = {},
  ) {
    db.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(SOURCE, { eval: true, workerData: { file, driver: require.resolve('better-sqlite3'), intervalMs: options.intervalMs ?? 200 } });
    // A checkpointer thread must never keep the process alive by itself.
    this.worker.unref();
    // Once stopping, a failure is moot: the owner is closing its connection, and SQLite checkpoints at the last close.
    // (The owner may close and its directory go before a worker that was just started has opened the file.)
    const fallBack = (error: Error) => {
      if (this.stopping) return;
      if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      options.onError?.(error);
    };
    this.worker.on('message', (m: { error?: string }) => m.error && !this.stopping && options.onError?.(new Error(`WAL checkpoint failed: ${m.error}`)));
    this.worker.on('error', fallBack);
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        fallBack(new Error(`WAL checkpointer exited with ${code}`));
        resolve();
      }),
    );
  }

  /** A last checkpoint, then the worker's connection closes; before the owner's connection closes. */
  async stop(): Promise<void> {
    if (this.stopping) return this.exited;
    this.stopping = true;
    // Held while it finishes: a shutdown awaiting this must not see the process end with the owner's close undone.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}
