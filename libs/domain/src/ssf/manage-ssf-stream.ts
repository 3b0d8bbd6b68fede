import { CommandMetadata } from '../shared/command-metadata';
import { conflict, DomainError, invalid, notFound } from '../shared/domain-error';
import { SSF_EVENTS_SUPPORTED } from './ssf-event-types';
import { LiveSsfStream, POLL_DELIVERY, SsfStatus, SsfStreamConfig, SsfStreamEvent, SsfStreamState } from './ssf-stream';

/** What a receiver may set (SSF section 8.1.1: the receiver-supplied properties). */
export interface ReceiverSuppliedConfig {
  deliveryMethod: string;
  eventsRequested: string[];
  description: string | null;
}

/** Every command names its receiver: a stream is only ever its creator's to see or change. */
interface OfReceiver {
  streamId: string;
  receiver: string;
}

export interface CreateSsfStream {
  type: 'CreateSsfStream';
  data: OfReceiver & ReceiverSuppliedConfig;
}
/** PATCH: only the members given change. */
export interface UpdateSsfStream {
  type: 'UpdateSsfStream';
  data: OfReceiver & Partial<ReceiverSuppliedConfig>;
}
/** PUT: the receiver-supplied configuration as a whole; what is absent takes its default. */
export interface ReplaceSsfStream {
  type: 'ReplaceSsfStream';
  data: OfReceiver & ReceiverSuppliedConfig;
}
export interface DeleteSsfStream {
  type: 'DeleteSsfStream';
  data: OfReceiver;
}
export interface UpdateSsfStreamStatus {
  type: 'UpdateSsfStreamStatus';
  data: OfReceiver & { status: SsfStatus; reason: string | null };
}
export interface VerifySsfStream {
  type: 'VerifySsfStream';
  data: OfReceiver & { state: string | null };
}

/**
 * The stream, if it exists and is this receiver's. Another receiver's stream is answered exactly like a missing one
 * (404), so a stream id tells nobody else whether it exists.
 */
export function ownStream(state: SsfStreamState, receiver: string): LiveSsfStream {
  if (state.status !== 'live' || state.receiver !== receiver) throw notFound('ssf_stream_not_found', 'No such stream');
  return state;
}

function configFor(config: ReceiverSuppliedConfig): SsfStreamConfig {
  if (config.deliveryMethod !== POLL_DELIVERY) {
    throw invalid('ssf_delivery_method_unsupported', `The delivery method is not supported: delivery_methods_supported lists ${POLL_DELIVERY}`);
  }
  const requested = [...new Set(config.eventsRequested)];
  return {
    deliveryMethod: POLL_DELIVERY,
    eventsRequested: requested,
    // SSF section 8.1.1: the intersection of what was requested and what the transmitter supports.
    eventsDelivered: SSF_EVENTS_SUPPORTED.filter((t) => requested.includes(t)),
    description: config.description,
  };
}

/** configFor admits one delivery method, so the configuration is its description and the events requested. */
const sameConfig = (a: SsfStreamConfig, b: SsfStreamConfig) => a.description === b.description && JSON.stringify(a.eventsRequested) === JSON.stringify(b.eventsRequested);

export function createSsfStream(command: CreateSsfStream, state: SsfStreamState, meta: CommandMetadata): SsfStreamEvent[] {
  // The id is fresh (generated at the edge), so a stream already there is a bug or a replayed id, never a retry.
  if (state.status !== 'none') throw conflict('ssf_stream_exists', 'A stream with this id exists');
  const { streamId, receiver } = command.data;
  return [{ type: 'SsfStreamCreated', data: { streamId, receiver, ...configFor(command.data), createdAt: meta.now.toISOString() } }];
}

function configured(stream: LiveSsfStream, next: SsfStreamConfig, meta: CommandMetadata): SsfStreamEvent[] {
  if (sameConfig(stream, next)) return [];
  return [{ type: 'SsfStreamConfigured', data: { streamId: stream.streamId, ...next, updatedAt: meta.now.toISOString() } }];
}

export function updateSsfStream(command: UpdateSsfStream, state: SsfStreamState, meta: CommandMetadata): SsfStreamEvent[] {
  const stream = ownStream(state, command.data.receiver);
  const d = command.data;
  const next = configFor({
    deliveryMethod: d.deliveryMethod ?? stream.deliveryMethod,
    eventsRequested: d.eventsRequested ?? stream.eventsRequested,
    description: d.description === undefined ? stream.description : d.description,
  });
  return configured(stream, next, meta);
}

export function replaceSsfStream(command: ReplaceSsfStream, state: SsfStreamState, meta: CommandMetadata): SsfStreamEvent[] {
  return configured(ownStream(state, command.data.receiver), configFor(command.data), meta);
}

export function deleteSsfStream(command: DeleteSsfStream, state: SsfStreamState, meta: CommandMetadata): SsfStreamEvent[] {
  const stream = ownStream(state, command.data.receiver);
  return [{ type: 'SsfStreamDeleted', data: { streamId: stream.streamId, deletedAt: meta.now.toISOString() } }];
}

/** SSF section 8.1.2.2. The same status again changes nothing, and sends no stream-updated SET. */
export function updateSsfStreamStatus(command: UpdateSsfStreamStatus, state: SsfStreamState, meta: CommandMetadata): SsfStreamEvent[] {
  const stream = ownStream(state, command.data.receiver);
  if (stream.streamStatus === command.data.status) return [];
  return [{ type: 'SsfStreamStatusChanged', data: { streamId: stream.streamId, status: command.data.status, reason: command.data.reason, changedAt: meta.now.toISOString() } }];
}

/**
 * SSF section 8.1.4.2. A disabled stream delivers nothing, so a verification asked of it could never arrive: 409,
 * rather than an event that promises a SET. A paused one holds it until it is enabled, as it holds every SET.
 */
export function verifySsfStream(command: VerifySsfStream, state: SsfStreamState, meta: CommandMetadata): SsfStreamEvent[] {
  const stream = ownStream(state, command.data.receiver);
  if (stream.streamStatus === 'disabled') throw new DomainError('ssf_stream_disabled', 'conflict', 'The stream is disabled: enable it first');
  return [{ type: 'SsfVerificationRequested', data: { streamId: stream.streamId, state: command.data.state, requestedAt: meta.now.toISOString() } }];
}
