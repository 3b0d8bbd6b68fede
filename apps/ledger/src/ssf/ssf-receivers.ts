import { Inject, Injectable } from '@nestjs/common';
import type { Entitlement } from '@ledger/domain';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';

/**
 * Receivers' entitlements (LEDGER_SSF_RECEIVERS), by the API key name they authenticate with. A receiver hears only
 * of the users of its clients; one not configured is entitled to no client. The entitlement is read at every poll,
 * so a narrowed one takes effect at the next poll, for SETs not yet acknowledged too.
 */
@Injectable()
export class SsfReceivers {
  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {}

  entitlementOf(receiver: string): Entitlement {
    return this.config.ssf.receivers.get(receiver) ?? [];
  }

  /** The `aud` of the receiver's SETs: its name, which is also what it authenticates as. */
  audienceOf(receiver: string): string {
    return receiver;
  }
}
