import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { SseClientsReport } from './sse-clients';

export interface SseClients {
  child: ChildProcess;
  open(options: { url: string; headers: Record<string, string>; count: number; stalled?: number }): Promise<Record<number, number>>;
  report(expected: number[], since?: Record<number, number>): Promise<SseClientsReport>;
  /** The stalled clients read again; resolves with what each had received once its stream ended. */
  /** CPU the clients' process has used so far, in ms. */
  cpuMs(): Promise<number>;
  resumeStalled(): Promise<Array<{ positions: number[]; lastMessage: string; dropped?: string }>>;
  stop(): Promise<void>;
}

/** Forks test/support/sse-clients.ts: the SSE clients of a test or a benchmark, in a process of their own. */
export async function spawnSseClients(options: { stamp?: boolean } = {}): Promise<SseClients> {
  const child = fork(join(__dirname, 'sse-clients.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    env: { ...process.env, SSE_CLIENTS_STAMP: options.stamp ? '1' : '0' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the SSE clients exited with ${code}`));
      const onMessage = (m: Record<string, unknown>) => {
        if (!(key in m)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m[key] as T);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  await next('ready');
  return {
    child,
    open: async (o) => {
      const answer = next<never>('statuses');
      child.send({ open: { stalled: 0, ...o } });
      return answer;
    },
    report: async (expected, since) => {
      const answer = next<SseClientsReport>('report');
      child.send({ report: { expected, since } });
      return answer;
    },
    cpuMs: async () => {
      const answer = next<number>('cpuMs');
      child.send({ cpu: true });
      return answer;
    },
    resumeStalled: async () => {
      const answer = next<Array<{ positions: number[]; lastMessage: string; dropped?: string }>>('stalledTails');
      child.send({ resume: true });
      return answer;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ stop: true });
      await exited;
    },
  };
}
