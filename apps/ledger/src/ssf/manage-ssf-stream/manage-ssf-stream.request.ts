import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsInt, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { SSF_STREAM_ID_PATTERN } from '@ledger/domain';

export class SsfDeliveryRequest {
  @ApiProperty({ example: 'urn:ietf:rfc:8935', description: 'urn:ietf:rfc:8935 (push) or urn:ietf:rfc:8936 (poll).' })
  @IsString()
  @MaxLength(256)
  method: string;

  @ApiProperty({
    required: false,
    description: 'Push: where the SETs are POSTed, at an origin LEDGER_SSF_PUSH_ALLOW allows (required). Poll: transmitter-supplied; if given, the stream\'s poll URL as read.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  endpoint_url?: string;

  @ApiProperty({
    required: false,
    nullable: true,
    maxLength: 4096,
    pattern: '^[\\x20-\\x7e]+$',
    description: 'Push only: the Authorization header value sent with each POST (printable ASCII). Kept encrypted, never returned; null removes it.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  // A header value: printable ASCII and spaces, so nothing can end the header line and start another.
  @Matches(/^[\x20-\x7e]+$/, { message: 'authorization_header must be printable ASCII' })
  authorization_header?: string | null;
}

/**
 * A stream's configuration as a receiver sends it (SSF section 8.1.1) to create, update (PATCH) or replace (PUT) a
 * stream. The transmitter-supplied members may be sent back as read, for a PUT of what a GET gave; any other value is
 * 400 ssf_read_only_property (the controller checks them against the stream).
 */
export class SsfStreamRequest {
  @ApiProperty({ required: false, description: 'Required to update or replace; never given on create.', pattern: SSF_STREAM_ID_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(SSF_STREAM_ID_PATTERN, { message: 'stream_id is not a stream id of this transmitter' })
  stream_id?: string;

  @ApiProperty({ type: SsfDeliveryRequest, required: false })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SsfDeliveryRequest)
  delivery?: SsfDeliveryRequest;

  @ApiProperty({ type: [String], required: false, description: 'Event type URIs; events_delivered is what of these the transmitter supports.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  events_requested?: string[];

  @ApiProperty({ required: false, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  description?: string | null;

  @ApiProperty({ required: false, description: 'Transmitter-supplied: as read, or absent.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  iss?: string;

  @ApiProperty({ required: false, description: 'Transmitter-supplied: as read, or absent.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  aud?: string;

  @ApiProperty({ type: [String], required: false, description: 'Transmitter-supplied: as read, or absent.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  events_supported?: string[];

  @ApiProperty({ type: [String], required: false, description: 'Transmitter-supplied: as read, or absent.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  events_delivered?: string[];

  @ApiProperty({ required: false, description: 'Transmitter-supplied; this transmitter sets none.' })
  @IsOptional()
  @IsInt()
  min_verification_interval?: number;
}

/** The stream a GET or DELETE names (SSF section 8.1.1.2, 8.1.1.5): `?stream_id=`. */
export class SsfStreamQuery {
  @ApiProperty({ required: false, pattern: SSF_STREAM_ID_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(SSF_STREAM_ID_PATTERN, { message: 'stream_id is not a stream id of this transmitter' })
  stream_id?: string;
}

export class SsfStreamIdQuery {
  @ApiProperty({ pattern: SSF_STREAM_ID_PATTERN.source })
  @IsDefined()
  @IsString()
  @Matches(SSF_STREAM_ID_PATTERN, { message: 'stream_id is not a stream id of this transmitter' })
  stream_id: string;
}
