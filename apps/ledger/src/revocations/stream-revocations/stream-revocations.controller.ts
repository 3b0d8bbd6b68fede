import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { HttpFeedSink, parseLastEventId } from '@ledger/revocations';
import { problem, ProblemError } from '../../http/problem';
import { RequireRole } from '../../auth/role.guard';
import { callerOf } from '../../http/request-context';
import { RevocationStreams } from '../revocation-streams';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { StreamRevocationsQuery } from './stream-revocations.request';

const badPosition = () => new ProblemError(problem(400, 'invalid_last_event_id', 'Bad request', 'Last-Event-ID and after must be a non-negative event position'));

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
   * global position, `event` the type, `data` the event. From the head by default; a replay (Last-Event-ID, after,
   * from=start) sends the history first, then live, without a gap or a duplicate in between.
   */
  @Get('stream')
  @ApiOperation({ summary: 'Stream revocations (Server-Sent Events)', description: 'History after Last-Event-ID first, then live. The answer does not end.' })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this position (sent by EventSource on reconnect); wins over the query', schema: POSITION })
  @ApiOkResponse({ description: 'text/event-stream of revocation events; comment lines are heartbeats; `event: dropped` ends a stream the feed gave up on' })
  @ApiProblems(
    [400, 'invalid_last_event_id'],
    [409, 'position_beyond_head: the log has not reached that position (yet)'],
    [429, 'The caller holds LEDGER_SSE_MAX_PER_CALLER streams already (Retry-After)'],
    [503, 'The service holds LEDGER_SSE_MAX_TOTAL streams already, or the store cannot answer (Retry-After)'],
  )
  async stream(@Query() query: StreamRevocationsQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const after = await this.resumePosition(request.headers['last-event-id'], query);
    const slot = request.method === 'HEAD' ? undefined : this.streams.reserve(callerOf(request).name);
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
    if (!slot) {
      res.end();
      return;
    }
    const subscriber = slot.open(new HttpFeedSink(res), after);
    res.once('close', () => subscriber.close());
  }

  /** Undefined: the head. Otherwise the exclusive position to replay after (-1: the start). */
  private async resumePosition(lastEventId: string | string[] | undefined, query: StreamRevocationsQuery): Promise<number | undefined> {
    let after = parseLastEventId(lastEventId);
    if (after === undefined) {
      // The more precise resume point wins, as Last-Event-ID wins over both: after, then from=start.
      after = query.after !== undefined ? parseLastEventId(query.after) : query.from === 'start' ? -1 : undefined;
    }
    if (after === null) throw badPosition();
    // Judged against the store, not the fan-out, which may be a moment behind it: a position the store has not
    // reached is a client's mistake (another ledger's id, say), and waiting for it would silently skip revocations.
    // 409, not 400: the request is well-formed, and conflicts only with the log's current state.
    if (after !== undefined && after > (await this.store.headPosition())) {
      throw new ProblemError(problem(409, 'position_beyond_head', 'Conflict', 'The position is beyond the last event of the log'));
    }
    return after;
  }
}
