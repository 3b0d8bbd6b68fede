/**
 * The SSE fan-out limit: bare node:http holding N event streams and, for each POST /revoke/:consentId, writing the
 * frame the ledger writes for that revocation (formatSseEvent of toRevocationEvent, the same bytes) to every stream,
 * encoded once, as the ledger's fan-out does. No authentication, decision, store, sync or relay: what delivering one
 * frame to N subscribers costs on this machine, to the same clients in the same process. The answer carries the
 * frame's position and revokedAt, from which the workload measures delivery exactly as it does for the ledger.
 */
import { createServer, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { formatSseEvent, toRevocationEvent } from '@ledger/revocations';
import { serveParent } from './limit-process';

const STREAM = '/v1/revocations/stream';
const REVOKE = '/revoke/';
const streams = new Set<ServerResponse>();
let position = 0;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === STREAM) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write('retry: 2000\n: connected\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
    return;
  }
  if (req.method === 'POST' && req.url?.startsWith(REVOKE)) {
    const consentId = req.url.slice(REVOKE.length);
    req.resume();
    req.on('end', () => {
      position += 1;
      const revokedAt = new Date().toISOString();
      const event = toRevocationEvent({
        id: randomUUID(),
        type: 'ConsentRevoked',
        stream: `consent-${consentId}`,
        revision: 2,
        position,
        recordedAt: revokedAt,
        data: { consentId, userId: `bench-user-${position}`, clientId: 'bench-app', revokedScopes: ['openid', 'email'], revokedAt, reason: null },
        metadata: { actor: 'bench', correlationId: 'bench' },
      });
      const chunk = Buffer.from(formatSseEvent(event!));
      for (const stream of streams) stream.write(chunk);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ position, revokedAt }));
    });
    return;
  }
  res.writeHead(404).end();
});
// As many streams as the workload opens: the listen backlog and the socket count are the only limits.
server.maxConnections = Infinity;
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  serveParent({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, (m) => (m.streams ? streams.size : undefined));
});
