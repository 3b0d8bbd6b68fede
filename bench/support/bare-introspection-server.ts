/**
 * The introspection limit: a bare node:http server doing the work the ledger's introspection does, and nothing of
 * its HTTP stack (Fastify, Nest's middleware, hooks, metrics). Per request, like the ledger:
 * - authenticate the bearer key (the ledger's Authenticator: SHA-256 of the secret, lookup, constant-time compare)
 *   and check its role;
 * - check the content type, read and parse the form, take `token`;
 * - SHA-256 the token and look it up in the ledger's OWN views.db, opened read-only, through the ledger's own
 *   SqliteTokenView (the same prepared statement: the primary-key lookup and the token_cuts check), with the same
 *   64 MB page cache the ledger gives its connection; expired tokens are inactive;
 * - answer with the same headers (content type, cache-control, a random request id);
 * - write the same access line through the same pino root logger (level info, redaction, async stdout), since the
 *   ledger at its default LOG_LEVEL writes one per request (README, "Logs").
 *   argv: <views.db> <LEDGER_API_KEYS>
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { hasRole } from '../../apps/ledger/src/auth/api-keys';
import { introspectionWork, ROUTE } from './introspection-work';
import { serveParent } from './limit-process';

const [viewsFile, apiKeys] = process.argv.slice(2);
const { authenticator, log, answer } = introspectionWork(viewsFile, apiKeys);

const server = createServer((req, res) => {
  const started = performance.now();
  const requestId = randomUUID();
  const caller = authenticator.authenticate(req.headers.authorization, { basic: true });
  const finish = (status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-request-id': requestId });
    res.end(body);
    log.info({ requestId, method: req.method, route: ROUTE, status, ms: Math.round((performance.now() - started) * 10) / 10, caller: caller?.name }, 'request completed');
  };
  if (!caller || !hasRole(caller, ['introspect'])) return finish(401, '{"error":"invalid_client"}');
  if (String(req.headers['content-type']).split(';')[0].trim().toLowerCase() !== 'application/x-www-form-urlencoded') return finish(415, '{"error":"invalid_request"}');
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const token = new URLSearchParams(body).get('token');
    if (!token || token.length > 4096) return finish(400, '{"error":"invalid_request"}');
    finish(200, answer(token));
  });
});
server.listen(0, '127.0.0.1', () => serveParent({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
