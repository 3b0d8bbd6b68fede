import { type ConsentState, expiredAt } from '@ledger/domain';
import type { ConsentRow, DependentConsentRow } from '@ledger/projections';

/**
 * 'expired': past its expiry, computed when read (no event says so), so every read, list and history at any instant
 * agrees with what introspection answers for its tokens then.
 */
export type ConsentStatusShown = 'active' | 'revoked' | 'expired';

/** A consent as commands and reads answer it: plain data, so that command files import nothing from HTTP. */
export interface ConsentResult {
  id: string;
  userId: string;
  clientId: string;
  scopes: string[];
  status: ConsentStatusShown;
  grantedAt: string;
  revokedAt: string | null;
  /** When the consent ends (or ended) by itself; null: never. */
  expiresAt: string | null;
  revision: number;
  /** Tokens issued under it come with a refresh token (Globus shows the same flag on its consents). */
  allowsRefresh: boolean;
  /** The consents from the root down to this one, as Globus's `dependency_path`: [id] for a consent granted directly. */
  dependencyPath: string[];
  /** A root's dependent consents, at any depth (absent when it has none); a dependent consent's root (absent for a root). */
  dependents?: DependentConsentResult[];
  rootConsentId?: string;
}

/** A dependent consent under its root (Globus's consent forest): its own client and scope, and its path. */
export interface DependentConsentResult {
  id: string;
  clientId: string;
  scope: string;
  status: ConsentStatusShown;
  grantedAt: string;
  revokedAt: string | null;
  dependencyPath: string[];
}

const shown = (status: 'active' | 'revoked', expiresAt: string | null, nowMs: number): ConsentStatusShown =>
  status === 'active' && expiredAt(expiresAt, new Date(nowMs)) ? 'expired' : status;

/** `nowMs`: the instant the answer is for (the command's time, the read's, or an audit's asOf). */
export function consentFromState(state: ConsentState, revision: number, nowMs: number): ConsentResult {
  if (state.status === 'none') throw new Error('No consent in this state');
  return {
    id: state.consentId,
    userId: state.userId,
    clientId: state.clientId,
    scopes: state.scopes,
    status: shown(state.status, state.expiresAt, nowMs),
    grantedAt: state.grantedAt,
    revokedAt: state.status === 'revoked' ? state.revokedAt : null,
    expiresAt: state.expiresAt,
    revision,
    allowsRefresh: state.allowsRefresh,
    dependencyPath: [state.consentId],
    ...treeOf(
      [...state.dependents.values()].map((d) => ({ consentId: d.id, clientId: d.clientId, scope: d.scope, status: d.status, grantedAt: d.grantedAt, revokedAt: d.revokedAt, dependencyPath: d.path })),
      state.expiresAt,
      nowMs,
    ),
  };
}

/** `dependents`: the root's dependent consents, when the read shows them (a single consent's read does). */
export function consentFromView(row: ConsentRow, nowMs: number, dependents: DependentConsentRow[] = []): ConsentResult {
  return {
    id: row.consentId,
    userId: row.userId,
    clientId: row.clientId,
    scopes: row.scopes,
    status: shown(row.status, row.expiresAt, nowMs),
    grantedAt: row.grantedAt,
    revokedAt: row.revokedAt,
    expiresAt: row.expiresAt,
    revision: row.revision,
    allowsRefresh: row.allowsRefresh,
    dependencyPath: [row.consentId],
    ...treeOf(dependents, row.expiresAt, nowMs),
  };
}

/** A dependent consent read on its own: its root says when it expires and its revision; it says the rest. */
export function dependentConsentFromView(row: DependentConsentRow, root: ConsentRow, nowMs: number): ConsentResult {
  return {
    id: row.consentId,
    userId: row.userId,
    clientId: row.clientId,
    scopes: [row.scope],
    status: shown(row.status, root.expiresAt, nowMs),
    grantedAt: row.grantedAt,
    revokedAt: row.revokedAt,
    expiresAt: root.expiresAt,
    revision: row.revision,
    // Dependent tokens come without a refresh token: they never outlive their root (docs/design.md).
    allowsRefresh: false,
    dependencyPath: row.dependencyPath,
    rootConsentId: row.rootConsentId,
  };
}

type DependentFacts = Pick<DependentConsentRow, 'consentId' | 'clientId' | 'scope' | 'status' | 'grantedAt' | 'revokedAt' | 'dependencyPath'>;

function treeOf(dependents: DependentFacts[], expiresAt: string | null, nowMs: number): Pick<ConsentResult, 'dependents'> {
  if (dependents.length === 0) return {};
  return {
    dependents: dependents.map((d) => ({
      id: d.consentId,
      clientId: d.clientId,
      scope: d.scope,
      status: shown(d.status, expiresAt, nowMs),
      grantedAt: d.grantedAt,
      revokedAt: d.revokedAt,
      dependencyPath: d.dependencyPath,
    })),
  };
}
