import { ApiProperty } from '@nestjs/swagger';
import type { ErasureResult } from './erase-subject.result';

export class ErasureResponse implements ErasureResult {
  @ApiProperty({ enum: [true] }) erased: true;
  @ApiProperty({ description: 'Id of the subject key that was destroyed (random; names no one).', example: '5f0c2b8e9a7d4c1e8b3a6f2d1c0e9b8a' }) kid: string;
  @ApiProperty({ description: "What the subject's user id reads as in history, as-of and the views from now on.", example: '~erased:5f0c2b8e9a7d4c1e8b3a6f2d1c0e9b8a' })
  pseudonym: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the erasure was recorded (the first time, on a repeat).' }) erasedAt: string;
  @ApiProperty({ type: 'integer', description: "Revision of the user's stream." }) revision: number;
}
