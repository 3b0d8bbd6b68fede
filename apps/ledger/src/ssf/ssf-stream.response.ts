import { ApiProperty } from '@nestjs/swagger';
import { LiveSsfStream, SSF_EVENTS_SUPPORTED } from '@ledger/domain';
import { jtiOf } from '@ledger/revocations';
import { SSF_POLL_PATH } from './ssf-paths';

/** A push stream's authorization_header is never returned (SSF section 8.1.1 lets a transmitter omit it). */
class DeliveryResponse {
  @ApiProperty({ example: 'urn:ietf:rfc:8936', enum: ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'] }) method: string;
  @ApiProperty({ description: 'Push: where the SETs are POSTed (receiver-supplied). Poll: where the receiver polls (transmitter-supplied).' }) endpoint_url: string;
}

/** A stream's configuration as SSF 1.0 section 8.1.1 has it: receiver-supplied and transmitter-supplied members. */
export class SsfStreamResponse {
  @ApiProperty() stream_id: string;
  @ApiProperty() iss: string;
  @ApiProperty() aud: string;
  @ApiProperty({ type: [String] }) events_supported: string[];
  @ApiProperty({ type: [String] }) events_requested: string[];
  @ApiProperty({ type: [String] }) events_delivered: string[];
  @ApiProperty({ type: DeliveryResponse }) delivery: DeliveryResponse;
  @ApiProperty({ type: String, nullable: true, required: false }) description?: string;
}

/** The last SET the receiver refused (a push answered 400 with an RFC 8935 err, or a poll's setErrs). */
class SetErrorResponse {
  @ApiProperty() jti: string;
  @ApiProperty({ example: 'invalid_issuer' }) err: string;
  @ApiProperty() description: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class SsfStatusResponse {
  @ApiProperty() stream_id: string;
  @ApiProperty({ enum: ['enabled', 'paused', 'disabled'] }) status: string;
  @ApiProperty({ required: false }) reason?: string;
  @ApiProperty({ type: SetErrorResponse, required: false, description: 'The last SET error recorded; that SET is not sent again.' }) last_error?: SetErrorResponse;
}

export const pollUrl = (issuer: string, streamId: string) => `${issuer}${SSF_POLL_PATH}/${streamId}`;

export function streamResponse(stream: LiveSsfStream, issuer: string, audience: string): SsfStreamResponse {
  return {
    stream_id: stream.streamId,
    iss: issuer,
    aud: audience,
    events_supported: [...SSF_EVENTS_SUPPORTED],
    events_requested: stream.eventsRequested,
    events_delivered: stream.eventsDelivered,
    delivery: { method: stream.deliveryMethod, endpoint_url: stream.push?.endpointUrl ?? pollUrl(issuer, stream.streamId) },
    ...(stream.description !== null ? { description: stream.description } : {}),
  };
}

export const statusResponse = (stream: LiveSsfStream): SsfStatusResponse => ({
  stream_id: stream.streamId,
  status: stream.streamStatus,
  ...(stream.statusReason !== null ? { reason: stream.statusReason } : {}),
  ...(stream.lastError !== null
    ? { last_error: { jti: jtiOf(stream.streamId, stream.lastError.position), err: stream.lastError.err, description: stream.lastError.description, at: stream.lastError.at } }
    : {}),
});
