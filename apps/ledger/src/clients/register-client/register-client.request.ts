import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUrl, MaxLength, MinLength } from 'class-validator';
import { ClientIdField, ScopeList } from '../../http/validators';

export class RegisterClientRequest {
  @ClientIdField()
  clientId: string;

  @ApiProperty({ example: 'Globus Transfer web app', minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ScopeList(false, 'Scopes this client may ever be granted. Absent: any well-formed scope.')
  allowedScopes?: string[];

  @ApiPropertyOptional({ example: 'https://example.org/terms', type: String, format: 'uri', pattern: '^https?://[^\\s]{1,2040}$', maxLength: 2048, nullable: true, description: 'An http or https URL; null: none' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  termsUrl?: string;
}
