import type { CheckpointStore } from '@ledger/event-store';
import { DEFAULT_REVOCATIONS_CHECKPOINT, KafkaRevocationPublisher } from '@ledger/revocations';
import { LeaderHandle, Leadership } from '../infrastructure/leadership';
import { RevocationPublisherStatus } from '../metrics/publisher-status';

/** Every instance on one EventStoreDB competes for this lease; its holder is the one that publishes to Kafka. */
export const PUBLISHER_LEASE = 'revocations-publisher';

/**
 * The Kafka publisher runs only while this instance holds the publisher lease: started when the lease is acquired,
 * stopped when it is lost. Whoever takes over starts from the shared checkpoint (kept in the same store), so a
 * handover loses nothing; at worst the last unacknowledged batch is sent twice, which consumers dedupe by eventId.
 *
 * For /metrics and /health/ready: the publisher's own status while leading. On standby the instance needs no broker,
 * so it is healthy, and its position is the shared checkpoint (refreshed in the background on every look), so the
 * lag gauges of every instance show how far publishing is behind.
 */
export class PublisherUnderLease implements RevocationPublisherStatus {
  private handle?: LeaderHandle;
  private sharedPosition = -1;
  private loading = false;

  constructor(
    private readonly publisher: KafkaRevocationPublisher,
    private readonly leadership: Leadership,
    private readonly checkpoints: CheckpointStore,
  ) {}

  start(): void {
    this.handle ??= this.leadership.runWhileLeader(PUBLISHER_LEASE, () => this.publisher.start(), () => this.publisher.stop());
    this.refresh();
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
  }

  isLeader(): boolean {
    return this.handle?.isLeader() ?? false;
  }

  status(): ReturnType<RevocationPublisherStatus['status']> & { role: 'leader' | 'standby' } {
    if (this.isLeader()) return { ...this.publisher.status(), role: 'leader' };
    this.refresh();
    return { position: this.sharedPosition, healthy: true, role: 'standby' };
  }

  private refresh(): void {
    if (this.loading) return;
    this.loading = true;
    this.checkpoints
      .load(DEFAULT_REVOCATIONS_CHECKPOINT)
      .then((position) => (this.sharedPosition = position ?? -1))
      // The next look tries again; the store's own health is reported by the store check.
      .catch(() => undefined)
      .finally(() => (this.loading = false));
  }
}
