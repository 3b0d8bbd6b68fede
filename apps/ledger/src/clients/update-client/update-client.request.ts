import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUrl, MaxLength, MinLength } from 'class-validator';
import { ReasonField, ScopeList } from '../../http/validators';

/** Each field given is set; a field left out stays as it is. */
export class UpdateClientRequest {
  @ApiPropertyOptional({ example: 'Globus Transfer web app', minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ScopeList(
    false,
    'The scopes the client may be granted from now on, in full. Scopes left out are revoked from every consent of the client at once: every token carrying one ends, and allowing it again later revives none. Always a list: a client never goes back to "any scope".',
  )
  allowedScopes?: string[];

  @ApiPropertyOptional({ example: 'https://example.org/terms', type: String, format: 'uri', pattern: '^https?://[^\\s]{1,2040}$', maxLength: 2048, nullable: true, description: 'An http or https URL; null removes it' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  termsUrl?: string | null;

  @ReasonField()
  reason?: string;
}
