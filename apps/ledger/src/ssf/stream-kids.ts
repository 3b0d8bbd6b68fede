import { isSealed, PERSONAL_FIELDS } from '@ledger/domain';
import { ForwardingEventStore, type AppendOptions, type AppendResult, type EventToAppend, type ReadStreamOptions, type StoredEvent } from '@ledger/event-store';

/**
 * Which subject keys each stream's sealed fields are sealed under, noted from the sealed events that pass through
 * (below SealedEventStore: appends after they were sealed, reads before they are opened). A fold of the stream holds
 * the plain values of exactly those fields, so it may be kept only while every one of these keys is live.
 */
export class StreamKids extends ForwardingEventStore {
  private readonly kids = new Map<string, Set<string>>();

  /** The kids noted for a stream since its last read from the start (undefined: not read from the start). */
  of(stream: string): ReadonlySet<string> | undefined {
    return this.kids.get(stream);
  }

  /** The streams with kids noted. */
  streams(): string[] {
    return [...this.kids.keys()];
  }

  forget(stream: string): void {
    this.kids.delete(stream);
  }

  override async append(stream: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    const result = await this.inner.append(stream, events, options);
    this.note(stream, events, false);
    return result;
  }

  override async readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    const events = await this.inner.readStream(stream, options);
    const whole = (options?.direction ?? 'forwards') === 'forwards' && (options?.fromRevision ?? 0) === 0 && options?.maxCount === undefined;
    this.note(stream, events, whole);
    return events;
  }

  private note(stream: string, events: ReadonlyArray<Pick<StoredEvent, 'data' | 'metadata'>>, whole: boolean): void {
    const kids = whole ? new Set<string>() : this.kids.get(stream);
    // Appended to or read on from a fold this store has not seen from the start: nothing to add to.
    if (!kids) return;
    for (const e of events) {
      for (const field of PERSONAL_FIELDS.data) if (isSealed(e.data[field])) kids.add((e.data[field] as { kid: string }).kid);
      for (const field of PERSONAL_FIELDS.metadata) if (isSealed(e.metadata[field])) kids.add((e.metadata[field] as { kid: string }).kid);
    }
    this.kids.set(stream, kids);
  }
}
