import { CommandMetadata } from '../shared/command-metadata';
import { conflict, DomainError, invalid, notFound } from '../shared/domain-error';
import { SSF_EVENTS_SUPPORTED } from './ssf-event-types';
import { LiveSsfStream, POLL_DELIVERY, PUSH_DELIVERY, SsfStatus, SsfStreamConfig, SsfStreamEvent, SsfStreamState } from './ssf-stream';

/**
 * What a receiver may set (SSF section 8.1.1: the receiver-supplied properties). For push, the endpoint (already
 * checked against LEDGER_SSF_PUSH_ALLOW at the edge) and the authorization header, sealed at the edge.
 */
export interface ReceiverSuppliedConfig {
  deliveryMethod: string;
  eventsRequested: string[];
  description: string | null;
  endpointUrl?: string;
  authorization?: string | null;
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

/** A push stream's endpoint and header; a poll stream has none (its endpoint_url is the transmitter's). */
function deliveryFor(config: ReceiverSuppliedConfig): Pick<SsfStreamConfig, 'deliveryMethod' | 'push'> {
  if (config.deliveryMethod === POLL_DELIVERY) return { deliveryMethod: POLL_DELIVERY };
  if (config.deliveryMethod !== PUSH_DELIVERY) {
    throw invalid('ssf_delivery_method_unsupported', `The delivery method is not supported: delivery_methods_supported lists ${PUSH_DELIVERY} and ${POLL_DELIVERY}`);
  }
  if (config.endpointUrl === undefined) {
    throw invalid('invalid_request', 'A push stream needs delivery.endpoint_url', { fields: [{ field: 'delivery.endpoint_url', messages: ['required for urn:ietf:rfc:8935'] }] });
  }
  return { deliveryMethod: PUSH_DELIVERY, push: { endpointUrl: config.endpointUrl, authorization: config.authorization ?? null } };
}

function configFor(config: ReceiverSuppliedConfig): SsfStreamConfig {
  const delivery = deliveryFor(config);
  const requested = [...new Set(config.eventsRequested)];
  return {
    deliveryMethod: delivery.deliveryMethod,
    eventsRequested: requested,
    // SSF section 8.1.1: the intersection of what was requested and what the transmitter supports.
    eventsDelivered: SSF_EVENTS_SUPPORTED.filter((t) => requested.includes(t)),
    description: config.description,
    ...(delivery.push ? { push: delivery.push } : {}),
  };
}

/**
 * eventsDelivered follows from eventsRequested, and the delivery method from whether there is a push member (its
 * endpoint is never undefined), so these are the whole configuration.
 */
const sameConfig = (a: SsfStreamConfig, b: SsfStreamConfig) =>
  a.description === b.description &&
  JSON.stringify(a.eventsRequested) === JSON.stringify(b.eventsRequested) &&
  a.push?.endpointUrl === b.push?.endpointUrl &&
  a.push?.authorization === b.push?.authorization;

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
    // An update that names no endpoint or header keeps the stream's (a receiver that PATCHes its description need
    // not send its secret again).
    endpointUrl: d.endpointUrl ?? stream.push?.endpointUrl,
    authorization: d.authorization === undefined ? stream.push?.authorization : d.authorization,
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
