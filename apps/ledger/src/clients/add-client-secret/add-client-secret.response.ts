import { ApiProperty } from '@nestjs/swagger';
import { ClientSecretResponse } from '../client-secret.response';
import type { AddedClientSecret } from './add-client-secret.command';

class SupersededSecret {
  @ApiProperty({ pattern: '^sec_[0-9a-f]{32}$' }) secretId: string;
  @ApiProperty({ format: 'date-time', description: 'The superseded secret authenticates until then' }) validUntil: string;
}

export class AddedClientSecretResponse extends ClientSecretResponse implements AddedClientSecret {
  @ApiProperty({ example: 'transfer-web' }) clientId: string;
  @ApiProperty({
    example: 'lcs_q3Zt0m4G6kR8yP1vB7xW2nJ5sD9fH0aL3cE6uI8oT4k',
    pattern: '^lcs_[A-Za-z0-9_-]{43}$',
    description: 'The client secret, for client_secret_basic or client_secret_post at /v1/oauth2/revoke. Shown once: only its SHA-256 hash is kept.',
  })
  secret: string;
  @ApiProperty({ type: [SupersededSecret], description: 'The secrets valid until now, with the end of their overlap window' }) superseded: SupersededSecret[];
}
