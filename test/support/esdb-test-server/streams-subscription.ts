import { randomUUID } from 'node:crypto';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { EventLog } from './event-log';
import { Call, CompiledFilter, EventPredicate } from './read-call';
import { BackpressuredWriter, eventResp, streamName } from './wire';

/**
 * Catch-up subscription: confirmation, history after the start point (exclusive), caught_up, then live events.
 * One cursor walks the global log for history and live alike, waiting for the client whenever the transport pushes
 * back, so a slow subscriber is never dropped and never skips anything.
 */
export async function subscribe(
  log: EventLog,
  call: Call,
  options: ReadReq.Options,
  filter: CompiledFilter | undefined,
  structuredIds: boolean,
  writer: BackpressuredWriter,
  isClosed: () => boolean,
): Promise<void> {
  let cursor: number;
  let matches: EventPredicate;
  if (options.hasStream()) {
    const streamOptions = options.getStream()!;
    const name = streamName(streamOptions.getStreamIdentifier());
    let after: number;
    if (streamOptions.hasRevision()) after = Number(streamOptions.getRevision());
    else if (streamOptions.hasEnd()) after = log.currentRevision(name);
    else after = -1;
    cursor = streamOptions.hasEnd() ? log.length : 0;
    matches = (r) => r.stream === name && r.revision > after;
    filter = undefined; // server-side filters only apply to $all
  } else {
    const all = options.getAll()!;
    if (all.hasPosition()) cursor = log.firstIndexAfter(Number(all.getPosition()!.getCommitPosition()));
    else if (all.hasEnd()) cursor = log.length;
    else cursor = 0;
    matches = filter ? filter.matches : () => true;
  }

  const confirmation = new ReadResp.SubscriptionConfirmation();
  confirmation.setSubscriptionId(randomUUID());
  const confirm = new ReadResp();
  confirm.setConfirmation(confirmation);
  await writer.write(confirm);

  let caughtUp = false;
  let considered = 0;
  let pumping = false;
  let stopListening: () => void = () => {};

  const pump = async () => {
    if (pumping) return; // the running pump re-checks the log length before it stops
    pumping = true;
    try {
      while (!isClosed() && cursor < log.length) {
        const record = log.at(cursor++);
        if (matches(record)) await writer.write(eventResp(record, structuredIds));
        if (filter && ++considered >= filter.interval) {
          considered = 0;
          const checkpoint = new ReadResp.Checkpoint();
          checkpoint.setCommitPosition(String(record.position));
          checkpoint.setPreparePosition(String(record.position));
          const resp = new ReadResp();
          resp.setCheckpoint(checkpoint);
          await writer.write(resp);
        }
      }
      if (!caughtUp && !isClosed()) {
        caughtUp = true;
        const resp = new ReadResp();
        resp.setCaughtUp(new ReadResp.CaughtUp());
        await writer.write(resp);
      }
    } finally {
      pumping = false;
    }
    if (!isClosed() && cursor < log.length) void pump();
  };

  await new Promise<void>((resolve) => {
    const done = () => {
      stopListening();
      resolve();
    };
    call.on('cancelled', done);
    call.on('close', done);
    call.on('error', done);
    if (isClosed()) return done();
    stopListening = log.onAppend(() => void pump().catch(() => undefined));
    void pump().catch(() => undefined);
  });
}
