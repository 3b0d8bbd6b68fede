import { randomUUID } from 'node:crypto';
import { Http, ledgerSteps } from './ledger-app';

/** A short unique suffix for ids, so that tests sharing a store (a real EventStoreDB) never meet each other's data. */
export const uid = () => randomUUID().slice(0, 8);

/** The body of a 201 from POST /v1/tokens. */
export interface IssuedToken {
  access_token: string;
  token_id: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

export interface ConsentWithTokens {
  clientId: string;
  userId: string;
  consentId: string;
  tokens: IssuedToken[];
}

/**
 * A new client, a new user's consent to `scopes` on it, and tokens within that consent. `tokens` is how many to issue
 * with the consent's scopes, or one entry per token with the scopes it asks for (undefined: the consent's).
 * Every step must answer 201: a setup that half worked would make the test fail far from the cause.
 */
export async function consentWithTokens(http: Http, scopes: string[], tokens: number | Array<string[] | undefined> = 1): Promise<ConsentWithTokens> {
  const steps = ledgerSteps(http);
  const clientId = `app-${uid()}`;
  const userId = `user-${uid()}`;
  expect((await steps.registerClient(clientId)).status).toBe(201);
  const consent = await steps.grant(userId, clientId, scopes);
  expect(consent.status).toBe(201);
  const issued: IssuedToken[] = [];
  for (const tokenScopes of typeof tokens === 'number' ? Array.from({ length: tokens }, () => undefined) : tokens) {
    const token = await steps.issue(consent.body.id, tokenScopes);
    expect(token.status).toBe(201);
    issued.push(token.body);
  }
  return { clientId, userId, consentId: consent.body.id as string, tokens: issued };
}

/** A new consent with one token of the consent's scopes. */
export async function consentWithToken(http: Http, scopes: string[]): Promise<Omit<ConsentWithTokens, 'tokens'> & { token: IssuedToken }> {
  const { tokens, ...consent } = await consentWithTokens(http, scopes, 1);
  return { ...consent, token: tokens[0] };
}
