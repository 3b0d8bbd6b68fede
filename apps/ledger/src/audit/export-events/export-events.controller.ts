import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { eventToNdjson, exportEvents, ExportFilter, SealedEventStore, STORED_EVENT_STORE } from '@ledger/audit';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { problem, ProblemError } from '../../http/problem';
import { RequireRole } from '../../auth/role.guard';
import { ExportEventsQuery } from './export-events.request';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';

/** Lines are gathered into chunks of about this size: one socket write per event would cost more than the read. */
const CHUNK_BYTES = 64 * 1024;

/**
 * The ledger, or a slice of it, as NDJSON (one stored event per line, the format `ledger audit import` reads).
 * Streamed from the port's readAll: the Readable pulls the next chunk only when the socket drains, so memory stays
 * flat however large the ledger and however slow the client.
 */
@ApiTags('audit')
@Controller('v1/audit/events')
@RequireRole('audit')
@ApiCaller('audit')
export class ExportEventsController {
  constructor(
    @Inject(STORED_EVENT_STORE) private readonly stored: EventStore,
    @Inject(EVENT_STORE) private readonly opened: SealedEventStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Export events as NDJSON', description: 'The format `ledger audit import` reads. Filters combine with AND.' })
  @ApiProblems([400, 'invalid_request, or invalid_range: fromPosition after toPosition, or from after to'])
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'One JSON event per line: position, id, stream, revision, type, recordedAt, data, metadata (with its chain link).' })
  export(@Query() query: ExportEventsQuery, @Res() reply: FastifyReply): void {
    const filter = toFilter(query);
    reply
      .status(200)
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(Readable.from(chunks(exportEvents(this.stored, filter, (e) => this.opened.open(e))), { objectMode: false }));
  }
}

function toFilter(q: ExportEventsQuery): ExportFilter {
  if (q.fromPosition !== undefined && q.toPosition !== undefined && q.fromPosition > q.toPosition) {
    throw new ProblemError(problem(400, 'invalid_range', 'Bad request', 'fromPosition must not exceed toPosition'));
  }
  const from = q.from === undefined ? undefined : new Date(q.from);
  const to = q.to === undefined ? undefined : new Date(q.to);
  if (from && to && from.getTime() > to.getTime()) throw new ProblemError(problem(400, 'invalid_range', 'Bad request', 'from must not be after to'));
  return { fromPosition: q.fromPosition, toPosition: q.toPosition, from, to, userId: q.userId, clientId: q.clientId, consentId: q.consentId };
}

async function* chunks(events: AsyncIterable<import('@ledger/event-store').StoredEvent>): AsyncGenerator<Buffer> {
  let pending = '';
  for await (const e of events) {
    pending += eventToNdjson(e);
    if (pending.length >= CHUNK_BYTES) {
      yield Buffer.from(pending, 'utf8');
      pending = '';
    }
  }
  if (pending.length > 0) yield Buffer.from(pending, 'utf8');
}
