import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandMetadata } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { CommandMeta } from '../../http/request-context';
import { ManageSsfStreamCommand } from '../manage-ssf-stream/manage-ssf-stream.command';
import { VerifySsfStreamRequest } from './verify-stream.request';

/** SSF 1.0 section 8.1.4.2: the receiver asks; a verification SET with its state follows on the stream. */
@ApiTags('shared-signals')
@Controller('v1/ssf/verify')
@RequireRole('receiver')
export class VerifyStreamController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(204)
  @ApiOperation({ summary: 'Request a verification SET (SSF 8.1.4.2)', description: 'The SET comes by the stream\'s delivery, like any other.' })
  @ApiCaller('receiver')
  @ApiProblems(400, 404, [409, 'ssf_stream_disabled'])
  @ApiNoContentResponse()
  async verify(@Body() body: VerifySsfStreamRequest, @CommandMeta() meta: CommandMetadata): Promise<void> {
    const data = { streamId: body.stream_id, receiver: meta.actor, state: body.state ?? null };
    await this.commands.execute(new ManageSsfStreamCommand({ type: 'VerifySsfStream', data }, meta));
  }
}
