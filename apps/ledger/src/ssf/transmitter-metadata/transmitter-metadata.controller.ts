import { Controller, Get, Header, Inject, Param } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { notFound, POLL_DELIVERY, PUSH_DELIVERY } from '@ledger/domain';
import { SetSigner } from '@ledger/revocations';
import { Public } from '../../auth/role.guard';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { SSF_ADD_SUBJECT_PATH, SSF_JWKS_PATH, SSF_METADATA_PATH, SSF_REMOVE_SUBJECT_PATH, SSF_STATUS_PATH, SSF_STREAMS_PATH, SSF_VERIFY_PATH } from '../ssf-paths';

/**
 * OpenID SSF 1.0 section 7 transmitter metadata, public, and the JWKS its SETs verify with. The issuer is the one
 * LEDGER_ISSUER of the RFC 8414 metadata and of introspection; SSF expects it to be https, which it is wherever TLS
 * is terminated in front of the ledger (docs/ssf.md). Only what is implemented is advertised: RFC 8936 poll.
 */
@ApiTags('shared-signals')
@Controller()
@Public()
export class TransmitterMetadataController {
  private readonly metadata: Record<string, unknown>;
  private readonly issuerPath: string;

  constructor(
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
    private readonly signer: SetSigner,
  ) {
    const { issuer } = config;
    this.issuerPath = new URL(issuer).pathname.replace(/^\/$/, '');
    this.metadata = {
      spec_version: '1_0',
      issuer,
      jwks_uri: `${issuer}${SSF_JWKS_PATH}`,
      delivery_methods_supported: [PUSH_DELIVERY, POLL_DELIVERY],
      configuration_endpoint: `${issuer}${SSF_STREAMS_PATH}`,
      status_endpoint: `${issuer}${SSF_STATUS_PATH}`,
      add_subject_endpoint: `${issuer}${SSF_ADD_SUBJECT_PATH}`,
      remove_subject_endpoint: `${issuer}${SSF_REMOVE_SUBJECT_PATH}`,
      verification_endpoint: `${issuer}${SSF_VERIFY_PATH}`,
      // Receivers' API keys, sent as RFC 6750 bearer tokens.
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6750' }],
      // A stream hears of no one until subjects are added, and then only within its receiver's entitlement.
      default_subjects: 'NONE',
    };
  }

  @Get(SSF_METADATA_PATH.slice(1))
  @Header('cache-control', 'public, max-age=3600')
  @ApiOperation({ summary: 'Shared Signals transmitter metadata (OpenID SSF 1.0 section 7)', description: 'Public.' })
  @ApiOkResponse({ description: 'SSF section 7.1 metadata' })
  get(): Record<string, unknown> {
    return this.forIssuerPath('');
  }

  /** SSF section 7.2, as RFC 8414: an issuer with a path has its metadata at the well-known path followed by it. */
  @Get(`${SSF_METADATA_PATH.slice(1)}/*`)
  @Header('cache-control', 'public, max-age=3600')
  @ApiExcludeEndpoint()
  getForPath(@Param('*') path: string): Record<string, unknown> {
    return this.forIssuerPath(`/${path}`);
  }

  @Get(SSF_JWKS_PATH.slice(1))
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({ summary: 'The keys SETs are signed with (RFC 7517 JWKS)', description: 'Public. RS256; each key\'s kid is its RFC 7638 thumbprint. The signing key first; after a rotation, the previous one too, for an overlap.' })
  @ApiOkResponse({ description: '{"keys": [JWK]}' })
  jwks(): { keys: unknown[] } {
    return this.signer.jwks;
  }

  private forIssuerPath(path: string): Record<string, unknown> {
    if (path !== this.issuerPath) throw notFound('not_found', 'No such metadata');
    return this.metadata;
  }
}
