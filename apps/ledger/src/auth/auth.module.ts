import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { DataDirLock } from '@ledger/event-store';
import { CLIENT_VIEW, ClientView } from '@ledger/projections';
import { CLOCK, Clock } from '../infrastructure/clock';
import { Authenticator } from './api-keys';
import { ClientAuthenticator } from './client-authenticator';
import { resolveApiKeys } from './credentials-file';
import { RoleGuard } from './role.guard';

@Global()
@Module({
  providers: [
    {
      provide: Authenticator,
      // After the data directory's lock: two processes starting at once must not both generate credentials.
      inject: [LEDGER_CONFIG, DataDirLock],
      useFactory: (config: LedgerConfig) => {
        const { keys, notice } = resolveApiKeys(config.apiKeys, config.dataDir, config.secretsDir);
        // Plain text on stderr, apart from the JSON log on stdout, and naming the file only: a log collector (docker
        // compose logs) must never receive a secret.
        if (notice) process.stderr.write(notice);
        return new Authenticator(keys);
      },
    },
    // OAuth clients, checked against the client view: their secrets are events, not configuration.
    { provide: ClientAuthenticator, inject: [CLIENT_VIEW, CLOCK], useFactory: (clients: ClientView, clock: Clock) => new ClientAuthenticator(clients, clock) },
    { provide: APP_GUARD, useClass: RoleGuard },
  ],
  exports: [Authenticator, ClientAuthenticator],
})
export class AuthModule {}
