import { consentsAsOf } from '@ledger/audit';
import { expiredAt, USER_ID_PATTERN } from '@ledger/domain';
import { EventStore } from '@ledger/event-store';
import { CliCommand, CliIo, EXIT, UsageError } from '../cli-command';
import { time } from '../flags';
import { NO_KEYS_NOTE, openSubjectKeys } from '../subject-keys';

/** `ledger audit replay --user USER --at TIME [--json]`: the user's consents as the ledger stood at TIME. */
export const auditReplay: CliCommand = {
  prepare(v) {
    if (!v.user || !USER_ID_PATTERN.test(v.user)) throw new UsageError('replay needs --user with a well-formed user id');
    const at = time(v.at, '--at', true)!;
    return (store, io) => replay(store, io, v.user!, at, !!v.json);
  },
};

async function replay(store: EventStore, io: CliIo, userId: string, at: Date, json: boolean): Promise<number> {
  const keys = openSubjectKeys(io.env);
  if (!keys) io.stderr.write(NO_KEYS_NOTE);
  const { consents, position, dependents } = await consentsAsOf(keys ? keys.open(store) : store, userId, at).finally(() => keys?.close());
  const dependentsOf = (id: string) => dependents.filter((d) => d.rootConsentId === id);
  const shown = (status: 'active' | 'revoked', expiresAt: string | null) => (status === 'active' && expiredAt(expiresAt, at) ? 'expired' : status);
  const answer = {
    userId,
    asOf: at.toISOString(),
    position,
    // As the API answers it: a consent past its expiry at TIME is expired then.
    consents: consents.map((c) => ({
      id: c.consentId,
      userId: c.userId,
      clientId: c.clientId,
      scopes: c.scopes,
      status: shown(c.status, c.expiresAt),
      grantedAt: c.grantedAt,
      revokedAt: c.revokedAt,
      expiresAt: c.expiresAt,
      revision: c.revision,
      allowsRefresh: c.allowsRefresh,
      dependencyPath: [c.consentId],
      // The tree as it stood, as GET /v1/audit/users/{userId}/consents shows it (absent when none).
      ...treeOf(dependentsOf(c.consentId).map((d) => ({ id: d.consentId, clientId: d.clientId, scope: d.scope, status: shown(d.status, c.expiresAt), grantedAt: d.grantedAt, revokedAt: d.revokedAt, dependencyPath: d.dependencyPath }))),
    })),
  };
  if (json) io.stdout.write(JSON.stringify(answer) + '\n');
  else {
    io.stdout.write(`Consents of ${userId} as of ${answer.asOf} (ledger up to position ${position}):\n`);
    if (consents.length === 0) io.stdout.write('  none\n');
    for (const c of answer.consents) {
      io.stdout.write(`  ${c.id}  ${c.clientId}  ${c.status}  granted ${c.grantedAt}${c.revokedAt ? `  revoked ${c.revokedAt}` : ''}${c.expiresAt ? `  expires ${c.expiresAt}` : ''}  scopes: ${c.scopes.join(' ')}\n`);
    }
  }
  return EXIT.ok;
}

const treeOf = <T>(dependents: T[]) => (dependents.length > 0 ? { dependents } : {});
