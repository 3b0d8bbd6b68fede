import { RunningLedger, startLedger, tempDataDir, TEST_KEYS } from './support/ledger-app';
import { RawAnswer, send } from './support/raw-http';

const LIMIT = 32 * 1024;
const FORM = 'application/x-www-form-urlencoded';
const k = TEST_KEYS.introspect;
const basic = (name: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(name)}:${encodeURIComponent(secret)}`).toString('base64');
const post = `client_id=${encodeURIComponent(k.name)}&client_secret=${encodeURIComponent(k.secret)}`;
/** A form of exactly `bytes` bytes: the token, then padding in a parameter both endpoints ignore. */
const sized = (bytes: number) => {
  const head = 'token=clt_unknown&pad=';
  return head + 'p'.repeat(bytes - head.length);
};

interface Case {
  name: string;
  headers?: Record<string, string>;
  body?: string;
  chunked?: boolean;
  /** Expected on both endpoints: the status, and the OAuth error for a refusal. */
  status: number;
  error?: string;
}

const auth = { authorization: `Bearer ${k.secret}` };
const CASES: Case[] = [
  // Authentication: one method, any of the three; none, a wrong one or two at once are refused alike.
  { name: 'bearer', headers: { ...auth, 'content-type': FORM }, body: 'token=clt_unknown', status: 200 },
  { name: 'basic (client_secret_basic)', headers: { authorization: basic(k.name, k.secret), 'content-type': FORM }, body: 'token=clt_unknown', status: 200 },
  { name: 'client_secret_post', headers: { 'content-type': FORM }, body: `token=clt_unknown&${post}`, status: 200 },
  { name: 'client_secret_post, wrong secret', headers: { 'content-type': FORM }, body: `token=clt_unknown&client_id=${k.name}&client_secret=wrong-secret-0123456789`, status: 401, error: 'invalid_client' },
  { name: 'client_secret_post, another caller\'s name', headers: { 'content-type': FORM }, body: `token=clt_unknown&client_id=test-admin&client_secret=${k.secret}`, status: 401, error: 'invalid_client' },
  { name: 'client_secret_post, client_id twice', headers: { 'content-type': FORM }, body: `token=clt_unknown&${post}&client_id=${k.name}`, status: 400, error: 'invalid_request' },
  { name: 'basic and client_secret_post at once', headers: { authorization: basic(k.name, k.secret), 'content-type': FORM }, body: `token=clt_unknown&${post}`, status: 400, error: 'invalid_request' },
  { name: 'bearer and client_secret_post at once', headers: { ...auth, 'content-type': FORM }, body: `token=clt_unknown&${post}`, status: 400, error: 'invalid_request' },
  { name: 'no credentials', headers: { 'content-type': FORM }, body: 'token=clt_unknown', status: 401, error: 'invalid_client' },
  { name: 'wrong bearer', headers: { authorization: 'Bearer wrong-secret-0123456789', 'content-type': FORM }, body: 'token=clt_unknown', status: 401, error: 'invalid_client' },
  { name: 'basic, wrong secret', headers: { authorization: basic(k.name, 'wrong-secret-0123456789'), 'content-type': FORM }, body: 'token=clt_unknown', status: 401, error: 'invalid_client' },
  { name: 'a role that may not', headers: { authorization: `Bearer ${TEST_KEYS.commands.secret}`, 'content-type': FORM }, body: 'token=clt_unknown', status: 403, error: 'unauthorized_client' },
  // Parameters: RFC 6749 section 3.1, each at most once.
  { name: 'token twice', headers: { ...auth, 'content-type': FORM }, body: 'token=clt_a&token=clt_b', status: 400, error: 'invalid_request' },
  { name: 'no token', headers: { ...auth, 'content-type': FORM }, body: 'token_type_hint=access_token', status: 400, error: 'invalid_request' },
  { name: 'empty token', headers: { ...auth, 'content-type': FORM }, body: 'token=', status: 400, error: 'invalid_request' },
  // Encodings: UTF-8, counted in characters (4096 at most), not in bytes.
  { name: 'UTF-8 token of 4096 characters', headers: { ...auth, 'content-type': FORM }, body: `token=${encodeURIComponent('é'.repeat(4096))}`, status: 200 },
  { name: 'UTF-8 token of 4097 characters', headers: { ...auth, 'content-type': FORM }, body: `token=${encodeURIComponent('é'.repeat(4097))}`, status: 400, error: 'invalid_request' },
  { name: 'malformed percent-encoding', headers: { ...auth, 'content-type': FORM }, body: 'token=%ZZ%C3', status: 200 },
  // Content types: exactly form-encoding, parameters allowed.
  { name: 'charset parameter', headers: { ...auth, 'content-type': `${FORM}; charset=utf-8` }, body: 'token=clt_unknown', status: 200 },
  { name: 'upper case', headers: { ...auth, 'content-type': 'Application/X-WWW-Form-Urlencoded' }, body: 'token=clt_unknown', status: 200 },
  { name: 'a suffix (…urlencodedXYZ)', headers: { ...auth, 'content-type': `${FORM}XYZ` }, body: 'token=clt_unknown', status: 415, error: 'invalid_request' },
  { name: 'JSON', headers: { ...auth, 'content-type': 'application/json' }, body: '{"token":"clt_unknown"}', status: 415, error: 'invalid_request' },
  { name: 'no content type', headers: { ...auth }, body: 'token=clt_unknown', status: 415, error: 'invalid_request' },
  // Sizes: the body limit, with a length and chunked.
  { name: 'at the limit', headers: { ...auth, 'content-type': FORM }, body: sized(LIMIT), status: 200 },
  { name: 'one byte over the limit', headers: { ...auth, 'content-type': FORM }, body: sized(LIMIT + 1), status: 413, error: 'invalid_request' },
  { name: 'chunked, at the limit', headers: { ...auth, 'content-type': FORM }, body: sized(LIMIT), chunked: true, status: 200 },
  { name: 'chunked, over the limit', headers: { ...auth, 'content-type': FORM }, body: sized(LIMIT + 1), chunked: true, status: 413, error: 'invalid_request' },
  { name: 'client_secret_post, over the limit', headers: { 'content-type': FORM }, body: `${post}&${sized(LIMIT)}`, status: 413, error: 'invalid_request' },
];

/**
 * Introspection (a plain Fastify route) and RFC 7009 revocation (a Nest controller) take the same form, the same
 * credentials and the same role: every request in the matrix must get the same status and the same error from both.
 * The tokens are unknown, so that revocation appends nothing and answers 200 like introspection.
 */
describe('OAuth endpoints answer alike (introspection vs the Nest revocation route)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: RunningLedger;

  beforeAll(async () => {
    data = tempDataDir();
    ledger = await startLedger({ dataDir: data.dir, env: { LEDGER_BODY_LIMIT_BYTES: String(LIMIT) } });
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
    const options = { headers: c.headers, body: c.body, chunked: c.chunked };
    const introspection = outcome(await send(ledger.url, '/v1/oauth2/introspect', options));
    const revocation = outcome(await send(ledger.url, '/v1/oauth2/revoke', options));
    const expected = { status: c.status, error: c.error, oauthFormat: true, requestId: true };
    expect({ introspection, revocation }).toEqual({ introspection: expected, revocation: expected });
    if (c.status === 401) expect((await send(ledger.url, '/v1/oauth2/introspect', options)).headers['www-authenticate']).toContain('Basic realm=');
    expect((await ledger.events()).length).toBe(before);
  });
});
