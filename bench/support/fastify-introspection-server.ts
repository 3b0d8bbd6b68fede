/**
 * Information beside the introspection limit: the bare server's work (bare-introspection-server.ts: the key check,
 * the form, SHA-256, the same lookup in the ledger's own views.db, the same headers and access line), served by a
 * bare Fastify 5 with one route and no hooks. Between it and the bare node:http server lies what the framework
 * costs by itself; between it and the ledger, what the ledger adds on top of the framework (Nest's adapter hooks,
 * the common hooks, metrics). argv: <views.db> <LEDGER_API_KEYS>
 */
import Database from 'better-sqlite3';
import fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { hashToken } from '@ledger/domain';
import { Authenticator, hashApiKeys, hasRole, parseApiKeys } from '../../apps/ledger/src/auth/api-keys';
import { createRootLogger } from '../../apps/ledger/src/logging/pino-logger';
import { SqliteTokenView } from '../../libs/projections/src/sqlite/token-view';
import { serveParent } from './limit-process';

const [viewsFile, apiKeys] = process.argv.slice(2);
const db = new Database(viewsFile, { readonly: true });
db.pragma('cache_size = -65536');
const tokens = new SqliteTokenView(db);
const authenticator = new Authenticator(hashApiKeys(parseApiKeys(apiKeys)));
const log = createRootLogger('info');
const ROUTE = '/v1/oauth2/introspect';
const INACTIVE = '{"active":false}';

function answer(rawToken: string): string {
  const row = tokens.token(hashToken(rawToken));
  if (!row || !row.active || row.exp * 1000 <= Date.now()) return INACTIVE;
  return JSON.stringify({ active: true, scope: row.scope, client_id: row.clientId, sub: row.sub, exp: row.exp, iat: row.iat, jti: row.tokenId, token_type: 'Bearer' });
}

const app = fastify({ logger: false, genReqId: () => randomUUID() });
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, new URLSearchParams(body as string)));
app.post(ROUTE, (request, reply) => {
  const started = performance.now();
  const caller = authenticator.authenticate(request.headers.authorization, { basic: true });
  const finish = (status: number, body: string) => {
    reply.code(status).header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store').header('x-request-id', request.id).send(body);
    log.info({ requestId: request.id, method: request.method, route: ROUTE, status, ms: Math.round((performance.now() - started) * 10) / 10, caller: caller?.name }, 'request completed');
  };
  if (!caller || !hasRole(caller, ['introspect'])) return finish(401, '{"error":"invalid_client"}');
  const token = (request.body as URLSearchParams).get('token');
  if (!token || token.length > 4096) return finish(400, '{"error":"invalid_request"}');
  finish(200, answer(token));
});
app.listen({ port: 0, host: '127.0.0.1' }).then((url) => serveParent({ url }));
