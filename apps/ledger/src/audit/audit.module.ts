import { Module } from '@nestjs/common';
import { ConsentHistoryController } from './consent-history/consent-history.controller';
import { ConsentsAsOfController } from './consents-as-of/consents-as-of.controller';
import { ExportEventsController } from './export-events/export-events.controller';

/**
 * Read-only audit API (role 'audit'): one folder per query. It reads the event store through the port, never
 * writes, and shares its queries with the `ledger audit` CLI (libs/audit).
 */
@Module({
  controllers: [ConsentHistoryController, ConsentsAsOfController, ExportEventsController],
})
export class AuditModule {}
