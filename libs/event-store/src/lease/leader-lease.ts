import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { EventStore, ExpectedRevision } from '../event-store.port';
import { WrongExpectedVersionError } from '../event-store.errors';
import {
  decideLease,
  defaultLeaseTiming,
  holdUntil,
  LEASE_EVENT_TYPE,
  LeaseRecord,
  leaseStream,
  LeaseTiming,
  ObservedLease,
  observe,
  parseLeaseRecord,
  validateLeaseTiming,
} from './lease-decision';

export type LeaseLossReason = 'taken' | 'expired' | 'stopping';

export interface LeaderLeaseOptions extends Partial<LeaseTiming> {
  /** The lease's name; its stream is `ledger-lease-<name>`. Every instance that competes uses the same name. */
  name: string;
  /** Unique per process. Default: host, pid and a random suffix. */
  holderId?: string;
  /**
   * Called when this instance becomes the holder. Awaited; transitions never overlap, so a start never runs while the
   * previous stop is still going.
   */
  onAcquired(term: number): void | Promise<void>;
  /** Called when this instance must stop acting as the holder. Must finish within stepDownMarginMs. */
  onLost(reason: LeaseLossReason): void | Promise<void>;
  /** Every failure to read or write the lease (the runner keeps going; the fence protects the lease meanwhile). */
  onError?(error: Error): void;
  /** Optional: keeps the lease stream short where the store can (EventStoreDB $maxCount). */
  retention?: { keepLatest(stream: string, count: number): Promise<void> };
  /** Monotonic local clock in ms. Default performance.now(): wall-clock jumps must not stretch or shrink a lease. */
  now?: () => number;
}

/**
 * Leader election on the event-store port alone (see lease-decision.ts for the protocol). One loop per instance:
 * read the lease's last record, decide, write with the expected revision, sleep. A fence timer makes the holder step
 * down on time even when a write hangs.
 */
export class LeaderLease {
  readonly holderId: string;
  readonly stream: string;
  private readonly timing: LeaseTiming;
  private readonly now: () => number;
  private running = false;
  private leader = false;
  private term?: number;
  private observed?: ObservedLease;
  private heldUntil = 0;
  private fence?: NodeJS.Timeout;
  private wake?: () => void;
  private loop: Promise<void> = Promise.resolve();
  private transitions: Promise<void> = Promise.resolve();
  private stopped: Promise<void> = Promise.resolve();
  private retentionSet = false;

  constructor(
    private readonly store: EventStore,
    private readonly options: LeaderLeaseOptions,
  ) {
    const defaults = defaultLeaseTiming(options.ttlMs, options.renewIntervalMs);
    this.timing = {
      ttlMs: options.ttlMs ?? defaults.ttlMs,
      renewIntervalMs: options.renewIntervalMs ?? defaults.renewIntervalMs,
      stepDownMarginMs: options.stepDownMarginMs ?? defaults.stepDownMarginMs,
    };
    validateLeaseTiming(this.timing);
    this.holderId = options.holderId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.stream = leaseStream(options.name);
    this.now = options.now ?? (() => performance.now());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops competing. A holder first stops acting (onLost 'stopping'), then releases, so a successor starts at once.
   * Every caller waits for the same stop.
   */
  stop(): Promise<void> {
    if (!this.running) return this.stopped;
    this.running = false;
    this.wake?.();
    this.stopped = this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    await this.loop;
    clearTimeout(this.fence);
    // A step-down the fence started may still be stopping the work: let it finish before the store goes away.
    if (!this.leader) return this.transitions;
    const observed = this.observed;
    await this.setLeader(false, 'stopping');
    if (!observed || observed.record.holder !== this.holderId) return;
    try {
      await this.write({ ...observed.record, released: true }, observed.revision);
    } catch (error) {
      // Not released: contenders take over when the ttl ends instead of at once. Nothing else is at stake.
      this.report(error);
    }
  }

  isLeader(): boolean {
    return this.leader;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay: number;
      try {
        delay = await this.tick();
      } catch (error) {
        this.report(error);
        delay = this.timing.renewIntervalMs;
      }
      if (!this.running) return;
      await this.sleep(delay);
    }
  }

  /** One round; returns how long to sleep before the next. */
  private async tick(): Promise<number> {
    const latest = await this.readLatest();
    this.observed = observe(this.observed, latest, this.now());
    const decision = decideLease(this.observed, this.holderId, this.now());
    if (decision.action === 'wait') {
      // Someone else holds it. If that is news to a holder, its lease was taken (it must have stalled for a ttl).
      if (this.leader) await this.setLeader(false, 'taken');
      return Math.min(decision.retryInMs, this.timing.renewIntervalMs);
    }
    const record: LeaseRecord = {
      holder: this.holderId,
      term: decision.term,
      ttlMs: this.timing.ttlMs,
      renewIntervalMs: this.timing.renewIntervalMs,
      released: false,
    };
    // The fence counts from before the write: no contender can have seen the write earlier than this.
    const sentAt = this.now();
    let revision: number;
    try {
      revision = await this.write(record, decision.expectedRevision);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      // Somebody else wrote first: if we held the lease, we no longer do. Read again right away.
      if (this.leader) await this.setLeader(false, 'taken');
      return 0;
    }
    this.observed = { revision, record, sinceMs: sentAt };
    const until = holdUntil(sentAt, this.timing);
    if (until <= this.now()) {
      // The write took so long that the lease is as good as gone: do not act on it; the next round renews.
      if (this.leader) await this.setLeader(false, 'expired');
      return 0;
    }
    this.heldUntil = until;
    this.armFence(until);
    this.term = record.term;
    if (!this.leader) await this.setLeader(true);
    if (!this.retentionSet && this.options.retention) {
      await this.options.retention.keepLatest(this.stream, 1).catch((error) => this.report(error));
      this.retentionSet = true;
    }
    return this.timing.renewIntervalMs;
  }

  private async readLatest(): Promise<{ revision: number; record: LeaseRecord } | undefined> {
    const [last] = await this.store.readStream(this.stream, { direction: 'backwards', maxCount: 1 });
    if (!last) return undefined;
    // A record nobody can read is treated as released: overwriting it needs its revision, so still one winner.
    const record = parseLeaseRecord(last.data) ?? { holder: '', term: 0, ttlMs: 0, renewIntervalMs: 0, released: true };
    return { revision: last.revision, record };
  }

  private async write(record: LeaseRecord, expectedRevision: ExpectedRevision): Promise<number> {
    const result = await this.store.append(
      this.stream,
      [{ type: LEASE_EVENT_TYPE, data: { ...record }, metadata: { actor: 'ledger-lease', correlationId: this.holderId } }],
      { expectedRevision },
    );
    return result.nextRevision;
  }

  private armFence(until: number): void {
    clearTimeout(this.fence);
    this.fence = setTimeout(() => {
      // No successful renewal since: stop acting before any contender may take over.
      if (this.leader && this.heldUntil <= this.now()) void this.setLeader(false, 'expired');
      else if (this.leader) this.armFence(this.heldUntil);
    }, Math.max(0, until - this.now()));
    this.fence.unref?.();
  }

  /** Flips the flag at once and queues the callback, so callbacks alternate and never overlap. */
  private setLeader(leader: boolean, reason: LeaseLossReason = 'stopping'): Promise<void> {
    if (this.leader === leader) return this.transitions;
    this.leader = leader;
    if (!leader) clearTimeout(this.fence);
    const term = this.term ?? 0;
    this.transitions = this.transitions
      .then(() => (leader ? this.options.onAcquired(term) : this.options.onLost(reason)))
      .catch((error) => this.report(error));
    return this.transitions;
  }

  private report(error: unknown): void {
    this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
