import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SsfExecutor } from '../ssf-executor';
import { CommandMetadata, ownStream, SsfStatus, SsfStreamState, ssfStream, ssfStreamDecider } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { CommandMeta } from '../../http/request-context';
import { SsfStreamIdQuery } from '../manage-ssf-stream/manage-ssf-stream.request';
import { ManageSsfStreamCommand } from '../manage-ssf-stream/manage-ssf-stream.command';
import { SsfStatusResponse, statusResponse } from '../ssf-stream.response';
import { UpdateSsfStatusRequest } from './stream-status.request';

/** SSF 1.0 section 8.1.2: a stream's status. A change is also a stream-updated SET on the stream. */
@ApiTags('shared-signals')
@Controller('v1/ssf/status')
@RequireRole('receiver')
export class StreamStatusController {
  constructor(
    private readonly commands: CommandBus,
    private readonly executor: SsfExecutor,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Read a stream\'s status (SSF 8.1.2.1)' })
  @ApiCaller('receiver')
  @ApiProblems(400, 404)
  @ApiOkResponse({ type: SsfStatusResponse })
  async read(@Query() query: SsfStreamIdQuery, @CommandMeta() meta: CommandMetadata): Promise<SsfStatusResponse> {
    return statusResponse(ownStream((await this.executor.load(ssfStream(query.stream_id), ssfStreamDecider)).state, meta.actor));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a stream\'s status (SSF 8.1.2.2)', description: 'The same status again changes nothing and sends no SET.' })
  @ApiCaller('receiver')
  @ApiProblems(400, 404)
  @ApiOkResponse({ type: SsfStatusResponse })
  async update(@Body() body: UpdateSsfStatusRequest, @CommandMeta() meta: CommandMetadata): Promise<SsfStatusResponse> {
    const data = { streamId: body.stream_id, receiver: meta.actor, status: body.status as SsfStatus, reason: body.reason ?? null };
    const state: SsfStreamState = await this.commands.execute(new ManageSsfStreamCommand({ type: 'UpdateSsfStreamStatus', data }, meta));
    return statusResponse(ownStream(state, meta.actor));
  }
}
