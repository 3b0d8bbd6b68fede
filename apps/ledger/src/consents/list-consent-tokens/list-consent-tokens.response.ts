import { ApiProperty } from '@nestjs/swagger';

/** A token as its consent's list shows it: its id and metadata, never the raw token nor its hash. */
export class ConsentTokenResponse {
  @ApiProperty({ example: 'tok_0123456789abcdef0123456789abcdef', description: 'The token id (jti at introspection)' }) id: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ format: 'date-time', description: 'Issue time, to the second' }) issuedAt: string;
  @ApiProperty({ format: 'date-time', description: "The earlier of the token's own expiry and its consent's, to the second" }) expiresAt: string;
  @ApiProperty({
    enum: ['active', 'revoked', 'expired'],
    description:
      'As introspection answers now. revoked: revoked itself, or ended by a revocation of its consent or user, its client (disabled, narrowed) or a not-before; expired: past expiresAt (its own or its consent\'s).',
  })
  status: 'active' | 'revoked' | 'expired';
  @ApiProperty({ enum: ['access_token', 'refresh_token'], description: "Which kind of token, as introspection's token_use says; a refresh token that a refresh ended shows revoked" })
  tokenUse: 'access_token' | 'refresh_token';
}

export class ConsentTokenListResponse {
  @ApiProperty({ type: [ConsentTokenResponse], description: 'In issue order (the log position of each issue)' }) tokens: ConsentTokenResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor: string | null;
}
