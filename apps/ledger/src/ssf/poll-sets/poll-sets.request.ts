import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** RFC 8936 section 2.4 poll request. Member names are the RFC's. */
export class PollSetsRequest {
  @ApiProperty({ required: false, minimum: 0, maximum: 1000, description: 'Most SETs to return; 0: acknowledge only. Absent: 100.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  maxEvents?: number;

  @ApiProperty({ required: false, description: 'false (the default): wait up to LEDGER_SSF_LONG_POLL_MS for a SET.' })
  @IsOptional()
  @IsBoolean()
  returnImmediately?: boolean;

  @ApiProperty({ type: [String], required: false, description: 'jtis of SETs received: never sent again.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  ack?: string[];

  @ApiProperty({
    required: false,
    type: Object,
    additionalProperties: true,
    example: { 'ssf_0123456789abcdef0123456789abcdef-42': { err: 'invalid_key', description: 'unknown kid' } },
    description: 'jti -> RFC 8935 error: SETs the receiver refused; they acknowledge those SETs too, and are recorded.',
  })
  @IsOptional()
  @IsObject()
  setErrs?: Record<string, unknown>;
}
