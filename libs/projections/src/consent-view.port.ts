import type { ConsentRow, DependentConsentRow } from './ledger-views';

/** The consent view as its readers see it; injected by CONSENT_VIEW. It stays queryable during a rebuild. */
export interface ConsentView {
  consent(consentId: string): ConsentRow | undefined;
  /** In grant order (grantedAt, then consentId). */
  consentsByUser(userId: string, status: 'active' | 'all'): ConsentRow[];
  /**
   * A page of the user's consents in grant order (grantedAt, then consentId), after `after` if given. With
   * `activeAt`, only those active then: neither revoked nor expired by that instant.
   */
  consentsOfUser(userId: string, options: { after?: { grantedAt: string; consentId: string }; limit: number; activeAt?: Date }): ConsentRow[];
  /**
   * The client's consents in grant order (log position), after `afterPosition` if given. With `activeAt`, only those
   * active then: neither revoked nor expired by that instant.
   */
  consentsByClient(clientId: string, options: { afterPosition?: number; limit: number; activeAt?: Date }): ConsentRow[];
  /** A dependent consent (Globus's consent forest) by its own id. */
  dependentConsent(consentId: string): DependentConsentRow | undefined;
  /** Every dependent consent under a root, at any depth, in grant order. */
  dependentsOf(rootConsentId: string): DependentConsentRow[];
}
