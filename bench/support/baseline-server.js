// The baseline the introspection figures are compared with: a bare node:http server answering RFC 7662-shaped
// requests from an in-memory Map of token hashes. Started as a child process by bench/workloads/introspection.ts.
const http = require('node:http');
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');

const [hashesFile, port] = process.argv.slice(2);
const live = new Map();
for (const h of readFileSync(hashesFile, 'utf8').split('\n')) if (h) live.set(h, { scope: 'openid', client_id: 'bench-app', sub: 'u', exp: 4102444800, iat: 0, jti: 'tok', token_type: 'Bearer' });
const INACTIVE = '{"active":false}';

http
  .createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token') || '';
      const row = live.get(createHash('sha256').update(token).digest('hex'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(row ? JSON.stringify({ active: true, ...row }) : INACTIVE);
    });
  })
  .listen(Number(port), '127.0.0.1', () => process.send && process.send('ready'));
