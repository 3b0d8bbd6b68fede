/**
 * The work of one introspection, without an HTTP stack, shared by the bare servers the ledger is measured against
 * (bare-introspection-server.ts, fastify-introspection-server.ts): the ledger's own Authenticator, the ledger's own
 * token view on its views.db (opened read-only, with the 64 MB page cache the ledger gives its connection) and the
 * ledger's own root logger for the access line. argv: <views.db> <LEDGER_API_KEYS>
 */
import Database from 'better-sqlite3';
import { hashToken } from '@ledger/domain';
import { Authenticator, hashApiKeys, parseApiKeys } from '../../apps/ledger/src/auth/api-keys';
import { createRootLogger } from '../../apps/ledger/src/logging/pino-logger';
import { SqliteTokenView } from '../../libs/projections/src/sqlite/token-view';

export const ROUTE = '/v1/oauth2/introspect';
const INACTIVE = '{"active":false}';
/** The ledger's answers carry its issuer (LEDGER_ISSUER); one of the same length goes into these. */
const ISS = 'http://127.0.0.1:3000';

export function introspectionWork(viewsFile: string, apiKeys: string) {
  const db = new Database(viewsFile, { readonly: true });
  db.pragma('cache_size = -65536');
  const tokens = new SqliteTokenView(db);
  return {
    authenticator: new Authenticator(hashApiKeys(parseApiKeys(apiKeys))),
    log: createRootLogger('info'),
    /** The RFC 7662 answer for a raw token, as the ledger's IntrospectToken gives it. */
    answer(rawToken: string): string {
      const row = tokens.token(hashToken(rawToken));
      if (!row || !row.active || row.exp * 1000 <= Date.now()) return INACTIVE;
      return JSON.stringify({ active: true, scope: row.scope, client_id: row.clientId, sub: row.sub, exp: row.exp, iat: row.iat, jti: row.tokenId, token_type: 'Bearer', iss: ISS });
    },
  };
}
