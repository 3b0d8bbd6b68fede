/**
 * In-memory storage behind the ESDB test server: one global log ($all) plus per-stream indexes.
 *
 * Positions: every event gets commit == prepare == its own log position. Positions grow by an approximate
 * record size (like offsets in EventStoreDB's transaction file), so they are strictly increasing but NOT gap-free;
 * the first event sits at position 0.
 *
 * Nothing is ever written that the client did not write: there are no $epoch / $scavenges / $stats events, so
 * system streams and system event types exist only when a client appended them.
 */

export interface RecordedRecord {
  /** Lower-case canonical UUID. */
  id: string;
  stream: string;
  revision: number;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as EventStoreDB sends them in the `created` metadata entry. */
  createdTicks: bigint;
  /** commit == prepare. */
  position: number;
}

export interface ProposedRecord {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

export type ExpectedRevision =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'revision'; revision: number };

export type AppendOutcome =
  | {
      ok: true;
      /** Revision of the last event written, or of the last already-stored event on an idempotent re-append; -1 when nothing exists. */
      lastRevision: number;
      /** Position of that event; undefined when nothing was written and nothing matched. */
      position: number | undefined;
      written: number;
    }
  | { ok: false; currentRevision: number /* -1: no stream */ };

interface StreamState {
  events: RecordedRecord[];
}

/**
 * How many recently written event ids an any / stream_exists append is checked against by default. EventStoreDB
 * keeps them in a cache bounded to 8 MiB (ESConsts.CommitedEventsMemCacheLimit), about 30 bytes plus the stream name
 * per id: some tens of thousands of ids for stream names of a few dozen characters.
 */
export const DEFAULT_IDEMPOTENCY_WINDOW = 50_000;

const TICKS_PER_MS = 10_000n;
const RECORD_OVERHEAD = 88;

export class EventLog {
  private readonly all: RecordedRecord[] = [];
  private readonly streams = new Map<string, StreamState>();
  private readonly listeners = new Set<() => void>();
  private nextPosition = 0;
  /**
   * The most recently written event ids, oldest first: EventStoreDB's committed-events cache, which evicts in the
   * order ids were first written, and which a lookup does not refresh.
   */
  private readonly recentIds = new Map<string, { stream: string; revision: number }>();

  /** @param idempotencyWindow how many recently written event ids are remembered (see DEFAULT_IDEMPOTENCY_WINDOW). */
  constructor(
    private readonly idempotencyWindow = DEFAULT_IDEMPOTENCY_WINDOW,
    /** Epoch ms stamped into `created`: the real clock, or a test's (EsdbTestServerOptions.now). */
    private readonly now: () => number = Date.now,
  ) {}

  get length(): number {
    return this.all.length;
  }

  at(index: number): RecordedRecord {
    return this.all[index];
  }

  /** Current revision of a stream, -1 when it has no events. */
  currentRevision(stream: string): number {
    const state = this.streams.get(stream);
    return state ? state.events.length - 1 : -1;
  }

  streamEvents(stream: string): readonly RecordedRecord[] | undefined {
    return this.streams.get(stream)?.events;
  }

  /**
   * Lowest revision a stream read may return, honouring the stream's metadata ($$stream, latest $metadata event):
   * $maxCount and $tb (truncate before). $maxAge is ignored. Like EventStoreDB before a scavenge, $all still has
   * every event.
   */
  minimumReadableRevision(stream: string): number {
    const state = this.streams.get(stream);
    if (!state || stream.startsWith('$$')) return 0;
    const meta = this.streams.get(`$$${stream}`);
    const last = meta?.events[meta.events.length - 1];
    if (!last) return 0;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(Buffer.from(last.data).toString('utf8')) as Record<string, unknown>;
    } catch {
      return 0;
    }
    let min = 0;
    if (typeof parsed.$maxCount === 'number' && parsed.$maxCount > 0) {
      min = Math.max(min, state.events.length - parsed.$maxCount);
    }
    if (typeof parsed.$tb === 'number' && parsed.$tb > 0) min = Math.max(min, parsed.$tb);
    return min;
  }

  /** Index in the global log of the first event whose position is >= position. */
  firstIndexAtOrAfter(position: number): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.all[mid].position < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index in the global log of the first event whose position is > position. */
  firstIndexAfter(position: number): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.all[mid].position <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Appends atomically with EventStoreDB's optimistic-concurrency and idempotence rules (IndexWriter.CheckCommit):
   * - any / stream_exists: if the first proposed id is among the recently written ids (the idempotency window) for
   *   this stream, every proposed id must be → the append is idempotent (nothing written, result points at the stored
   *   events); only some → wrong expected version ("corrupted idempotency"). An id that has left the window is not
   *   recognised: the events are written again. stream_exists fails when the stream has neither events nor metadata.
   * - no_stream (= expected -1) / exact revision E: E == current → write. E < current → the proposed ids must be the
   *   stored events at E+1, E+2, … → idempotent; otherwise wrong expected version. E > current → wrong expected version.
   *   These ids are compared with the stream itself (EventStoreDB reads its index when the cache misses), so such a
   *   re-append is recognised at any age.
   */
  append(stream: string, expected: ExpectedRevision, proposed: ProposedRecord[]): AppendOutcome {
    const state = this.streams.get(stream);
    const current = state ? state.events.length - 1 : -1;

    if (expected.kind === 'any' || expected.kind === 'stream_exists') {
      // A stream that has only metadata exists as far as stream_exists goes (EventStoreDB checks its metastream too).
      if (expected.kind === 'stream_exists' && current < 0 && this.currentRevision(`$$${stream}`) < 0) {
        return { ok: false, currentRevision: current };
      }
      const recent = (id: string) => {
        const info = this.recentIds.get(id);
        return info?.stream === stream ? info : undefined;
      };
      if (state && proposed.length > 0 && recent(proposed[0].id)) {
        let lastRevision = -1;
        for (const p of proposed) {
          const found = recent(p.id);
          if (!found) return { ok: false, currentRevision: current };
          lastRevision = found.revision;
        }
        const last = state.events[lastRevision];
        return { ok: true, lastRevision, position: last.position, written: 0 };
      }
      return this.write(stream, proposed);
    }

    const expectedRevision = expected.kind === 'no_stream' ? -1 : expected.revision;
    if (expectedRevision === current) return this.write(stream, proposed);
    if (expectedRevision > current || proposed.length === 0 || !state) return { ok: false, currentRevision: current };
    const matched: RecordedRecord[] = [];
    for (let i = 0; i < proposed.length; i++) {
      const stored = state.events[expectedRevision + 1 + i];
      if (!stored || stored.id !== proposed[i].id) return { ok: false, currentRevision: current };
      matched.push(stored);
    }
    const last = matched[matched.length - 1];
    return { ok: true, lastRevision: last.revision, position: last.position, written: 0 };
  }

  private write(stream: string, proposed: ProposedRecord[]): AppendOutcome {
    let state = this.streams.get(stream);
    if (proposed.length === 0) {
      const last = state?.events[state.events.length - 1];
      return { ok: true, lastRevision: last ? last.revision : -1, position: undefined, written: 0 };
    }
    if (!state) {
      state = { events: [] };
      this.streams.set(stream, state);
    }
    const createdTicks = BigInt(this.now()) * TICKS_PER_MS;
    let last!: RecordedRecord;
    for (const p of proposed) {
      last = {
        ...p,
        stream,
        revision: state.events.length,
        createdTicks,
        position: this.nextPosition,
      };
      this.nextPosition +=
        RECORD_OVERHEAD + Buffer.byteLength(stream) + Buffer.byteLength(p.type) + p.data.length + p.customMetadata.length;
      state.events.push(last);
      this.all.push(last);
      this.remember(last);
    }
    for (const listener of [...this.listeners]) listener();
    return { ok: true, lastRevision: last.revision, position: last.position, written: proposed.length };
  }

  private remember(record: RecordedRecord): void {
    if (this.recentIds.has(record.id)) return;
    this.recentIds.set(record.id, { stream: record.stream, revision: record.revision });
    if (this.recentIds.size > this.idempotencyWindow) this.recentIds.delete(this.recentIds.keys().next().value as string);
  }
}
