import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { Authenticator } from './api-keys';
import { announceGenerated, resolveApiKeys } from './credentials-file';
import { RoleGuard } from './role.guard';

@Global()
@Module({
  providers: [
    {
      provide: Authenticator,
      inject: [LEDGER_CONFIG],
      useFactory: (config: LedgerConfig) => {
        const { keys, generated } = resolveApiKeys(config.apiKeys, config.dataDir);
        if (generated) announceGenerated(generated.keys, generated.file);
        return new Authenticator(keys);
      },
    },
    { provide: APP_GUARD, useClass: RoleGuard },
  ],
  exports: [Authenticator],
})
export class AuthModule {}
