import { CommandMetadata } from '../shared/command-metadata';
import type { Decider } from '../shared/decider';
import { ConsentEvent, ConsentState, evolveConsent, initialConsentState } from './consent';
import { ExchangeToken, exchangeToken } from './exchange-token';
import { GrantConsent, grantConsent } from './grant-consent';
import { IssueToken, issueToken } from './issue-token';
import { RevokeConsent, revokeConsent } from './revoke-consent';
import { RefreshToken, refreshToken } from './refresh-token';
import { RevokeToken, revokeToken } from './revoke-token';

export type ConsentCommand = GrantConsent | RevokeConsent | IssueToken | RevokeToken | RefreshToken | ExchangeToken;

export function decideConsent(command: ConsentCommand, state: ConsentState, meta: CommandMetadata): ConsentEvent[] {
  switch (command.type) {
    case 'GrantConsent':
      return grantConsent(command, state, meta);
    case 'RevokeConsent':
      return revokeConsent(command, state, meta);
    case 'IssueToken':
      return issueToken(command, state, meta);
    case 'RevokeToken':
      return revokeToken(command, state, meta);
    case 'RefreshToken':
      return refreshToken(command, state, meta);
    case 'ExchangeToken':
      return exchangeToken(command, state, meta);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown consent command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

export const consentDecider: Decider<ConsentState, ConsentCommand, ConsentEvent> = {
  initialState: initialConsentState,
  evolve: evolveConsent,
  decide: decideConsent,
};
