import { waitUntil } from '@ledger/testing';
import { clientBasic, type Http, type HttpResponse, type RunningLedger } from '../support/ledger-app';
import type { PushReceiver } from '../support/ssf-push-receiver';
import type { GoldenQuestion, GoldenToken } from './golden-answers';
import { finishSsf, startSsf } from './golden-ssf';

/**
 * What a golden data directory holds: every event type the domain had when it was made, driven through the real
 * service over HTTP (so the events are exactly what that version appends). Every token that an expected answer
 * introspects is issued under an Idempotency-Key, so that the test can derive it again from the published golden
 * token key and the nonce its TokenIssued records (golden-answers.ts); the data directory itself never holds it.
 */
export interface ScenarioResult {
  tokens: GoldenToken[];
  questions: GoldenQuestion[];
}

const ok = <T>(what: string, res: HttpResponse<T>, status = [200, 201]): HttpResponse<T> => {
  if (!status.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
};

/** A moment between two events, for the as-of questions: recordedAt is milliseconds, so step past it. */
async function instant(): Promise<string> {
  await new Promise((r) => setTimeout(r, 5));
  const at = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  return at;
}

export async function runScenario(ledger: RunningLedger, pushReceiver: PushReceiver): Promise<ScenarioResult> {
  const http: Http = ledger.http;
  // Shared Signals streams first, so that the revocations below become SETs on them (golden-ssf.ts).
  const ssf = await startSsf(ledger, pushReceiver);
  const tokens: GoldenToken[] = [];
  const consents = new Set<string>();
  let keyNo = 0;
  const issue = async (name: string, consentId: string, body: Record<string, unknown> = {}) => {
    const idempotencyKey = `golden-${++keyNo}-${name}`;
    const res = ok(`issue ${name}`, await http.post('/v1/tokens', { consentId, ...body }, { 'idempotency-key': idempotencyKey }));
    tokens.push({ name, tokenId: res.body.token_id, idempotencyKey });
    return res.body.token_id as string;
  };
  const grant = async (userId: string, clientId: string, scopes: string[], headers?: Record<string, string>) => {
    const res = ok(`grant ${userId}/${clientId}`, await http.post('/v1/consents', { userId, clientId, scopes }, headers));
    consents.add(res.body.id);
    return res.body.id as string;
  };
  const post = async (path: string, body?: unknown) => ok(path, await http.post(path, body)).body;

  // A token issued before the ledger-wide not-before: inactive for ever after.
  ok('register old-web', await http.post('/v1/clients', { clientId: 'golden-old', name: 'Old', termsUrl: 'https://example.org/terms' }));
  const dave = await grant('dave@example.org', 'golden-old', ['openid']);
  await issue('dave-before-ledger-not-before', dave);
  const beforeLedgerNotBefore = await instant();
  await post('/v1/not-before', { reason: 'golden: key rotation drill' });
  await issue('dave-after-ledger-not-before', dave);
  // Deleting an active client: ClientDisabled and ClientDeleted in one append; its tokens end.
  ok('delete golden-old', await http.request('DELETE', '/v1/clients/golden-old'));

  // A listed client with secrets, a rotation, a revoked secret, updates both ways, disable and enable.
  ok('register golden-web', await http.post('/v1/clients', { clientId: 'golden-web', name: 'Golden Web', allowedScopes: ['openid', 'profile', 'files:read', 'files:write'] }));
  const first = (await post('/v1/clients/golden-web/secrets')) as { secretId: string };
  await post('/v1/clients/golden-web/secrets', { overlapSeconds: 3600 });
  const third = (await post('/v1/clients/golden-web/secrets', { overlapSeconds: 0 })) as { secretId: string };
  ok('revoke a secret', await http.request('DELETE', `/v1/clients/golden-web/secrets/${third.secretId}`));
  void first;
  const erin = await grant('erin@example.org', 'golden-web', ['openid']);
  await issue('erin-before-disable', erin);
  await post('/v1/clients/golden-web/disable', { reason: 'golden: suspected abuse' });
  await post('/v1/clients/golden-web/enable');
  await issue('erin-after-enable', erin);
  // A partial revocation that leaves the consent's other tokens alive.
  await grant('erin@example.org', 'golden-web', ['profile']);
  await issue('erin-with-profile', erin, { scopes: ['openid', 'profile'] });
  await post(`/v1/consents/${erin}/revoke`, { scopes: ['profile'] });
  ok('rename', await http.request('PATCH', '/v1/clients/golden-web', { name: 'Golden Web App', termsUrl: 'https://example.org/terms/v2' }));
  ok('narrow and widen', await http.request('PATCH', '/v1/clients/golden-web', { allowedScopes: ['openid', 'profile', 'files:read', 'email'] }));

  // Alice: dependencies, an extension, tokens, a partial revocation, a token revoked by id, a full revocation, and a
  // second generation. The grant carries an Idempotency-Key, so node.db holds its stored answer.
  const alice1 = await grant('alice@example.org', 'golden-web', ['openid', 'files:read[transfer:all *timer:run[flows:run]]'], { 'idempotency-key': 'golden-grant-alice' });
  await grant('alice@example.org', 'golden-web', ['profile', 'email']);
  await issue('alice-all-scopes', alice1);
  await issue('alice-profile', alice1, { scopes: ['profile'] });
  const aliceFiles = await issue('alice-files', alice1, { scopes: ['openid', 'files:read'], expiresIn: 86_400 });
  const beforePartial = await instant();
  await post(`/v1/consents/${alice1}/revoke`, { scopes: ['profile'], reason: 'golden: no more profile' });
  await post(`/v1/tokens/${aliceFiles}/revoke`);
  const beforeFull = await instant();
  await post(`/v1/consents/${alice1}/revoke`, { reason: 'golden: user asked' });
  const alice2 = await grant('alice@example.org', 'golden-web', ['openid', 'files:read']);
  await issue('alice-generation-2', alice2);
  // A token under no key: random, never derivable; the lists and the history still show it.
  ok('random token', await http.post('/v1/tokens', { consentId: alice2, scopes: ['openid'] }));

  // Carol: a user not-before, then (on an "any scope" client) a client not-before, each between two tokens.
  const carolWeb = await grant('carol@example.org', 'golden-web', ['openid']);
  await issue('carol-web-before-user-not-before', carolWeb);
  await post('/v1/users/carol@example.org/not-before', { reason: 'golden: lost laptop' });
  await issue('carol-web-after-user-not-before', carolWeb);
  ok('register golden-cli', await http.post('/v1/clients', { clientId: 'golden-cli', name: 'Golden CLI' }));
  const carol = await grant('carol@example.org', 'golden-cli', ['openid', 'urn:example:scope:all']);
  await issue('carol-before-client-not-before', carol);
  await post('/v1/clients/golden-cli/not-before', { reason: 'golden: leaked refresh tokens' });
  await issue('carol-after-client-not-before', carol);

  // Bob: a user-wide revocation, carried to each consent by the fan-out, then a grant after it.
  const bobCli = await grant('bob@example.org', 'golden-cli', ['openid']);
  const bobWeb = await grant('bob@example.org', 'golden-web', ['openid', 'profile']);
  await issue('bob-cli-before-user-revocation', bobCli);
  await issue('bob-web-before-user-revocation', bobWeb);
  const beforeUserRevocation = await instant();
  await post('/v1/users/bob@example.org/revoke', { reason: 'golden: close my account' });
  for (const id of [bobCli, bobWeb]) {
    await waitUntil(async () => (await http.get(`/v1/consents/${id}`)).body.status === 'revoked', { what: `the fan-out revoking ${id}` });
  }
  const bobCli2 = await grant('bob@example.org', 'golden-cli', ['openid']);
  await issue('bob-cli-after-user-revocation', bobCli2);
  const end = await instant();

  // Gina: refresh tokens on a client of its own: a refresh (the next token of the family), then RFC 7009 revocation
  // of the new one, which ends the family. The refreshed tokens are random, so no answer introspects them.
  ok('register golden-app', await http.post('/v1/clients', { clientId: 'golden-app', name: 'Golden App' }));
  const appSecret = ((await post('/v1/clients/golden-app/secrets')) as { secret: string }).secret;
  const ginaRes = ok('grant gina', await http.post('/v1/consents', { userId: 'gina@example.org', clientId: 'golden-app', scopes: ['openid'], allowsRefresh: true }));
  consents.add(ginaRes.body.id);
  const ginaIssue = ok('issue gina', await http.post('/v1/tokens', { consentId: ginaRes.body.id }, { 'idempotency-key': `golden-${++keyNo}-gina` }));
  tokens.push({ name: 'gina-before-refresh', tokenId: ginaIssue.body.token_id, idempotencyKey: `golden-${keyNo}-gina` });
  const refreshed = ok('refresh gina', await http.form('/v1/oauth2/token', { grant_type: 'refresh_token', refresh_token: ginaIssue.body.refresh_token }, clientBasic('golden-app', appSecret)));
  ok('revoke gina refresh', await http.form('/v1/oauth2/revoke', { token: refreshed.body.refresh_token, token_type_hint: 'refresh_token' }, clientBasic('golden-app', appSecret)));

  // Frank: a consent with a token, revoked with a reason, then erased (crypto-shredding, docs/privacy.md).
  const frank = await grant('frank@example.org', 'golden-web', ['openid'], { 'x-request-id': 'golden-frank-request' });
  await issue('frank-before-erasure', frank);
  await post(`/v1/consents/${frank}/revoke`, { reason: 'golden: frank moved away' });
  const erased = (await post('/v1/users/frank@example.org/erase')) as { pseudonym: string };
  const afterErasure = await instant();

  // Hank: a dependent consent (Globus's consent forest). golden-transfer serves transfer:all; a grant of
  // transfer:all[collection:read] to golden-portal records the root and, under it, a dependent consent of
  // golden-transfer for collection:read; golden-transfer exchanges hank's token (RFC 8693) for a dependent token; the
  // root's revocation then ends the tree (DependentConsentRevoked). The exchanged token is random: not introspected.
  ok('register golden-portal', await http.post('/v1/clients', { clientId: 'golden-portal', name: 'Golden Portal' }));
  ok('register golden-transfer', await http.post('/v1/clients', { clientId: 'golden-transfer', name: 'Golden Transfer' }));
  const transferSecret = ((await post('/v1/clients/golden-transfer/secrets')) as { secret: string }).secret;
  ok('serve transfer:all', await http.post('/v1/clients/golden-transfer/served-scopes', { scope: 'transfer:all' }));
  const hank = await grant('hank@example.org', 'golden-portal', ['openid', 'transfer:all[collection:read]']);
  await issue('hank-root', hank, { scopes: ['openid', 'transfer:all'] });
  const hankSubject = ok('issue hank subject', await http.post('/v1/tokens', { consentId: hank, scopes: ['transfer:all'] })).body.access_token as string;
  ok(
    'exchange hank',
    await http.form(
      '/v1/oauth2/token',
      { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: hankSubject, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', scope: 'collection:read' },
      clientBasic('golden-transfer', transferSecret),
    ),
  );
  const beforeTreeRevoked = await instant();
  await post(`/v1/consents/${hank}/revoke`, { reason: 'golden: the portal is retired' });

  const users = ['alice@example.org', 'bob@example.org', 'carol@example.org', 'dave@example.org', 'erin@example.org', 'gina@example.org', 'hank@example.org'];
  const clients = ['golden-web', 'golden-cli', 'golden-old', 'golden-app', 'golden-portal', 'golden-transfer'];
  const questions: GoldenQuestion[] = [
    { name: 'clients', path: '/v1/clients?limit=100' },
    ...clients.flatMap((c) => [
      { name: `client ${c}`, path: `/v1/clients/${c}` },
      { name: `secrets of ${c}`, path: `/v1/clients/${c}/secrets` },
    ]),
    ...users.map((u) => ({ name: `consents of ${u}`, path: `/v1/users/${encodeURIComponent(u)}/consents?status=all` })),
    ...[...consents].flatMap((id) => [
      { name: `consent ${id}`, path: `/v1/consents/${id}` },
      { name: `history of ${id}`, path: `/v1/audit/consents/${id}/history` },
    ]),
    ...Object.entries({ beforeLedgerNotBefore, beforePartial, beforeFull, beforeUserRevocation, end, beforeTreeRevoked }).flatMap(([label, at]) =>
      users.map((u) => ({ name: `consents of ${u} as of ${label}`, path: `/v1/audit/users/${encodeURIComponent(u)}/consents?asOf=${at}` })),
    ),
  ];
  questions.push(
    { name: 'consents of the erased subject as of the end', path: `/v1/audit/users/${encodeURIComponent(erased.pseudonym)}/consents?asOf=${afterErasure}` },
    { name: 'consents of frank after the erasure', path: '/v1/users/frank%40example.org/consents?status=all' },
    ...(await finishSsf(ssf)),
  );
  return { tokens, questions };
}
