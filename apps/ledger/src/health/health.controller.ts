import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { ProjectionRunner } from '@ledger/projections';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: ProjectionRunner,
  ) {}

  /** The process is up. */
  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /** Ready to serve: the store answers and the views have caught up with it. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const projection = this.projection.status();
    let head: number | undefined;
    let store: 'up' | 'down' = 'up';
    try {
      head = await this.store.headPosition();
    } catch {
      store = 'down';
    }
    const lagEvents = head === undefined ? undefined : Math.max(0, head - projection.position);
    const ready = store === 'up' && projection.caughtUp && projection.failures === 0;
    reply.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable', checks: { store, projection: { caughtUp: projection.caughtUp, position: projection.position, lagEvents } } };
  }
}
