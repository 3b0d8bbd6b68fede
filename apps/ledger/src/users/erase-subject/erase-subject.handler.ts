import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SUBJECT_KEYS, SubjectKeys } from '@ledger/audit';
import { CommandExecutor } from '@ledger/commands';
import { erasedUserId, userDecider, userStream } from '@ledger/domain';
import { CONSENT_VIEW, ConsentView, USER_VIEW, UserView } from '@ledger/projections';
import { NodeState } from '../../infrastructure/node-state';
import { EraseSubjectCommand } from './erase-subject.command';
import type { ErasureResult } from './erase-subject.result';

/**
 * EraseSubject (docs/privacy.md): records the erasure, then destroys the key. In that order, so that a recorded
 * erasure is never missing for a destroyed key: a crash between the two leaves the key alive and the erasure recorded,
 * and the next EraseSubject finds it so, appends nothing, and destroys the key then. The executor returns once this
 * instance's views have applied the erasure (read-your-writes), so its answer is true of the views.
 */
@CommandHandler(EraseSubjectCommand)
export class EraseSubjectHandler implements ICommandHandler<EraseSubjectCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(SUBJECT_KEYS) private readonly keys: SubjectKeys,
    @Inject(CONSENT_VIEW) private readonly consents: ConsentView,
    @Inject(USER_VIEW) private readonly users: UserView,
    private readonly nodeState: NodeState,
  ) {}

  async execute({ userId, meta }: EraseSubjectCommand): Promise<ErasureResult> {
    const consents = this.consents.consentsByUser(userId, 'all');
    const now = meta.now.toISOString();
    const activeConsents = consents.filter((c) => c.status === 'active' && (c.expiresAt === null || c.expiresAt > now)).length;
    // A subject whose events predate sealing has no key yet: it gets one, so that the erasure names a kid like any.
    const known = consents.length > 0 || this.users.user(userId) !== undefined;
    const kid = this.keys.liveKid(userId) ?? (known ? this.keys.keyFor(userId).kid : null);
    const { state, revision } = await this.executor.execute(userStream(userId), userDecider, { type: 'EraseSubject', data: { userId, kid, activeConsents } }, meta, {
      priority: 'revocation',
    });
    const erasure = state.status === 'recorded' ? state.erasure : undefined;
    if (!erasure) throw new Error('EraseSubject decided without an erasure');
    this.keys.destroy(erasure.kid);
    // The stored answers of earlier commands may name the subject (a grant's answer does): they go too.
    this.nodeState.forgetAnswersNaming(userId);
    return { erased: true, kid: erasure.kid, pseudonym: erasedUserId(erasure.kid), erasedAt: erasure.erasedAt, revision };
  }
}
