import type { ConsentRow } from './ledger-views';

/** The consent view as its readers see it; injected by CONSENT_VIEW. It stays queryable during a rebuild. */
export interface ConsentView {
  consent(consentId: string): ConsentRow | undefined;
  /** In grant order (grantedAt, then consentId). */
  consentsByUser(userId: string, status: 'active' | 'all'): ConsentRow[];
}
