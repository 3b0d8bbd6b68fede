/**
 * Information beside the introspection limit: a bare node:http server answering RFC 7662-shaped requests from an
 * in-memory Map of the token hashes, with no authentication, no view database and no log. What no store can beat;
 * the limit the target reads is bare-introspection-server.ts, which does the ledger's work on the ledger's file.
 *   argv: <file of token hashes, one a line>
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { serveParent } from './limit-process';

const [hashesFile] = process.argv.slice(2);
const live = new Map<string, object>();
for (const h of readFileSync(hashesFile, 'utf8').split('\n')) if (h) live.set(h, { scope: 'openid', client_id: 'bench-app', sub: 'u', exp: 4102444800, iat: 0, jti: 'tok', token_type: 'Bearer' });
const INACTIVE = '{"active":false}';

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const token = new URLSearchParams(body).get('token') || '';
    const row = live.get(createHash('sha256').update(token).digest('hex'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(row ? JSON.stringify({ active: true, ...row }) : INACTIVE);
  });
});
server.listen(0, '127.0.0.1', () => serveParent({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
