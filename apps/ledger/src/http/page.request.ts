import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

const MAX_PAGE_SIZE = 100;

/** `limit` and `cursor` of every paginated list: the cursor is opaque and signed (infrastructure/cursor-signer.ts). */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20, description: 'Items per page' })
  @IsOptional()
  // Digits only: Number() would also read 0x10, 1e1 and ' 5'.
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : value))
  @IsInt({ message: '$property must be a whole number in decimal digits' })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ type: String, maxLength: 1024, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page, as it was given' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  cursor?: string;
}
