import { Body, Controller, Header, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags, ApiParam } from '@nestjs/swagger';
import { CommandMetadata, invalid, SSF_STREAM_ID_PATTERN } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { CommandMeta } from '../../http/request-context';
import { PollResult, PollSets, PollSetsCommand } from './poll-sets.command';
import { PollSetsRequest } from './poll-sets.request';

const ERR = /^[a-z_]{1,64}$/;

/** setErrs: at most as many as a poll acknowledges, each an RFC 8935 error code and a description. */
function setErrsOf(value: Record<string, unknown> | undefined): PollSets['setErrs'] {
  const entries = Object.entries(value ?? {});
  if (entries.length > 1000) throw invalid('invalid_request', 'setErrs: at most 1000');
  const out: PollSets['setErrs'] = [];
  for (const [jti, e] of entries) {
    const { err, description, ...rest } = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    if (typeof err !== 'string' || !ERR.test(err) || typeof description !== 'string' || description.length > 1024 || jti.length > 128 || Object.keys(rest).length > 0) {
      throw invalid('invalid_request', `setErrs["${jti.slice(0, 128)}"] must be {"err": an RFC 8935 error code, "description": at most 1024 characters}`);
    }
    out.push({ jti, err, description });
  }
  return out;
}

/** RFC 8936 poll delivery of one stream; its URL is the stream's delivery.endpoint_url. */
@ApiTags('shared-signals')
@Controller('v1/ssf/poll')
@RequireRole('receiver')
export class PollSetsController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':streamId')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Poll for SETs (RFC 8936)',
    description:
      'Acknowledges (ack, setErrs), then answers unacknowledged SETs by jti, signed RS256 with typ secevent+jwt. RFC 8936 gives `sets` no order: order SETs per subject by their `log_position` claim. An acknowledged SET never comes back; an unacknowledged one does.',
  })
  @ApiCaller('receiver')
  @ApiParam({ name: 'streamId', description: 'The stream polled', schema: { type: 'string', pattern: SSF_STREAM_ID_PATTERN.source } })
  @ApiProblems(400, 404)
  @ApiOkResponse({ description: '{"sets": {jti: SET}, "moreAvailable": boolean}' })
  poll(@Param('streamId') streamId: string, @Body() body: PollSetsRequest, @CommandMeta() meta: CommandMetadata): Promise<PollResult> {
    if (!SSF_STREAM_ID_PATTERN.test(streamId)) throw invalid('invalid_request', 'The path does not name a stream of this transmitter');
    const data: PollSets = {
      streamId,
      receiver: meta.actor,
      maxEvents: body?.maxEvents,
      returnImmediately: body?.returnImmediately ?? false,
      ack: body?.ack ?? [],
      setErrs: setErrsOf(body?.setErrs),
    };
    return this.commands.execute(new PollSetsCommand(data, meta));
  }
}
