import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { SSF_STREAM_ID_PATTERN } from '@ledger/domain';

/**
 * SSF section 8.1.3.2 and 8.1.3.3. The subject is parsed by the domain's parseSubject (its formats nest, which a
 * DTO would spell out member by member): RFC 9493 `opaque` (a user id) or SSF `complex` (user and application).
 */
export class SsfSubjectRequest {
  @ApiProperty({ pattern: SSF_STREAM_ID_PATTERN.source })
  @IsString()
  @Matches(SSF_STREAM_ID_PATTERN, { message: 'stream_id is not a stream id of this transmitter' })
  stream_id: string;

  @ApiProperty({
    type: Object,
    additionalProperties: true,
    example: { format: 'complex', user: { format: 'opaque', id: 'alice' }, application: { format: 'opaque', id: 'transfer-web' } },
  })
  @IsObject()
  subject: Record<string, unknown>;

  @ApiProperty({ required: false, description: 'Add only; accepted and not used: the ledger verified nothing about the subject.' })
  @IsOptional()
  @IsBoolean()
  verified?: boolean;
}
