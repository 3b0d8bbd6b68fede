import * as grpc from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { EventLog, RecordedRecord } from './event-log';
import { Call, CompiledFilter, EventPredicate } from './read-call';
import { subscribe } from './streams-subscription';
import { BackpressuredWriter, eventResp, identifier, streamName } from './wire';

// Streams.Read: reads of a stream or of $all, and (streams-subscription.ts) catch-up subscriptions.

/** The server reads this many events per page; it is also the default filter search window. */
const READ_BATCH_SIZE = 32;


export async function handleRead(log: EventLog, call: Call, activeCalls: Set<{ cancel(): void }>): Promise<void> {
  const options = call.request.getOptions();
  if (!options) {
    call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'Read options are required.' });
    return;
  }
  const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
  let filter: CompiledFilter | undefined;
  try {
    filter = options.hasFilter() ? compileFilter(options.getFilter()!) : undefined;
  } catch (err) {
    call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: (err as Error).message });
    return;
  }

  let closed = false;
  const handle = {
    cancel: () => {
      if (closed) return;
      closed = true;
      call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'Connection dropped by the test server' });
    },
  };
  activeCalls.add(handle);
  const onGone = () => {
    closed = true;
    activeCalls.delete(handle);
  };
  call.on('cancelled', onGone);
  call.on('close', onGone);
  call.on('error', onGone);

  const writer = new BackpressuredWriter(call, () => closed);
  try {
    if (options.hasSubscription()) {
      await subscribe(log, call, options, filter, structuredIds, writer, () => closed);
      return;
    }
    const count = options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    if (options.hasStream()) {
      const streamOptions = options.getStream()!;
      const name = streamName(streamOptions.getStreamIdentifier());
      const events = log.streamEvents(name);
      if (!events || events.length === 0) {
        const notFound = new ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(identifier(name));
        const resp = new ReadResp();
        resp.setStreamNotFound(notFound);
        await writer.write(resp);
      } else {
        const min = log.minimumReadableRevision(name);
        const last = events.length - 1;
        let from: number;
        if (streamOptions.hasRevision()) from = Number(streamOptions.getRevision());
        else if (streamOptions.hasEnd()) from = backwards ? last : last + 1;
        else from = 0;
        let sent = 0;
        if (backwards) {
          for (let r = Math.min(from, last); r >= min && sent < count && !closed; r--, sent++) {
            await writer.write(eventResp(events[r], structuredIds));
          }
        } else {
          for (let r = Math.max(from, min); r <= last && sent < count && !closed; r++, sent++) {
            await writer.write(eventResp(events[r], structuredIds));
          }
        }
      }
    } else {
      const all = options.getAll()!;
      let sent = 0;
      if (backwards) {
        let index = all.hasPosition()
          ? log.firstIndexAtOrAfter(Number(all.getPosition()!.getCommitPosition())) - 1
          : all.hasStart()
            ? -1
            : log.length - 1;
        for (; index >= 0 && sent < count && !closed; index--) {
          const record = log.at(index);
          if (filter && !filter.matches(record)) continue;
          await writer.write(eventResp(record, structuredIds));
          sent++;
        }
      } else {
        let index = all.hasPosition()
          ? log.firstIndexAtOrAfter(Number(all.getPosition()!.getCommitPosition()))
          : all.hasEnd()
            ? log.length
            : 0;
        for (; index < log.length && sent < count && !closed; index++) {
          const record = log.at(index);
          if (filter && !filter.matches(record)) continue;
          await writer.write(eventResp(record, structuredIds));
          sent++;
        }
      }
    }
    if (!closed) call.end();
  } finally {
    activeCalls.delete(handle);
  }
}

export function compileFilter(options: ReadReq.Options.FilterOptions): CompiledFilter {
  const onStream = options.hasStreamIdentifier();
  const expression = onStream ? options.getStreamIdentifier() : options.getEventType();
  if (!expression) throw new Error('A filter needs a stream identifier or an event type expression.');
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex();
  let test: (value: string) => boolean;
  if (prefixes.length > 0) test = (value) => prefixes.some((p) => value.startsWith(p));
  else if (regex) {
    const re = new RegExp(regex);
    test = (value) => re.test(value);
  } else test = () => true;
  const window = options.hasMax() && options.getMax() > 0 ? options.getMax() : READ_BATCH_SIZE;
  const multiplier = Math.max(1, options.getCheckpointintervalmultiplier());
  return {
    matches: onStream ? (r) => test(r.stream) : (r) => test(r.type),
    interval: multiplier * window,
  };
}
