import { randomUUID } from 'node:crypto';
import { ForwardingEventStore, type AppendOptions, type AppendResult, type EventToAppend, type ReadStreamOptions, type StoredEvent } from '@ledger/event-store';
import { GENESIS_LINK, linkEvents, linkOf } from './chain';

interface Head {
  revision: number;
  link: string;
}

const HEAD_CACHE_LIMIT = 50_000;

/**
 * The tamper-evidence chain (chain.ts) as a decorator of the EventStore port: every append through it links each
 * new event to its stream's previous one, whichever adapter runs underneath, and the code that appends never sees a
 * link. Reads, subscriptions and the head pass straight through.
 *
 * A link is computed for the revision the event will land at, so an append must name that revision: a number or
 * 'no_stream'. 'any' and 'stream_exists' cannot be chained and are refused rather than written unlinked.
 *
 * The link of each stream's last event is remembered from the appends and the full forward reads that pass
 * through, so the usual path (read, decide, append) costs no extra read. When the remembered head is not the
 * expected revision, the event at that revision is read once. A stale head can never produce a wrong link: the
 * adapter's expected-revision check refuses an append whose revision is not the stream's, and the head is then
 * forgotten.
 */
export class ChainedEventStore extends ForwardingEventStore {
  private readonly heads = new Map<string, Head>();

  override async append(stream: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    const { expectedRevision } = options;
    if (expectedRevision !== 'no_stream' && typeof expectedRevision !== 'number') {
      throw new Error(`A chained append needs the stream's revision, not '${expectedRevision}'`);
    }
    const revision = expectedRevision === 'no_stream' ? -1 : expectedRevision;
    const previous = revision === -1 ? GENESIS_LINK : await this.linkAt(stream, revision);
    // The link covers the event id, so every event needs its id before it is linked.
    const withIds = events.map((e) => ({ ...e, id: e.id ?? randomUUID() }));
    const linked = linkEvents(stream, revision + 1, previous, withIds);
    try {
      const result = await this.inner.append(stream, linked.events, options);
      this.remember(stream, { revision: result.nextRevision, link: linked.lastLink });
      return result;
    } catch (error) {
      this.heads.delete(stream);
      throw error;
    }
  }

  override async readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    const events = await this.inner.readStream(stream, options);
    // Only a read to the end of the stream shows its head.
    const toEnd = (options?.direction ?? 'forwards') === 'forwards' && options?.maxCount === undefined;
    const last = events[events.length - 1];
    if (toEnd && last) this.remember(stream, { revision: last.revision, link: linkOf(last.metadata) ?? GENESIS_LINK });
    return events;
  }

  private async linkAt(stream: string, revision: number): Promise<string> {
    const head = this.heads.get(stream);
    if (head?.revision === revision) return head.link;
    const [event] = await this.inner.readStream(stream, { fromRevision: revision, maxCount: 1 });
    // An event written before the chain existed carries no link; the stream's chain then starts afresh after it.
    // (No event at that revision: the expected-revision check will refuse the append anyway.)
    return (event && linkOf(event.metadata)) ?? GENESIS_LINK;
  }

  private remember(stream: string, head: Head): void {
    // Map keeps insertion order: re-inserting marks the entry recent, and the oldest is evicted first.
    this.heads.delete(stream);
    this.heads.set(stream, head);
    if (this.heads.size > HEAD_CACHE_LIMIT) this.heads.delete(this.heads.keys().next().value as string);
  }
}
