import { Controller, Get, HttpCode, Inject, Logger, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorFunction, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
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
 * says why, once, when a check changes state), nor where: log positions are event counts on SQLite, which /metrics
 * keeps behind the audit role.
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
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiOkResponse({ description: '{"status": "ok"}' })
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /**
   * Ready to serve introspection and commands correctly: the store answers and the views have caught up with it
   * (within LEDGER_READY_MAX_LAG_EVENTS). The Kafka publisher, when there is one, is reported in `publisher` but does
   * not decide: a broker outage must not take every instance out of rotation, least of all while revocations still
   * have to take effect through introspection. /health/publisher is the probe that fails on it.
   */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the store answers and the views are within LEDGER_READY_MAX_LAG_EVENTS' })
  @ApiOkResponse({ description: 'Ready (Terminus health report)' })
  @ApiServiceUnavailableResponse({ description: 'Not ready (Terminus health report, not problem+json: the answer of a probe)' })
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
      async () => this.noted(head === undefined ? this.indicators.check('store').down() : this.indicators.check('store').up(), storeError),
      async () => {
        const status = this.projection.status();
        // Counted by the runner, not head minus position: EventStoreDB positions are byte offsets, not event numbers.
        const measured = head === undefined ? undefined : await this.projection.lag().catch(() => undefined);
        const lag = measured && { events: measured.events, seconds: measured.ms / 1000, ms: measured.ms };
        const ok = status.caughtUp && status.failures === 0 && !status.unreadable && lag !== undefined && lag.events <= this.config.readyMaxLagEvents;
        // An event this build cannot read stops the views for good (until an upgrade): say which, for the operator.
        const data = { caughtUp: status.caughtUp, lagEvents: lag?.events, lagSeconds: lag?.seconds, lagMs: lag?.ms, ...(status.unreadable ? { unreadableEvent: status.unreadable } : {}) };
        return this.noted(ok ? this.indicators.check('projection').up(data) : this.indicators.check('projection').down(data), status.lastError);
      },
    ];
    const [report, publisher] = await Promise.all([this.report(checks, reply), this.publisherIndicator(head !== undefined)]);
    return publisher ? { ...report, publisher: publisher.publisher } : report;
  }

  /**
   * The Kafka publisher alone, for an alert or a probe of its own: 503 while it cannot publish. The same facts as
   * `publisher` in /health/ready. Without Kafka there is nothing to fail: 200 with no details.
   */
  @Get('publisher')
  @ApiOperation({ summary: 'The Kafka revocation publisher: up, and how far behind' })
  @ApiOkResponse({ description: 'Healthy, or no publisher configured (Terminus health report)' })
  @ApiServiceUnavailableResponse({ description: 'Unhealthy (Terminus health report)' })
  async publisherHealth(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.report(this.publisher ? [async () => (await this.publisherIndicator(true))!] : [], reply);
  }

  private async publisherIndicator(storeUp: boolean): Promise<HealthIndicatorResult<'publisher'> | undefined> {
    const publisher = this.publisher;
    if (!publisher) return undefined;
    const status = publisher.status();
    const lag = storeUp ? await lagOf(this.store, status).catch(() => undefined) : undefined;
    // role: 'leader' or 'standby' when instances share one EventStoreDB (revocations/publisher-under-lease.ts).
    const data = { lagEvents: lag?.events, lagSeconds: lag?.seconds, role: (status as { role?: string }).role };
    return this.noted(status.healthy ? this.indicators.check('publisher').up(data) : this.indicators.check('publisher').down(data), status.lastError);
  }

  /** Terminus's report: 200 when every check is up, else 503 with the same body rather than a generic problem. */
  private async report(checks: HealthIndicatorFunction[], reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(503).header('cache-control', 'no-store');
      return error.getResponse() as HealthCheckResult;
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
