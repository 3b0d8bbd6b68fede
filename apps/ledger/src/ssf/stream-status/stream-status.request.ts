import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { SSF_STATUSES, SSF_STREAM_ID_PATTERN } from '@ledger/domain';

/** SSF section 8.1.2.2: the status a receiver sets, with why. */
export class UpdateSsfStatusRequest {
  @ApiProperty({ pattern: SSF_STREAM_ID_PATTERN.source })
  @IsString()
  @Matches(SSF_STREAM_ID_PATTERN, { message: 'stream_id is not a stream id of this transmitter' })
  stream_id: string;

  @ApiProperty({ enum: SSF_STATUSES, description: 'paused holds SETs until enabled; disabled drops what happens meanwhile.' })
  @IsIn(SSF_STATUSES)
  status: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  reason?: string;
}
