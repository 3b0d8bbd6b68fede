import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { SSF_STREAM_ID_PATTERN } from '@ledger/domain';

export class VerifySsfStreamRequest {
  @ApiProperty({ pattern: SSF_STREAM_ID_PATTERN.source })
  @IsString()
  @Matches(SSF_STREAM_ID_PATTERN, { message: 'stream_id is not a stream id of this transmitter' })
  stream_id: string;

  @ApiProperty({ required: false, description: 'Echoed in the verification SET.' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  state?: string;
}
