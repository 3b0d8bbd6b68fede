/**
 * Information beside the introspection limit: the bare server's work (bare-introspection-server.ts: the key check,
 * the form, SHA-256, the same lookup in the ledger's own views.db, the same headers and access line), served by a
 * bare Fastify 5 with one route and no hooks. Between it and the bare node:http server lies what the framework
 * costs by itself; between it and the ledger, what the ledger adds on top of the framework (Nest's adapter hooks,
 * the common hooks, metrics). argv: <views.db> <LEDGER_API_KEYS>
 */
import fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { hasRole } from '../../apps/ledger/src/auth/api-keys';
import { introspectionWork, ROUTE } from './introspection-work';
import { serveParent } from './limit-process';

const [viewsFile, apiKeys] = process.argv.slice(2);
const { authenticator, log, answer } = introspectionWork(viewsFile, apiKeys);

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
