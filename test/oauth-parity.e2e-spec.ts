import { ledgerSteps, RunningLedger, startLedger, tempDataDir, TEST_KEYS } from './support/ledger-app';
import { RawAnswer, send } from './support/raw-http';

const LIMIT = 32 * 1024;
const FORM = 'application/x-www-form-urlencoded';
const basic = (name: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(name)}:${encodeURIComponent(secret)}`).toString('base64');
/** A form of exactly `bytes` bytes: the token, then padding in a parameter both endpoints ignore. */
const sized = (bytes: number) => {
  const head = 'token=clt_unknown&pad=';
  return head + 'p'.repeat(bytes - head.length);
};

/**
 * The credentials each endpoint serves (auth/oauth-callers.ts): introspection an API key of role introspect, by its
 * name and secret; revocation an OAuth client, by its id and one of its secrets. The matrix is the same for both.
 */
interface Credentials {
  id: string;
  secret: string;
}

interface Case {
  name: string;
  headers?: (c: Credentials) => Record<string, string>;
  body?: (c: Credentials) => string;
  chunked?: boolean;
  /** Expected on both endpoints: the status, and the OAuth error for a refusal. */
  status: number;
  error?: string;
  /** Where revocation answers otherwise, by design: a valid API key is refused there (403). */
  revocation?: { status: number; error?: string };
}

const post = (c: Credentials) => `client_id=${encodeURIComponent(c.id)}&client_secret=${encodeURIComponent(c.secret)}`;
const form = (c: Credentials) => ({ authorization: basic(c.id, c.secret), 'content-type': FORM });
const unknown = () => 'token=clt_unknown';
const keyBearer = { authorization: `Bearer ${TEST_KEYS.introspect.secret}` };
const CASES: Case[] = [
  // Authentication: one method, Basic or the form; none, a wrong one or two at once are refused alike.
  { name: 'basic (client_secret_basic)', headers: form, body: unknown, status: 200 },
  { name: 'client_secret_post', headers: () => ({ 'content-type': FORM }), body: (c) => `token=clt_unknown&${post(c)}`, status: 200 },
  { name: 'client_secret_post, wrong secret', headers: () => ({ 'content-type': FORM }), body: (c) => `token=clt_unknown&client_id=${c.id}&client_secret=wrong-secret-0123456789`, status: 401, error: 'invalid_client' },
  { name: "client_secret_post, another's name", headers: () => ({ 'content-type': FORM }), body: (c) => `token=clt_unknown&client_id=test-admin&client_secret=${c.secret}`, status: 401, error: 'invalid_client' },
  { name: 'client_secret_post, client_id twice', headers: () => ({ 'content-type': FORM }), body: (c) => `token=clt_unknown&${post(c)}&client_id=${c.id}`, status: 400, error: 'invalid_request' },
  { name: 'basic and client_secret_post at once', headers: form, body: (c) => `token=clt_unknown&${post(c)}`, status: 400, error: 'invalid_request' },
  { name: 'bearer and client_secret_post at once', headers: () => ({ ...keyBearer, 'content-type': FORM }), body: (c) => `token=clt_unknown&${post(c)}`, status: 400, error: 'invalid_request' },
  { name: 'no credentials', headers: () => ({ 'content-type': FORM }), body: unknown, status: 401, error: 'invalid_client' },
  { name: 'wrong bearer', headers: () => ({ authorization: 'Bearer wrong-secret-0123456789', 'content-type': FORM }), body: unknown, status: 401, error: 'invalid_client' },
  { name: 'basic, wrong secret', headers: (c) => ({ authorization: basic(c.id, 'wrong-secret-0123456789'), 'content-type': FORM }), body: unknown, status: 401, error: 'invalid_client' },
  { name: 'an API key of a role that may not', headers: () => ({ authorization: `Bearer ${TEST_KEYS.commands.secret}`, 'content-type': FORM }), body: unknown, status: 403, error: 'unauthorized_client' },
  {
    name: 'the introspect API key as bearer',
    headers: () => ({ ...keyBearer, 'content-type': FORM }),
    body: unknown,
    status: 200,
    revocation: { status: 403, error: 'unauthorized_client' },
  },
  // Parameters: RFC 6749 section 3.1, each at most once.
  { name: 'token twice', headers: form, body: () => 'token=clt_a&token=clt_b', status: 400, error: 'invalid_request' },
  { name: 'no token', headers: form, body: () => 'token_type_hint=access_token', status: 400, error: 'invalid_request' },
  { name: 'empty token', headers: form, body: () => 'token=', status: 400, error: 'invalid_request' },
  // Encodings: UTF-8, counted in characters (4096 at most), not in bytes.
  { name: 'UTF-8 token of 4096 characters', headers: form, body: () => `token=${encodeURIComponent('é'.repeat(4096))}`, status: 200 },
  { name: 'UTF-8 token of 4097 characters', headers: form, body: () => `token=${encodeURIComponent('é'.repeat(4097))}`, status: 400, error: 'invalid_request' },
  { name: 'malformed percent-encoding', headers: form, body: () => 'token=%ZZ%C3', status: 200 },
  // Content types: exactly form-encoding, parameters allowed.
  { name: 'charset parameter', headers: (c) => ({ ...form(c), 'content-type': `${FORM}; charset=utf-8` }), body: unknown, status: 200 },
  { name: 'upper case', headers: (c) => ({ ...form(c), 'content-type': 'Application/X-WWW-Form-Urlencoded' }), body: unknown, status: 200 },
  { name: 'a suffix (…urlencodedXYZ)', headers: (c) => ({ ...form(c), 'content-type': `${FORM}XYZ` }), body: unknown, status: 415, error: 'invalid_request' },
  { name: 'JSON', headers: (c) => ({ ...form(c), 'content-type': 'application/json' }), body: () => '{"token":"clt_unknown"}', status: 415, error: 'invalid_request' },
  { name: 'no content type', headers: (c) => ({ authorization: basic(c.id, c.secret) }), body: unknown, status: 415, error: 'invalid_request' },
  // Sizes: the body limit, with a length and chunked.
  { name: 'at the limit', headers: form, body: () => sized(LIMIT), status: 200 },
  { name: 'one byte over the limit', headers: form, body: () => sized(LIMIT + 1), status: 413, error: 'invalid_request' },
  { name: 'chunked, at the limit', headers: form, body: () => sized(LIMIT), chunked: true, status: 200 },
  { name: 'chunked, over the limit', headers: form, body: () => sized(LIMIT + 1), chunked: true, status: 413, error: 'invalid_request' },
  { name: 'client_secret_post, over the limit', headers: () => ({ 'content-type': FORM }), body: (c) => `${post(c)}&${sized(LIMIT)}`, status: 413, error: 'invalid_request' },
];

/**
 * Introspection (a plain Fastify route) and RFC 7009 revocation (a Nest controller) take the same form and the same
 * authentication methods, each with its own principals: every request in the matrix must get the same status and
 * the same error from both (but for an API key at revocation, which only clients may use). The tokens are unknown,
 * so that revocation appends nothing and answers 200 like introspection.
 */
describe('OAuth endpoints answer alike (introspection vs the Nest revocation route)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;

  const key: Credentials = { id: TEST_KEYS.introspect.name, secret: TEST_KEYS.introspect.secret };
  let client: Credentials;

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir, env: { LEDGER_BODY_LIMIT_BYTES: String(LIMIT) } });
    const steps = ledgerSteps(ledger.http);
    expect((await steps.registerClient('parity-app')).status).toBe(201);
    client = { id: 'parity-app', secret: (await steps.createSecret('parity-app')).body.secret };
  });
  afterAll(async () => {
    await ledger?.close();
    data?.remove();
  });

  const outcome = (a: RawAnswer) => ({
    status: a.status,
    error: a.status >= 400 ? a.body?.error : undefined,
    oauthFormat: a.status < 400 || (String(a.headers['content-type']).startsWith('application/json') && typeof a.body?.error_description === 'string'),
    requestId: typeof a.headers['x-request-id'] === 'string',
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const before = (await ledger.events()).length;
    const options = (creds: Credentials) => ({ headers: c.headers?.(creds), body: c.body?.(creds), chunked: c.chunked });
    const introspection = outcome(await send(ledger.url, '/v1/oauth2/introspect', options(key)));
    const revocation = outcome(await send(ledger.url, '/v1/oauth2/revoke', options(client)));
    const expected = { status: c.status, error: c.error, oauthFormat: true, requestId: true };
    expect({ introspection, revocation }).toEqual({ introspection: expected, revocation: c.revocation ? { ...expected, ...c.revocation } : expected });
    if (c.status === 401) {
      expect((await send(ledger.url, '/v1/oauth2/introspect', options(key))).headers['www-authenticate']).toContain('Basic realm=');
      expect((await send(ledger.url, '/v1/oauth2/revoke', options(client))).headers['www-authenticate']).toBe('Basic realm="consent-ledger"');
    }
    expect((await ledger.events()).length).toBe(before);
  });
});
