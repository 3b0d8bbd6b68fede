import { Body, Controller, Delete, Get, HttpCode, Inject, Patch, Post, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiCreatedResponse, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { randomBytes } from 'node:crypto';
import { SsfExecutor } from '../ssf-executor';
import { CommandMetadata, invalid, LiveSsfStream, ownStream, POLL_DELIVERY, PUSH_DELIVERY, SsfStreamState, ssfStream, ssfStreamDecider } from '@ledger/domain';
import { RequireRole } from '../../auth/role.guard';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { pushEndpointAllowed } from '../../config/ssf-config';
import { HeaderSealer } from '../../infrastructure/ssf-header-key';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { CommandMeta } from '../../http/request-context';
import { SsfReceivers } from '../ssf-receivers';
import { SsfStreams } from '../ssf-streams';
import { pollUrl as pollUrlOf, SsfStreamResponse, streamResponse } from '../ssf-stream.response';
import { ManageSsfStreamCommand } from './manage-ssf-stream.command';
import { SsfDeliveryRequest, SsfStreamIdQuery, SsfStreamQuery, SsfStreamRequest } from './manage-ssf-stream.request';

const readOnly = (member: string) => invalid('ssf_read_only_property', `${member} is set by the transmitter: send it as read, or not at all`);
const PROBLEMS_400 = 'invalid_request, ssf_delivery_method_unsupported, ssf_read_only_property, ssf_push_endpoint_not_allowed';

/**
 * SSF 1.0 section 8.1.1: a receiver's streams, created, read, updated (PATCH), replaced (PUT) and deleted. Every
 * route answers only the caller's own streams; another receiver's stream id is 404, as an unknown one.
 */
@ApiTags('shared-signals')
@Controller('v1/ssf/streams')
@RequireRole('receiver')
export class ManageSsfStreamController {
  constructor(
    private readonly commands: CommandBus,
    private readonly executor: SsfExecutor,
    private readonly streams: SsfStreams,
    private readonly receivers: SsfReceivers,
    private readonly sealer: HeaderSealer,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a stream (SSF 8.1.1.1)',
    description: 'RFC 8935 push (delivery.endpoint_url at an allowed origin, optional authorization_header) or RFC 8936 poll (the answer carries the poll URL in delivery.endpoint_url).',
  })
  @ApiCaller('receiver')
  @ApiProblems([400, PROBLEMS_400])
  // SSF section 8.1.1.1: every member a receiver may send is optional, so no body (or JSON null, as for the other
  // optional bodies) creates a default stream.
  @ApiExtraModels(SsfStreamRequest)
  @ApiBody({ required: false, schema: { nullable: true, allOf: [{ $ref: getSchemaPath(SsfStreamRequest) }] } })
  @ApiCreatedResponse({ type: SsfStreamResponse })
  async create(@Body() body: SsfStreamRequest, @CommandMeta() meta: CommandMetadata): Promise<SsfStreamResponse> {
    for (const member of ['stream_id', 'iss', 'aud', 'events_supported', 'events_delivered', 'min_verification_interval'] as const) {
      if (body?.[member] !== undefined) throw readOnly(member);
    }
    const deliveryMethod = body?.delivery?.method ?? POLL_DELIVERY;
    if (deliveryMethod !== PUSH_DELIVERY && body?.delivery?.endpoint_url !== undefined) throw readOnly('delivery.endpoint_url');
    const streamId = `ssf_${randomBytes(16).toString('hex')}`;
    const data = { streamId, receiver: meta.actor, deliveryMethod, eventsRequested: body?.events_requested ?? [], description: body?.description ?? null, ...this.push(streamId, deliveryMethod, body?.delivery) };
    return this.answer(await this.commands.execute(new ManageSsfStreamCommand({ type: 'CreateSsfStream', data }, meta)), meta.actor);
  }

  @Get()
  @ApiOperation({ summary: 'Read a stream, or all of the caller\'s (SSF 8.1.1.2)', description: 'With stream_id: that stream. Without: an array of every stream of the caller.' })
  @ApiCaller('receiver')
  @ApiProblems(400, 404)
  @ApiExtraModels(SsfStreamResponse)
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(SsfStreamResponse) }, { type: 'array', items: { $ref: getSchemaPath(SsfStreamResponse) } }] } })
  async read(@Query() query: SsfStreamQuery, @CommandMeta() meta: CommandMetadata): Promise<SsfStreamResponse | SsfStreamResponse[]> {
    if (query.stream_id === undefined) return (await this.streams.ofReceiver(meta.actor)).map((s) => this.answer(s, meta.actor));
    return this.answer(await this.own(query.stream_id, meta.actor), meta.actor);
  }

  @Patch()
  @ApiOperation({ summary: 'Update a stream (SSF 8.1.1.3)', description: 'Only the receiver-supplied members given change.' })
  @ApiCaller('receiver')
  @ApiProblems([400, PROBLEMS_400], 404)
  @ApiOkResponse({ type: SsfStreamResponse })
  async update(@Body() body: SsfStreamRequest, @CommandMeta() meta: CommandMetadata): Promise<SsfStreamResponse> {
    const { streamId, current } = await this.checked(body, meta.actor, (stream) => body.delivery?.method ?? stream.deliveryMethod);
    const push = this.push(streamId, body.delivery?.method ?? current.deliveryMethod, body.delivery);
    const data = { streamId, receiver: meta.actor, deliveryMethod: body.delivery?.method, eventsRequested: body.events_requested, description: body.description, ...push };
    return this.answer(await this.commands.execute(new ManageSsfStreamCommand({ type: 'UpdateSsfStream', data }, meta)), meta.actor);
  }

  @Put()
  @ApiOperation({ summary: 'Replace a stream (SSF 8.1.1.4)', description: 'The receiver-supplied members as a whole: an absent one takes its default.' })
  @ApiCaller('receiver')
  @ApiProblems([400, PROBLEMS_400], 404)
  @ApiOkResponse({ type: SsfStreamResponse })
  async replace(@Body() body: SsfStreamRequest, @CommandMeta() meta: CommandMetadata): Promise<SsfStreamResponse> {
    const deliveryMethod = body.delivery?.method ?? POLL_DELIVERY;
    const { streamId } = await this.checked(body, meta.actor, () => deliveryMethod);
    const data = { streamId, receiver: meta.actor, deliveryMethod, eventsRequested: body.events_requested ?? [], description: body.description ?? null, ...this.push(streamId, deliveryMethod, body.delivery) };
    return this.answer(await this.commands.execute(new ManageSsfStreamCommand({ type: 'ReplaceSsfStream', data }, meta)), meta.actor);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a stream (SSF 8.1.1.5)', description: 'For good: its SETs are never delivered again.' })
  @ApiCaller('receiver')
  @ApiProblems(400, 404)
  @ApiNoContentResponse()
  async delete(@Query() query: SsfStreamIdQuery, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.commands.execute(new ManageSsfStreamCommand({ type: 'DeleteSsfStream', data: { streamId: query.stream_id, receiver: meta.actor } }, meta));
  }

  private async own(streamId: string, receiver: string): Promise<LiveSsfStream> {
    return ownStream((await this.executor.load(ssfStream(streamId), ssfStreamDecider)).state, receiver);
  }

  /**
   * A push stream's receiver-supplied endpoint, checked against LEDGER_SSF_PUSH_ALLOW before anything is decided
   * (a push endpoint makes the ledger send requests where the receiver says), and its authorization header, sealed
   * here so that the command, the event and everything after them carry it only encrypted. Poll has neither.
   */
  private push(streamId: string, method: string, delivery: SsfDeliveryRequest | undefined): { endpointUrl?: string; authorization?: string | null } {
    const header = delivery?.authorization_header;
    if (method !== PUSH_DELIVERY) {
      if (header !== undefined && header !== null) throw invalid('invalid_request', 'authorization_header is for push streams only', { fields: [{ field: 'delivery.authorization_header', messages: ['only for urn:ietf:rfc:8935'] }] });
      return {};
    }
    const endpoint = delivery?.endpoint_url;
    if (endpoint !== undefined && !pushEndpointAllowed(this.config.ssf.push.allow, endpoint)) {
      throw invalid('ssf_push_endpoint_not_allowed', 'delivery.endpoint_url is not at an origin this transmitter pushes to (LEDGER_SSF_PUSH_ALLOW)');
    }
    return {
      ...(endpoint !== undefined ? { endpointUrl: endpoint } : {}),
      ...(header !== undefined ? { authorization: header === null ? null : this.sealer.seal(streamId, header) } : {}),
    };
  }

  /**
   * The stream an update names, the caller's; its transmitter-supplied members, if sent, as they are. A poll
   * stream's endpoint_url is one of them; a push stream's is the receiver's own.
   */
  private async checked(body: SsfStreamRequest, receiver: string, methodAfter: (stream: LiveSsfStream) => string): Promise<{ streamId: string; current: LiveSsfStream }> {
    if (body?.stream_id === undefined) throw invalid('invalid_request', 'stream_id is required', { fields: [{ field: 'stream_id', messages: ['stream_id is required'] }] });
    const stream = await this.own(body.stream_id, receiver);
    const current = this.answer(stream, receiver);
    for (const member of ['iss', 'aud'] as const) if (body[member] !== undefined && body[member] !== current[member]) throw readOnly(member);
    for (const member of ['events_supported', 'events_delivered'] as const) {
      if (body[member] !== undefined && body[member].join(' ') !== current[member].join(' ')) throw readOnly(member);
    }
    if (body.min_verification_interval !== undefined) throw readOnly('min_verification_interval');
    const pollUrl = pollUrlOf(this.config.issuer, stream.streamId);
    if (methodAfter(stream) !== PUSH_DELIVERY && body.delivery?.endpoint_url !== undefined && body.delivery.endpoint_url !== pollUrl) throw readOnly('delivery.endpoint_url');
    return { streamId: body.stream_id, current: stream };
  }

  private answer(state: SsfStreamState, receiver: string): SsfStreamResponse {
    return streamResponse(ownStream(state, receiver), this.config.issuer, this.receivers.audienceOf(receiver));
  }
}
