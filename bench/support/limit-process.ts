import { ChildProcess, fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/**
 * A same-run limit in a process of its own, as the ledger is: a bare server, a trivial Nest app, a durable-append
 * loop. It is forked with this process's flags (ts-node, path aliases), tells its parent when it is ready, and
 * answers CPU queries with its own process.cpuUsage(), the same measure /metrics gives for the ledger.
 */
export interface LimitProcess {
  child: ChildProcess;
  /** What the child sent with `ready` (its URL, for a server). */
  ready: Record<string, unknown>;
  cpuMs(): Promise<number>;
  /** Sends a request and waits for the child's answer of the same kind. */
  ask<T>(message: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export async function startLimit(module: string, args: string[], options: { logFile?: string } = {}): Promise<LimitProcess> {
  const logFd = options.logFile === undefined ? 'ignore' : openSync(options.logFile, 'a');
  const child = fork(module, args, { stdio: ['ignore', logFd, 'inherit', 'ipc'] });
  if (typeof logFd === 'number') closeSync(logFd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${module} exited with ${code} before it was ready`)));
    child.on('message', (m: { ready?: Record<string, unknown> }) => m.ready && resolve(m.ready));
  });
  let next = 0;
  const ask = <T>(message: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      const onExit = (code: number | null) => reject(new Error(`${module} exited with ${code}`));
      const onMessage = (m: { id?: number; answer?: T; error?: string }) => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (m.error) reject(new Error(m.error));
        else resolve(m.answer as T);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ ...message, id });
    });
  return {
    child,
    ready,
    ask,
    cpuMs: () => ask<number>({ cpu: true }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The child's side: announces readiness and answers `cpu` (and any other request `handle` knows) by id. */
export function serveParent(ready: Record<string, unknown>, handle: (message: Record<string, unknown>) => Promise<unknown> | unknown = () => undefined): void {
  process.on('message', async (m: Record<string, unknown> & { id: number; cpu?: boolean }) => {
    try {
      const answer = m.cpu ? cpuMs() : await handle(m);
      process.send!({ id: m.id, answer });
    } catch (error) {
      process.send!({ id: m.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  process.on('SIGTERM', () => process.exit(0));
  process.send!({ ready });
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
