import { unavailable } from '@ledger/domain';

/**
 * Revocations go ahead of everything else on their stream and are never shed: the ledger's one promise is that a
 * revocation takes effect, whatever else is asking at the time.
 */
export type CommandPriority = 'revocation' | 'normal';

export interface StreamLaneLimits {
  /** Normal commands waiting on one stream before more are shed with 503 (revocations are never shed). */
  maxQueuedPerStream: number;
  /** Normal commands waiting on all streams together before more are shed. */
  maxQueuedTotal: number;
}

export const DEFAULT_LANE_LIMITS: StreamLaneLimits = { maxQueuedPerStream: 1_000, maxQueuedTotal: 20_000 };

interface Job {
  run: () => Promise<void>;
}

interface Lane {
  revocations: Job[];
  normal: Job[];
}

/**
 * One lane per stream: the commands of one stream on this instance run one after another, so they never race
 * each other to the store (optimistic concurrency is left to settle races between instances). A lane exists only
 * while it has work, so idle streams cost nothing.
 */
export class StreamLanes {
  private readonly lanes = new Map<string, Lane>();
  private queuedNormal = 0;

  constructor(private readonly limits: StreamLaneLimits = DEFAULT_LANE_LIMITS) {}

  run<T>(stream: string, priority: CommandPriority, task: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(stream);
    if (priority === 'normal' && lane) this.admitNormal(lane);
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        run: async () => {
          try {
            resolve(await task());
          } catch (error) {
            reject(error);
          }
        },
      };
      if (!lane) {
        // Nothing runs on this stream: start at once, and let later arrivals queue behind.
        lane = { revocations: [], normal: [] };
        this.lanes.set(stream, lane);
        void this.drain(stream, lane, job);
      } else if (priority === 'revocation') {
        lane.revocations.push(job);
      } else {
        lane.normal.push(job);
        this.queuedNormal += 1;
      }
    });
  }

  /** Commands waiting (not running) on this instance, for /metrics. */
  get queued(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.revocations.length + lane.normal.length;
    return n;
  }

  private admitNormal(lane: Lane): void {
    if (lane.normal.length >= this.limits.maxQueuedPerStream || this.queuedNormal >= this.limits.maxQueuedTotal) {
      throw unavailable('overloaded', 'Too many commands are waiting on this consent or client; retry shortly');
    }
  }

  private async drain(stream: string, lane: Lane, first: Job): Promise<void> {
    let job: Job | undefined = first;
    while (job) {
      await job.run();
      job = lane.revocations.shift();
      if (!job) {
        job = lane.normal.shift();
        if (job) this.queuedNormal -= 1;
      }
    }
    this.lanes.delete(stream);
  }
}
