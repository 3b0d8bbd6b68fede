import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { MAX_SCOPE_LENGTH, notFound, SCOPE_TOKEN_PATTERN, scopeOwnerDecider, scopeStream, scopeTokenRule } from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { RequireRole } from '../../auth/role.guard';
import { ApiCaller, ApiProblems } from '../../docs/api-docs';
import { ScopeOwnerResponse } from '../scope-owner.response';
import { scopeOwnerFromState } from '../scope-owner.result';

@ApiTags('scopes')
@Controller('v1/scope-owners')
export class GetScopeOwnerController {
  constructor(private readonly executor: CommandExecutor) {}

  /**
   * From the scope's own stream, not a view: one short stream, read through the executor's cache, which is what a
   * grant reads too. The scope is a query parameter because scopes hold `/` and `:` (URLs, URNs).
   */
  @Get()
  @RequireRole('commands', 'audit')
  @ApiOperation({ summary: 'Who serves a scope (GetScopeOwner)', description: 'The client that declared it serves the scope.' })
  @ApiCaller('commands', 'audit')
  @ApiQuery({ name: 'scope', required: true, schema: { type: 'string', minLength: 1, maxLength: MAX_SCOPE_LENGTH, pattern: SCOPE_TOKEN_PATTERN } })
  @ApiProblems([404, 'scope_owner_not_found: no client serves the scope (a malformed scope, like any unknown one)'])
  @ApiOkResponse({ type: ScopeOwnerResponse })
  async get(@Query('scope') scope: unknown): Promise<ScopeOwnerResponse> {
    const text = typeof scope === 'string' ? scope : '';
    if (scopeTokenRule(text) !== undefined) throw notFound('scope_owner_not_found', 'No client serves this scope');
    const { state } = await this.executor.load(scopeStream(text), scopeOwnerDecider, { fresh: true });
    const owner = scopeOwnerFromState(state);
    if (!owner) throw notFound('scope_owner_not_found', `No client serves ${text}`);
    return owner;
  }
}
