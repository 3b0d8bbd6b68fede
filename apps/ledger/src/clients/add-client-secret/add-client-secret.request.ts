import { ApiPropertyOptional } from '@nestjs/swagger';
import { SECRET_OVERLAP_SECONDS } from '@ledger/domain';
import { Allow, IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * Optional body of POST /v1/clients/{id}/secrets. The secret itself is never part of it: the ledger generates it.
 * `secret`, `clientSecret` and `client_secret` are let through the validation pipe (and left out of the document)
 * only so that the controller can refuse them with a code of their own, secret_not_accepted.
 */
export class AddClientSecretRequest {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: SECRET_OVERLAP_SECONDS.max,
    default: SECRET_OVERLAP_SECONDS.default,
    description: "How long the client's secrets valid until now keep authenticating beside the new one, in seconds. 0 ends them at once (a leak).",
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(SECRET_OVERLAP_SECONDS.max)
  overlapSeconds?: number;

  @Allow() secret?: unknown;
  @Allow() clientSecret?: unknown;
  @Allow() client_secret?: unknown;
}
