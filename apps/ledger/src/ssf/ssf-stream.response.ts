import { ApiProperty } from '@nestjs/swagger';
import { LiveSsfStream, SSF_EVENTS_SUPPORTED } from '@ledger/domain';
import { SSF_POLL_PATH } from './ssf-paths';

class DeliveryResponse {
  @ApiProperty({ example: 'urn:ietf:rfc:8936' }) method: string;
  @ApiProperty({ description: 'RFC 8936: where the receiver polls (transmitter-supplied).' }) endpoint_url: string;
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

export class SsfStatusResponse {
  @ApiProperty() stream_id: string;
  @ApiProperty({ enum: ['enabled', 'paused', 'disabled'] }) status: string;
  @ApiProperty({ required: false }) reason?: string;
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
    delivery: { method: stream.deliveryMethod, endpoint_url: pollUrl(issuer, stream.streamId) },
    ...(stream.description !== null ? { description: stream.description } : {}),
  };
}

export const statusResponse = (stream: LiveSsfStream): SsfStatusResponse => ({
  stream_id: stream.streamId,
  status: stream.streamStatus,
  ...(stream.statusReason !== null ? { reason: stream.statusReason } : {}),
});
