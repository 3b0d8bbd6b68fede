import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AddClientSecretController } from './clients/add-client-secret/add-client-secret.controller';
import { AddClientSecretHandler } from './clients/add-client-secret/add-client-secret.handler';
import { DeleteClientController } from './clients/delete-client/delete-client.controller';
import { DeleteClientHandler } from './clients/delete-client/delete-client.handler';
import { GetScopeOwnerController } from './scopes/get-scope-owner/get-scope-owner.controller';
import { RegisterScopeOwnerController } from './scopes/register-scope-owner/register-scope-owner.controller';
import { RegisterScopeOwnerHandler } from './scopes/register-scope-owner/register-scope-owner.handler';
import { DisableClientController } from './clients/disable-client/disable-client.controller';
import { DisableClientHandler } from './clients/disable-client/disable-client.handler';
import { EnableClientController } from './clients/enable-client/enable-client.controller';
import { EnableClientHandler } from './clients/enable-client/enable-client.handler';
import { GetClientController } from './clients/get-client/get-client.controller';
import { ListClientSecretsController } from './clients/list-client-secrets/list-client-secrets.controller';
import { ListClientsController } from './clients/list-clients/list-clients.controller';
import { ListClientConsentsController } from './clients/list-client-consents/list-client-consents.controller';
import { RegisterClientController } from './clients/register-client/register-client.controller';
import { SetClientNotBeforeController } from './clients/set-client-not-before/set-client-not-before.controller';
import { SetClientNotBeforeHandler } from './clients/set-client-not-before/set-client-not-before.handler';
import { RegisterClientHandler } from './clients/register-client/register-client.handler';
import { RevokeClientSecretController } from './clients/revoke-client-secret/revoke-client-secret.controller';
import { RevokeClientSecretHandler } from './clients/revoke-client-secret/revoke-client-secret.handler';
import { UpdateClientController } from './clients/update-client/update-client.controller';
import { UpdateClientHandler } from './clients/update-client/update-client.handler';
import { LEDGER_CONFIG, LedgerConfig } from './config/ledger-config';
import { AuthorizationServerMetadataController } from './discovery/authorization-server-metadata.controller';
import { GetConsentController } from './consents/get-consent/get-consent.controller';
import { GrantConsentController } from './consents/grant-consent/grant-consent.controller';
import { GrantConsentHandler } from './consents/grant-consent/grant-consent.handler';
import { ListUserConsentsController } from './consents/list-user-consents/list-user-consents.controller';
import { ListConsentTokensController } from './consents/list-consent-tokens/list-consent-tokens.controller';
import { RevokeConsentController } from './consents/revoke-consent/revoke-consent.controller';
import { RevokeConsentHandler } from './consents/revoke-consent/revoke-consent.handler';
import { HealthModule } from './health/health.module';
import { SetLedgerNotBeforeController } from './ledger-wide/set-ledger-not-before/set-ledger-not-before.controller';
import { SetLedgerNotBeforeHandler } from './ledger-wide/set-ledger-not-before/set-ledger-not-before.handler';
import { RevokeUserConsentsController } from './users/revoke-user-consents/revoke-user-consents.controller';
import { RevokeUserConsentsHandler } from './users/revoke-user-consents/revoke-user-consents.handler';
import { EraseSubjectController } from './users/erase-subject/erase-subject.controller';
import { EraseSubjectHandler } from './users/erase-subject/erase-subject.handler';
import { SetUserNotBeforeController } from './users/set-user-not-before/set-user-not-before.controller';
import { SetUserNotBeforeHandler } from './users/set-user-not-before/set-user-not-before.handler';
import { UserRevocationFanOutModule } from './users/revoke-user-consents/revoke-user-consents.fan-out.module';
import { Clock, CLOCK, systemClock } from './infrastructure/clock';
import { LedgerInfrastructureModule } from './infrastructure/ledger-infrastructure.module';
import { MetricsModule } from './metrics/metrics.module';
import { IntrospectToken } from './tokens/introspect-token/introspect-token.query';
import { IssueTokenController } from './tokens/issue-token/issue-token.controller';
import { IssueTokenHandler } from './tokens/issue-token/issue-token.handler';
import { RefreshTokenController } from './tokens/refresh-token/refresh-token.controller';
import { RefreshTokenHandler } from './tokens/refresh-token/refresh-token.handler';
import { ExchangeTokenHandler } from './tokens/exchange-token/exchange-token.handler';
import { PresentedTokens } from './tokens/presented-token';
import { RevokeTokenController } from './tokens/revoke-token/revoke-token.controller';
import { RevokeTokenHandler } from './tokens/revoke-token/revoke-token.handler';
import { RevocationFeedModule } from './revocations/revocation-feed.module';
import { RevocationPublisherModule } from './revocations/revocation-publisher.module';
import { SsfModule } from './ssf/ssf.module';

@Module({})
export class AppModule {
  /** `clock`: what credential checks and secret statuses read (infrastructure/clock.ts); tests pass their own. */
  static forConfig(config: LedgerConfig, options: { clock?: Clock } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        {
          module: ConfigHolder,
          global: true,
          providers: [
            { provide: LEDGER_CONFIG, useValue: config },
            { provide: CLOCK, useValue: options.clock ?? systemClock },
          ],
          exports: [LEDGER_CONFIG, CLOCK],
        },
        MetricsModule,
        AuthModule,
        LedgerInfrastructureModule,
        RevocationFeedModule,
        UserRevocationFanOutModule,
        ...(config.kafka ? [RevocationPublisherModule.forKafka(config.kafka)] : []),
        HealthModule,
        AuditModule,
        SsfModule,
      ],
      controllers: [
        AuthorizationServerMetadataController,
        RegisterClientController,
        ListClientsController,
        ListClientConsentsController,
        GetClientController,
        UpdateClientController,
        DisableClientController,
        EnableClientController,
        SetClientNotBeforeController,
        DeleteClientController,
        AddClientSecretController,
        ListClientSecretsController,
        RevokeClientSecretController,
        GrantConsentController,
        RevokeConsentController,
        GetConsentController,
        ListUserConsentsController,
        ListConsentTokensController,
        IssueTokenController,
        RevokeTokenController,
        RefreshTokenController,
        RevokeUserConsentsController,
        SetUserNotBeforeController,
        EraseSubjectController,
        SetLedgerNotBeforeController,
        RegisterScopeOwnerController,
        GetScopeOwnerController,
      ],
      providers: [
        RegisterClientHandler,
        UpdateClientHandler,
        DisableClientHandler,
        EnableClientHandler,
        SetClientNotBeforeHandler,
        DeleteClientHandler,
        AddClientSecretHandler,
        RevokeClientSecretHandler,
        GrantConsentHandler,
        RevokeConsentHandler,
        IssueTokenHandler,
        RevokeTokenHandler,
        RefreshTokenHandler,
        ExchangeTokenHandler,
        PresentedTokens,
        RevokeUserConsentsHandler,
        SetUserNotBeforeHandler,
        EraseSubjectHandler,
        SetLedgerNotBeforeHandler,
        RegisterScopeOwnerHandler,
        IntrospectToken,
      ],
    };
  }
}

@Module({})
class ConfigHolder {}
