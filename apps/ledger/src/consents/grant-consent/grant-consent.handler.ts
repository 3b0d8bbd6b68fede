import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  clientDecider,
  clientStream,
  consentDecider,
  consentStreamFor,
  normaliseGrantedScopes,
  ScopeOwnerContext,
  scopeOwnerDecider,
  scopeOwnerOf,
  scopesWithDependencies,
  scopeStream,
  userDecider,
  userRevocationsOf,
  userStream,
} from '@ledger/domain';
import { CommandExecutor } from '@ledger/commands';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/ledger-config';
import { consentFromState } from '../consent.result';
import { GrantConsentCommand } from './grant-consent.command';

@CommandHandler(GrantConsentCommand)
export class GrantConsentHandler implements ICommandHandler<GrantConsentCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ data, meta }: GrantConsentCommand) {
    // Read fresh: a client can be disabled or narrowed on any instance, and a cached state would grant to it until
    // this instance happened to write its stream. The read is not a lock (another stream); should a disable land
    // between it and the append, the token view still ends every token of the client (docs/design.md, "Clients").
    // The user's stream likewise: a consent records the user-wide revocations it was granted after, and one the
    // fan-out has not carried to the consent's stream yet is applied by the grant itself.
    const [{ state: client }, { state: user }, owners] = await Promise.all([
      this.executor.load(clientStream(data.clientId), clientDecider, { fresh: true }),
      this.executor.load(userStream(data.userId), userDecider, { fresh: true }),
      this.ownersOf(data.scopes),
    ]);
    const { state, events, revision } = await this.executor.execute(
      consentStreamFor(data.userId, data.clientId),
      consentDecider,
      { type: 'GrantConsent', data, context: { client, userRevocations: userRevocationsOf(user), owners, maxLifetimeSeconds: this.config.consentMaxLifetimeSeconds, maxDependencyDepth: this.config.maxDependencyDepth } },
      meta,
    );
    return { consent: consentFromState(state, revision, meta.now.getTime()), created: events.some((e) => e.type === 'ConsentGranted') };
  }

  /**
   * The owner of each scope that has dependencies, with the owner's client, read fresh like the grant's own client.
   * A plain grant reads nothing more. Malformed scopes read nothing either: the decider refuses them.
   */
  private async ownersOf(scopes: string[]): Promise<Map<string, ScopeOwnerContext>> {
    let withDependencies: string[];
    try {
      withDependencies = scopesWithDependencies(normaliseGrantedScopes(scopes).dependencies);
    } catch {
      return new Map();
    }
    const owners = await Promise.all(
      withDependencies.map(async (scope) => {
        const clientId = scopeOwnerOf((await this.executor.load(scopeStream(scope), scopeOwnerDecider, { fresh: true })).state);
        const client = clientId === null ? undefined : (await this.executor.load(clientStream(clientId), clientDecider, { fresh: true })).state;
        return [scope, { clientId, client }] as const;
      }),
    );
    return new Map(owners);
  }
}
