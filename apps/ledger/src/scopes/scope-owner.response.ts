import { ApiProperty } from '@nestjs/swagger';

/** Who serves a scope: the resource server's client, which a dependency on the scope is asked of. */
export class ScopeOwnerResponse {
  @ApiProperty({ example: 'transfer:all' })
  scope: string;

  @ApiProperty({ example: 'transfer', description: 'The client that serves the scope' })
  clientId: string;

  @ApiProperty({ format: 'date-time' })
  registeredAt: string;
}
