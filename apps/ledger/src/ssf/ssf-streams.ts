import { Inject, Injectable } from '@nestjs/common';
import { SsfExecutor } from './ssf-executor';
import { LiveSsfStream, SsfStreamCreated, ssfStream, ssfStreamDecider } from '@ledger/domain';
import { EVENT_STORE, EventStore } from '@ledger/event-store';

/**
 * The streams of a receiver, found from their creation events in the log (a scan of the SSF events alone, which are
 * few: one receiver has a handful of streams). A view would answer without the scan; none is needed yet.
 */
@Injectable()
export class SsfStreams {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly executor: SsfExecutor,
  ) {}

  async ofReceiver(receiver: string): Promise<LiveSsfStream[]> {
    const ids: string[] = [];
    for await (const e of this.store.readAll({ filter: { eventTypePrefixes: ['SsfStreamCreated'] } })) {
      const data = e.data as unknown as SsfStreamCreated['data'];
      if (data.receiver === receiver) ids.push(data.streamId);
    }
    const streams: LiveSsfStream[] = [];
    for (const id of ids) {
      const { state } = await this.executor.load(ssfStream(id), ssfStreamDecider);
      if (state.status === 'live') streams.push(state);
    }
    return streams;
  }
}
