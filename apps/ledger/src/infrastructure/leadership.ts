import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { EVENT_STORE, EventStore, LeaderLease, LeaseLossReason } from '@ledger/event-store';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { LedgerMetrics } from '../metrics/ledger-metrics';

export interface LeaderHandle {
  readonly name: string;
  /** True while this instance does the work. Always true on the embedded store (nobody else shares it). */
  isLeader(): boolean;
  /** Stops the work if it runs here, and lets another instance take over at once. */
  stop(): Promise<void>;
}

type Retention = { keepLatest(stream: string, count: number): Promise<void> };

/**
 * Work that must run on exactly one instance at a time (the Kafka publisher) runs under a leader lease kept in the
 * shared event store (libs/event-store/src/lease). On the embedded SQLite store the store belongs to this one instance,
 * so the work simply runs, with no lease stream in the log.
 */
@Injectable()
export class Leadership implements BeforeApplicationShutdown {
  private readonly handles = new Set<LeaderHandle>();
  private readonly logger = new Logger('Leadership');
  private readonly gauge: Gauge<'lease'>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    metrics: LedgerMetrics,
  ) {
    const handles = this.handles;
    this.gauge = new Gauge({
      name: 'ledger_leader',
      help: '1 while this instance holds the lease and does the work (e.g. lease="revocations-publisher"), 0 on standby.',
      labelNames: ['lease'] as const,
      registers: [metrics.registry],
      collect() {
        for (const h of handles) this.set({ lease: h.name }, h.isLeader() ? 1 : 0);
      },
    });
  }

  /**
   * Runs `start` when this instance becomes the leader for `name` and `stop` when it must step down (lease taken,
   * not renewed in time, shutdown). `stop` must finish well within a third of the lease ttl.
   */
  runWhileLeader(name: string, start: () => void | Promise<void>, stop: () => Promise<void>): LeaderHandle {
    const handle = this.config.eventStoreConnectionString ? this.leased(name, start, stop) : this.local(name, start, stop);
    this.handles.add(handle);
    return handle;
  }

  private local(name: string, start: () => void | Promise<void>, stop: () => Promise<void>): LeaderHandle {
    let running = true;
    void Promise.resolve(start()).catch((error) => this.logger.error({ msg: 'start failed', lease: name, error: String(error) }));
    return {
      name,
      isLeader: () => running,
      stop: async () => {
        if (!running) return;
        running = false;
        await stop();
      },
    };
  }

  private leased(name: string, start: () => void | Promise<void>, stop: () => Promise<void>): LeaderHandle {
    const retention = (this.store as Partial<Retention>).keepLatest ? (this.store as unknown as Retention) : undefined;
    const lease: LeaderLease = new LeaderLease(this.store, {
      name,
      ttlMs: this.config.lease.ttlMs,
      renewIntervalMs: this.config.lease.renewIntervalMs,
      retention,
      onAcquired: async (term) => {
        this.logger.log({ msg: 'lease acquired; starting', lease: name, term, holder: lease.holderId });
        await start();
      },
      onLost: async (reason: LeaseLossReason) => {
        const entry = { msg: 'lease lost; stopping', lease: name, reason, holder: lease.holderId };
        if (reason === 'stopping') this.logger.log(entry);
        else this.logger.warn(entry);
        await stop();
      },
      onError: (error) => this.logger.warn({ msg: 'lease read/write failed', lease: name, error: error.message }),
    });
    lease.start();
    return { name, isLeader: () => lease.isLeader(), stop: () => lease.stop() };
  }

  /** Before the store closes: the work stops, then the lease is released. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.handles].map((h) => h.stop()));
  }
}
