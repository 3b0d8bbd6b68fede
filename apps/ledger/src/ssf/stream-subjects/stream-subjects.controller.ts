import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandMetadata, parseSubject } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { CommandMeta } from '../../http/request-context';
import { ManageSsfStreamCommand } from '../manage-ssf-stream/manage-ssf-stream.command';
import { SsfReceivers } from '../ssf-receivers';
import { SsfSubjectRequest } from './stream-subjects.request';

/** SSF 1.0 section 8.1.3: the subjects a stream hears about (default_subjects NONE: none until added). */
@ApiTags('shared-signals')
@Controller('v1/ssf/subjects')
@RequireRole('receiver')
export class StreamSubjectsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly receivers: SsfReceivers,
  ) {}

  @Post('add')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a subject (SSF 8.1.3.2)', description: 'A subject naming a client outside the receiver\'s entitlement is 403 subject_not_entitled.' })
  @ApiCaller('receiver')
  @ApiProblems([400, 'invalid_request, invalid_subject'], [403, 'subject_not_entitled'], 404)
  @ApiOkResponse({ description: 'Added (or there already)' })
  async add(@Body() body: SsfSubjectRequest, @CommandMeta() meta: CommandMetadata): Promise<void> {
    const data = { streamId: body.stream_id, receiver: meta.actor, subject: parseSubject(body.subject), entitlement: this.receivers.entitlementOf(meta.actor) };
    await this.commands.execute(new ManageSsfStreamCommand({ type: 'AddSsfSubject', data }, meta));
  }

  @Post('remove')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a subject (SSF 8.1.3.3)', description: 'A subject the stream does not have is no error.' })
  @ApiCaller('receiver')
  @ApiProblems([400, 'invalid_request, invalid_subject'], 404)
  @ApiNoContentResponse()
  async remove(@Body() body: SsfSubjectRequest, @CommandMeta() meta: CommandMetadata): Promise<void> {
    const data = { streamId: body.stream_id, receiver: meta.actor, subject: parseSubject(body.subject) };
    await this.commands.execute(new ManageSsfStreamCommand({ type: 'RemoveSsfSubject', data }, meta));
  }
}
