/**
 * The SET event types this transmitter can send (SSF events_supported), as URIs: CAEP 1.0 where one fits, the
 * ledger's own where none does (docs/ssf.md has the mapping). A stream delivers what it requested of these.
 */
export const CAEP_SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const CAEP_TOKEN_CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';
export const LEDGER_TOKEN_REVOKED = 'urn:consent-ledger:secevent:token-revoked';
export const LEDGER_CLIENT_DISABLED = 'urn:consent-ledger:secevent:client-disabled';
/** A client narrowed: every token of it carrying a revoked scope ended (no one claim set fits every token). */
export const LEDGER_CLIENT_SCOPES_REVOKED = 'urn:consent-ledger:secevent:client-scopes-revoked';
export const LEDGER_NOT_BEFORE = 'urn:consent-ledger:secevent:not-before';

/** SSF section 8.1.4 and 8.1.5: sent whatever the stream requested, so never part of events_requested. */
export const SSF_VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
export const SSF_STREAM_UPDATED = 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated';

export const SSF_EVENTS_SUPPORTED: readonly string[] = [
  CAEP_SESSION_REVOKED,
  CAEP_TOKEN_CLAIMS_CHANGE,
  LEDGER_TOKEN_REVOKED,
  LEDGER_CLIENT_DISABLED,
  LEDGER_CLIENT_SCOPES_REVOKED,
  LEDGER_NOT_BEFORE,
];
