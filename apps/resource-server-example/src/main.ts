/**
 * A resource service protecting one route with the ledger's tokens, through libs/revocation-client: introspection
 * cached by token hash, and evicted the moment the ledger publishes a revocation on Kafka.
 *
 *   LEDGER_URL=http://127.0.0.1:3000 LEDGER_INTROSPECT_KEY=<secret of a key with role introspect> \
 *   KAFKA_BROKERS=127.0.0.1:19092 PORT=4000 node -r tsconfig-paths/register dist/apps/resource-server-example/src/main.js
 *   curl -H "authorization: Bearer $TOKEN" localhost:4000/files
 *
 * Without KAFKA_BROKERS it still works, but a revoked token then passes until its cached answer is maxStaleness old.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { IntrospectionError, RevocationClient } from '@ledger/revocation-client';

const env = process.env;
const ledgerUrl = (env.LEDGER_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const brokers = env.KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter(Boolean);
const requiredScope = env.REQUIRED_SCOPE ?? 'openid';

const client = new RevocationClient({
  introspectionUrl: `${ledgerUrl}/v1/oauth2/introspect`,
  headers: env.LEDGER_INTROSPECT_KEY ? { authorization: `Bearer ${env.LEDGER_INTROSPECT_KEY}` } : {},
  cache: { maxStalenessMs: 60_000 },
  kafka: brokers?.length
    ? {
        brokers,
        topic: env.KAFKA_REVOCATIONS_TOPIC ?? 'consent.revocations.v1',
        // One group per instance: every instance has its own in-memory cache, so every instance must hear every revocation.
        groupId: env.KAFKA_GROUP_ID ?? `resource-server-example-${hostname()}`,
        onError: (error) => process.stderr.write(`revocation consumer: ${error.message}\n`),
      }
    : undefined,
});

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  if (req.method !== 'GET' || req.url !== '/files') return send(res, 404, { error: 'not_found' });
  const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '');
  if (!match) return send(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer realm="files"' });
  let answer;
  try {
    answer = await client.introspect(match[1]);
  } catch (error) {
    // Fail closed: when the ledger cannot say, nobody gets in.
    process.stderr.write(`introspection failed: ${(error as IntrospectionError).message}\n`);
    return send(res, 503, { error: 'temporarily_unavailable' });
  }
  if (!answer.active) return send(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer realm="files", error="invalid_token"' });
  if (!answer.scope.split(' ').includes(requiredScope)) {
    return send(res, 403, { error: 'insufficient_scope' }, { 'www-authenticate': `Bearer realm="files", error="insufficient_scope", scope="${requiredScope}"` });
  }
  send(res, 200, { files: ['report.pdf'], user: answer.sub, client: answer.client_id });
}

async function main() {
  await client.start();
  const port = Number(env.PORT ?? 4000);
  const server = createServer((req, res) => void handle(req, res).catch(() => send(res, 500, { error: 'server_error' })));
  server.listen(port, env.HOST ?? '127.0.0.1', () => process.stdout.write(`resource server example on http://${env.HOST ?? '127.0.0.1'}:${port}/files\n`));
  const shutdown = () => server.close(() => void client.stop().finally(() => process.exit(0)));
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error) => {
  process.stderr.write(`resource server example failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
