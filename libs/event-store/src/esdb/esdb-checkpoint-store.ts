import { ANY, BACKWARDS, END, EventStoreDBClient, StreamNotFoundError, jsonEvent } from '@eventstore/db-client';
import { CheckpointStore } from '../event-store.port';
import { translateError } from './esdb-errors';

export interface EsdbCheckpointStoreOptions {
  /**
   * Stream name prefix; the checkpoint named N lives in stream `${prefix}N`. Default `ledger-checkpoint-`: a user
   * stream, so that a non-admin user may write it on a secured cluster. Its events have the system event type
   * `$ledger-checkpoint`, so no subscription or readAll of the port ever delivers them.
   */
  streamPrefix?: string;
}

export const CHECKPOINT_EVENT_TYPE = '$ledger-checkpoint';

/**
 * Named checkpoints kept in EventStoreDB itself: one stream per name, one event per save, and `$maxCount: 1` on the
 * stream so that only the latest event is kept (older ones disappear from reads and go at the next scavenge).
 */
export class EsdbCheckpointStore implements CheckpointStore {
  private readonly prefix: string;
  private readonly limited = new Set<string>();

  constructor(
    private readonly client: EventStoreDBClient,
    options: EsdbCheckpointStoreOptions = {},
  ) {
    this.prefix = options.streamPrefix ?? 'ledger-checkpoint-';
  }

  streamOf(name: string): string {
    return `${this.prefix}${name}`;
  }

  async load(name: string): Promise<number | undefined> {
    const stream = this.streamOf(name);
    try {
      let position: number | undefined;
      // Consume the read to its end (no early return): an abandoned read would stay open in the client.
      for await (const resolved of this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        const data = resolved.event?.data as { position?: unknown } | undefined;
        if (typeof data?.position === 'number') position = data.position;
      }
      return position;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw translateError(error, `load of checkpoint ${name}`);
    }
  }

  async save(name: string, position: number): Promise<void> {
    const stream = this.streamOf(name);
    try {
      await this.ensureMaxCount(stream);
      await this.client.appendToStream(stream, jsonEvent({ type: CHECKPOINT_EVENT_TYPE, data: { position } }), {
        expectedRevision: ANY,
      });
    } catch (error) {
      throw translateError(error, `save of checkpoint ${name}`);
    }
  }

  /** Sets $maxCount 1 once per stream and process (only when it is not set already). */
  private async ensureMaxCount(stream: string): Promise<void> {
    if (this.limited.has(stream)) return;
    const { metadata } = await this.client.getStreamMetadata(stream);
    if (metadata?.maxCount !== 1) await this.client.setStreamMetadata(stream, { ...metadata, maxCount: 1 });
    this.limited.add(stream);
  }
}
