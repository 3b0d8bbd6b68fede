/**
 * The storage floor of a command: the trivial Nest route (trivial-nest-app.ts), on the command's own path with the
 * ledger's own request DTO and validation pipe, whose handler also appends one event durably through the embedded store the ledger uses (SqliteEventStore: its
 * schema, group commit, WAL sync and checkpointer), to a new stream, and answers 201 once the append has resolved.
 * Nothing else: no authentication, hooks, logging, decider, stream read, chain, sealing, views or relays.
 *
 * Every acknowledged command of the ledger does at least this much, in the same process, so its throughput is an
 * upper bound of the ledger's: a throughput target above it (as a share of the trivial route) is beyond the stack.
 *   argv: <events.db of its own>
 *   request: { template: { type, data, metadata } } -> the event every request appends from then on
 */
import 'reflect-metadata';
import { Body, Controller, Param, Post } from '@nestjs/common';
import { EventToAppend, SqliteEventStore } from '@ledger/event-store';
import { GrantConsentRequest } from '../../apps/ledger/src/consents/grant-consent/grant-consent.request';
import { RevokeConsentRequest } from '../../apps/ledger/src/consents/revoke-consent/revoke-consent.request';
import { IssueTokenRequest } from '../../apps/ledger/src/tokens/issue-token/issue-token.request';
import { serveNestLimit } from './nest-limit';

const [file] = process.argv.slice(2);
const store = new SqliteEventStore({ file });
let template: Omit<EventToAppend, 'id'> | undefined;
let streams = 0;

/** One durable append of the template to a new stream: what every acknowledged command does at least. */
const appendOne = () => {
  if (!template) throw new Error('no event template yet');
  return store.append(`floor-${++streams}`, [{ type: template.type, data: template.data, metadata: template.metadata }], { expectedRevision: 'no_stream' });
};

/** The ledger's three command routes with their own request DTOs, so that no floor validates more than the ledger. */
@Controller()
class FloorController {
  @Post('/v1/consents')
  async grant(@Body() body: GrantConsentRequest) {
    await appendOne();
    return { id: body.userId, clientId: body.clientId };
  }

  @Post('/v1/tokens')
  async issue(@Body() body: IssueTokenRequest) {
    await appendOne();
    return { consentId: body.consentId };
  }

  @Post('/v1/consents/:id/revoke')
  async revoke(@Param('id') id: string, @Body() body: RevokeConsentRequest) {
    await appendOne();
    return { id, scopes: body.scopes ?? null };
  }
}

serveNestLimit('storage floor app', FloorController, (m) => {
  const next = (m as { template?: Omit<EventToAppend, 'id'> }).template;
  if (!next) throw new Error('unknown request');
  template = next;
  return true;
});
