import * as grpc from '@grpc/grpc-js';
import { AppendReq, AppendResp } from '@eventstore/db-client/generated/streams_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { EventLog, ExpectedRevision, ProposedRecord } from './event-log';
import { exceptionStatus, streamName, uuidToString } from './wire';

// Streams.Append (client streaming: options, then proposed messages).

export function handleAppend(
  log: EventLog,
  call: grpc.ServerReadableStream<AppendReq, AppendResp>,
  callback: grpc.sendUnaryData<AppendResp>,
  maxAppendSize: number,
): void {
  let options: AppendReq.Options | undefined;
  const proposed: ProposedRecord[] = [];
  let size = 0;
  let failure: Partial<grpc.StatusObject> | undefined;
  let done = false;
  const finish = (err: Partial<grpc.StatusObject> | null, resp?: AppendResp) => {
    if (done) return;
    done = true;
    callback(err, resp);
  };

  call.on('data', (req: AppendReq) => {
    if (failure) return;
    if (!options) {
      if (!req.hasOptions()) {
        failure = { code: grpc.status.INVALID_ARGUMENT, details: 'First append message must carry the options.' };
        return;
      }
      options = req.getOptions()!;
      return;
    }
    const message = req.getProposedMessage();
    if (!message) {
      failure = { code: grpc.status.INVALID_ARGUMENT, details: 'Expected a proposed message.' };
      return;
    }
    const meta = message.getMetadataMap();
    const type = meta.get('type');
    const contentType = meta.get('content-type');
    const missing = type === undefined ? 'type' : contentType === undefined ? 'content-type' : undefined;
    if (missing) {
      failure = exceptionStatus(grpc.status.INVALID_ARGUMENT, `Missing required metadata property ${missing}`, {
        exception: 'missing-required-metadata-property',
        'required-metadata-properties': missing,
      });
      return;
    }
    const data = message.getData_asU8();
    const customMetadata = message.getCustomMetadata_asU8();
    size += data.length + customMetadata.length + Buffer.byteLength(type!);
    if (size > maxAppendSize) {
      failure = exceptionStatus(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
        exception: 'maximum-append-size-exceeded',
        'maximum-append-size': String(maxAppendSize),
      });
      return;
    }
    proposed.push({ id: uuidToString(message.getId()), type: type!, contentType: contentType!, data, customMetadata });
  });
  call.on('error', () => finish({ code: grpc.status.CANCELLED, details: 'Append call failed' }));
  call.on('end', () => {
    if (failure) return finish(failure);
    if (!options) return finish({ code: grpc.status.INVALID_ARGUMENT, details: 'No append options received.' });
    const stream = streamName(options.getStreamIdentifier());
    const expected = appendExpectation(options);
    const outcome = log.append(stream, expected, proposed);
    const resp = new AppendResp();
    if (outcome.ok) {
      const success = new AppendResp.Success();
      if (outcome.lastRevision < 0) success.setNoStream(new Empty());
      else success.setCurrentRevision(String(outcome.lastRevision));
      if (outcome.position === undefined) success.setNoPosition(new Empty());
      else {
        // EventStoreDB 22.6+ answers the position of the last event written (or, on an idempotent re-append, of the
        // last one already stored) as both commit and prepare, for one event or many: the position that event has in
        // $all reads and subscriptions.
        const position = new AppendResp.Position();
        position.setCommitPosition(String(outcome.position));
        position.setPreparePosition(String(outcome.position));
        success.setPosition(position);
      }
      resp.setSuccess(success);
    } else {
      // Reported in the response, not as a gRPC error: this is what EventStoreDB 21+ does for Streams.Append.
      const wev = new AppendResp.WrongExpectedVersion();
      if (outcome.currentRevision < 0) wev.setCurrentNoStream(new Empty());
      else wev.setCurrentRevision(String(outcome.currentRevision));
      switch (expected.kind) {
        case 'any':
          wev.setExpectedAny(new Empty());
          break;
        case 'stream_exists':
          wev.setExpectedStreamExists(new Empty());
          break;
        case 'no_stream':
          wev.setExpectedNoStream(new Empty());
          break;
        case 'revision':
          wev.setExpectedRevision(String(expected.revision));
          break;
      }
      resp.setWrongExpectedVersion(wev);
    }
    finish(null, resp);
  });
}

function appendExpectation(options: AppendReq.Options): ExpectedRevision {
  if (options.hasRevision()) return { kind: 'revision', revision: Number(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}
