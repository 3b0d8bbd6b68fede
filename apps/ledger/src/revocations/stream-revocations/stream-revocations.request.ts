import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';

/**
 * The query of GET /v1/revocations/stream. Like every query of the API it is whitelisted: an unknown parameter is a
 * 400, not a silently ignored typo (`?form=start` must not quietly start at the head).
 */
export class StreamRevocationsQuery {
  @ApiPropertyOptional({ description: 'Replay the revocations after this position first (Last-Event-ID wins over it)', pattern: '^\\s*(?:\\d{1,15})?\\s*$' })
  @IsOptional()
  @IsString()
  after?: string;

  @ApiPropertyOptional({ enum: ['start'], description: 'start: replay every revocation from the start of the log (after and Last-Event-ID win over it)' })
  @IsOptional()
  @IsIn(['start'])
  from?: 'start';
}
