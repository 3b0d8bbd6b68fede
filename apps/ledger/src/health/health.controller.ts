import { Controller, Get, HttpCode, Inject, Logger, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorFunction, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { ProjectionRunner } from '@ledger/projections';
import { Public } from '../auth/role.guard';
import { LEDGER_CONFIG, LedgerConfig } from '../config/ledger-config';
import { lagOf } from '../metrics/lag';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { REVOCATION_PUBLISHER_STATUS, RevocationPublisherStatus } from '../metrics/publisher-status';
import { CheckStates } from './check-states';

/**
 * Public, for load balancers and orchestrators: says up or down and how far behind, never why in detail (the log
 * says why, once, when a check changes state).
 */
@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  private readonly logger = new Logger('Health');
  private readonly states = new CheckStates();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: ProjectionRunner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly metrics: LedgerMetrics,
    @Optional() @Inject(REVOCATION_PUBLISHER_STATUS) private readonly publisher?: RevocationPublisherStatus,
  ) {}

  /** The process is up. */
  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /**
   * Ready to serve: the store answers, the views have caught up with it (within LEDGER_READY_MAX_LAG_EVENTS) and,
   * when a Kafka publisher runs, it can publish and keeps up.
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    let head: number | undefined;
    let storeError: string | undefined;
    try {
      head = await this.store.headPosition();
    } catch (error) {
      this.metrics.eventStoreError('head');
      storeError = error instanceof Error ? error.message : String(error);
    }
    const checks: HealthIndicatorFunction[] = [
      async () => this.noted(head === undefined ? this.indicators.check('store').down() : this.indicators.check('store').up({ head }), storeError),
      async () => {
        const status = this.projection.status();
        // Counted by the runner, not head minus position: EventStoreDB positions are byte offsets, not event numbers.
        const measured = head === undefined ? undefined : await this.projection.lag().catch(() => undefined);
        const lag = measured && { events: measured.events, seconds: measured.ms / 1000, ms: measured.ms };
        const ok = status.caughtUp && status.failures === 0 && lag !== undefined && lag.events <= this.config.readyMaxLagEvents;
        const data = { position: status.position, caughtUp: status.caughtUp, lagEvents: lag?.events, lagSeconds: lag?.seconds, lagMs: lag?.ms };
        return this.noted(ok ? this.indicators.check('projection').up(data) : this.indicators.check('projection').down(data), status.lastError);
      },
    ];
    const publisher = this.publisher;
    if (publisher) {
      checks.push(async () => {
        const status = publisher.status();
        const lag = head === undefined ? undefined : await lagOf(this.store, status).catch(() => undefined);
        // role: 'leader' or 'standby' when instances share one EventStoreDB (revocations/publisher-under-lease.ts).
        const data = { position: status.position, lagEvents: lag?.events, lagSeconds: lag?.seconds, role: (status as { role?: string }).role };
        return this.noted(status.healthy ? this.indicators.check('kafka').up(data) : this.indicators.check('kafka').down(data), status.lastError);
      });
    }
    try {
      return await this.health.check(checks);
    } catch (error) {
      // Terminus reports "down" as a 503 exception; answer with its report rather than a generic problem.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(503).header('cache-control', 'no-store');
      return error.getResponse();
    }
  }

  /**
   * Logs a check's change of state, once: down at warn, with the reason the public body leaves out; back up at info.
   * Probes come every few seconds; a line per failing probe would bury the one that says when it started.
   */
  private noted<R extends HealthIndicatorResult>(result: R, reason?: string): R {
    for (const [check, { status, ...data }] of Object.entries(result)) {
      const change = this.states.observe(check, status === 'up' ? 'up' : 'down');
      if (change === 'down') this.logger.warn({ msg: `health check ${check} is down`, check, ...data, reason });
      else if (change === 'up') this.logger.log({ msg: `health check ${check} is up again`, check, ...data });
    }
    return result;
  }
}
