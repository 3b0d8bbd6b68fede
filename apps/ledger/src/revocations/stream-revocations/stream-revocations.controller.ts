import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { openRevocationFeed, parseLastEventId } from '@ledger/revocations';
import { problem, ProblemError } from '../../http/problem';
import { RequireRole } from '../../auth/role.guard';
import { RevocationStreams } from '../revocation-streams';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';

/** parseLastEventId: a position of up to 15 digits; blank means from the start. */
const POSITION = { type: 'string', pattern: '^\\s*(?:\\d{1,15})?\\s*$' };

@ApiTags('revocations')
@Controller('v1/revocations')
@RequireRole('introspect')
@ApiCaller('introspect')
export class StreamRevocationsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly streams: RevocationStreams,
  ) {}

  /**
   * Server-Sent Events of the revocation contract (docs/contracts/revocation-event.v1.schema.json): `id` is the
   * global position, `event` the type, `data` the event. History after Last-Event-ID first, then live.
   */
  @Get('stream')
  @ApiOperation({ summary: 'Stream revocations (Server-Sent Events)', description: 'History after Last-Event-ID first, then live. The answer does not end.' })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this position (sent by EventSource on reconnect)', schema: POSITION })
  @ApiQuery({ name: 'after', required: false, description: 'Resume after this position, for a first connection (Last-Event-ID wins)', schema: POSITION })
  @ApiProblems([400, 'invalid_last_event_id'])
  @ApiOkResponse({ description: 'text/event-stream of revocation events; comment lines are heartbeats' })
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const resumeFrom = request.headers['last-event-id'] ?? (request.query as Record<string, string | undefined>)?.after;
    const after = parseLastEventId(resumeFrom);
    if (after === null) {
      throw new ProblemError(problem(400, 'invalid_last_event_id', 'Bad request', 'Last-Event-ID and after must be a non-negative event position'));
    }
    // From here on the raw response is ours: neither Fastify nor Nest may send anything on it.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Reverse proxies must not buffer a stream whose point is immediacy.
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    // Fastify answers HEAD with the GET handler: headers only, and no stream that never ends.
    if (request.method === 'HEAD') {
      res.end();
      return;
    }
    const feed = openRevocationFeed(this.store, res, { after, onEnd: () => void this.streams.close(feed) });
    this.streams.add(feed);
    res.once('close', () => void this.streams.close(feed));
  }
}
