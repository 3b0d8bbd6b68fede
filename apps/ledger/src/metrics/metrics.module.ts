import { Controller, Get, Global, Header, Inject, Injectable, Module, OnModuleInit, Optional } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandExecutor } from '@ledger/commands';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Gauge, Registry } from 'prom-client';
import { DomainError } from '@ledger/domain';
import { EVENT_STORE, EventStore, EventStoreError, WrongExpectedVersionError } from '@ledger/event-store';
import { ProjectionRunner } from '@ledger/projections';
import { RequireRole } from '../auth/role.guard';
import { lagOf } from './lag';
import { LedgerMetrics } from './ledger-metrics';
import { REVOCATION_PUBLISHER_STATUS, RevocationPublisherStatus } from './publisher-status';
import { ApiCaller } from '../docs/api-docs';

/**
 * Prometheus text format. Needs a credential (role audit, or admin): the numbers reveal no ledger data, but they do
 * reveal traffic, and the service may listen on every interface.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: LedgerMetrics) {}

  @Get()
  @RequireRole('audit')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiCaller('audit')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format' })
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** Gauges read at scrape time from the components that know the answer, so they are never stale. */
@Injectable()
class LedgerGauges implements OnModuleInit {
  constructor(
    private readonly metrics: LedgerMetrics,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: ProjectionRunner,
    private readonly commands: CommandBus,
    private readonly executor: CommandExecutor,
    @Optional() @Inject(REVOCATION_PUBLISHER_STATUS) private readonly publisher?: RevocationPublisherStatus,
  ) {}

  onModuleInit(): void {
    const { registry } = this.metrics;
    const head = async () => {
      try {
        return await this.store.headPosition();
      } catch {
        this.metrics.eventStoreError('head');
        return undefined;
      }
    };
    const projection = this.projection;
    gauge(registry, 'ledger_event_store_head_position', 'Global position of the last event in the log (-1: empty).', head);
    // Counted by the runner rather than head minus position: EventStoreDB positions are byte offsets.
    const lag = () => projection.lag().catch(() => undefined);
    gauge(registry, 'ledger_projection_lag_events', 'Events in the log that the local views have not applied yet.', async () => (await lag())?.events);
    gauge(registry, 'ledger_projection_lag_seconds', 'Age of the oldest event the views have not applied yet; 0 at the head.', async () => {
      const l = await lag();
      return l && l.ms / 1000;
    });
    // Commands waiting for their stream's lane: a steady rise means one consent or client is hot (see docs/design.md).
    gauge(registry, 'ledger_commands_queued', 'Commands waiting for an earlier command on the same stream to finish.', () => this.executor.queued);
    gauge(registry, 'ledger_projection_failures', 'Consecutive failures of the projection subscription (0 when healthy).', () => projection.status().failures);
    const publisher = this.publisher;
    if (publisher) {
      const publisherLag = () =>
        lagOf(this.store, publisher.status()).catch(() => {
          this.metrics.eventStoreError('head');
          return undefined;
        });
      gauge(registry, 'ledger_publisher_lag_events', 'Events in the log the Kafka revocation publisher has not dealt with yet (counted up to 10,000).', async () => (await publisherLag())?.events);
      gauge(registry, 'ledger_publisher_lag_seconds', 'Age of the oldest event the publisher has not dealt with yet; 0 at the head.', async () => (await publisherLag())?.seconds);
      gauge(registry, 'ledger_publisher_healthy', '1 while the Kafka producer can publish.', () => (publisher.status().healthy ? 1 : 0));
    }
    this.timeCommands();
  }

  /**
   * @nestjs/cqrs has no middleware around a handler, so the bus's execute is wrapped once here: every command is
   * timed the same way whichever route or caller sent it, and no handler needs to know about metrics.
   */
  private timeCommands(): void {
    const bus = this.commands as CommandBus & { execute: CommandBus['execute'] };
    const execute = bus.execute.bind(bus);
    const metrics = this.metrics;
    bus.execute = ((command: object, context?: unknown) => {
      const name = command.constructor.name.replace(/Command$/, '');
      const end = metrics.commandDuration.startTimer({ command: name });
      return (execute as (c: object, ctx?: unknown) => Promise<unknown>)(command, context).then(
        (result) => {
          end({ outcome: 'ok' });
          return result;
        },
        (error: unknown) => {
          end({ outcome: error instanceof DomainError ? 'rejected' : 'error' });
          if (error instanceof EventStoreError && !(error instanceof WrongExpectedVersionError)) metrics.eventStoreError('command');
          throw error;
        },
      );
    }) as CommandBus['execute'];
  }
}

function gauge(registry: Registry, name: string, help: string, read: () => number | undefined | Promise<number | undefined>) {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      const value = await read();
      if (value !== undefined) this.set(value);
    },
  });
}

@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: LedgerMetrics, useFactory: () => new LedgerMetrics() }, LedgerGauges],
  exports: [LedgerMetrics],
})
export class MetricsModule {}
