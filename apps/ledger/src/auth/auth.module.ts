import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { Authenticator } from './api-keys';
import { DataDirLock } from '@ledger/event-store';
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
    { provide: APP_GUARD, useClass: RoleGuard },
  ],
  exports: [Authenticator],
})
export class AuthModule {}
