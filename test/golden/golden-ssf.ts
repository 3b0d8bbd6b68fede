import { waitUntil } from '@ledger/testing';
import { SSF_EVENTS_SUPPORTED } from '@ledger/domain';
import { freePort } from '../support/ledger-process';
import { httpClient, type HttpResponse, type RunningLedger } from '../support/ledger-app';
import { PushReceiver } from '../support/ssf-push-receiver';
import { GOLDEN_RECEIVER, type GoldenQuestion } from './golden-answers';

/**
 * The Shared Signals part of the golden scenario (docs/ssf.md): every SSF stream event type, driven over HTTP as the
 * golden receiver. Streams are made first (startSsf), so that the scenario's revocations become SETs on them; the
 * rest (finishSsf) comes after. The push stream's receiver is a local RFC 8935 one that verifies each SET and answers
 * 202, except the first token-revoked SET, which it refuses with an RFC 8935 err (recorded as a push error). Every
 * SET of the push stream is delivered and recorded before the service closes, so a service reading the directory
 * later has nothing to push.
 */
const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
const TOKEN_REVOKED = 'urn:consent-ledger:secevent:token-revoked';
/** The push stream's authorization_header: the log holds it sealed only (golden.e2e-spec.ts looks for it in clear). */
export const GOLDEN_PUSH_HEADER_SECRET = 'golden-push-header-0123456789';

export interface SsfRun {
  ledger: RunningLedger;
  receiver: PushReceiver;
  pollId: string;
  pushId: string;
}

const ok = <T>(what: string, res: HttpResponse<T>, status = [200, 201, 204]): HttpResponse<T> => {
  if (!status.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
};

/** A free port for the push receiver: the origin generate.ts allows in LEDGER_SSF_PUSH_ALLOW. */
export async function goldenPushReceiver(issuer: string): Promise<PushReceiver> {
  const receiver = new PushReceiver(await freePort(), { issuer, audience: GOLDEN_RECEIVER.name });
  let refused = false;
  receiver.answer = (set) => {
    if (refused || !set.claims.events[TOKEN_REVOKED]) return { status: 202 };
    refused = true;
    return { status: 400, body: { err: 'invalid_request', description: 'golden: this receiver refuses its first token-revoked SET' } };
  };
  await receiver.start();
  return receiver;
}

export async function startSsf(ledger: RunningLedger, receiver: PushReceiver): Promise<SsfRun> {
  const as = httpClient(ledger.url, { authorization: `Bearer ${GOLDEN_RECEIVER.secret}` });
  receiver.use(`${ledger.url}/.well-known/ssf-jwks.json`);
  const pollId = ok('create poll stream', await as.post('/v1/ssf/streams', { delivery: { method: POLL }, events_requested: [...SSF_EVENTS_SUPPORTED], description: 'golden poll' })).body
    .stream_id as string;
  const pushId = ok(
    'create push stream',
    await as.post('/v1/ssf/streams', {
      delivery: { method: PUSH, endpoint_url: receiver.url, authorization_header: `Bearer ${GOLDEN_PUSH_HEADER_SECRET}` },
      events_requested: [...SSF_EVENTS_SUPPORTED],
      description: 'golden push',
    }),
  ).body.stream_id as string;
  const subjects = [
    { stream_id: pollId, subject: { format: 'opaque', id: 'alice@example.org' } },
    { stream_id: pollId, subject: { format: 'complex', user: { format: 'opaque', id: 'carol@example.org' }, application: { format: 'opaque', id: 'golden-cli' } } },
    { stream_id: pollId, subject: { format: 'complex', application: { format: 'opaque', id: 'golden-app' } } },
    { stream_id: pushId, subject: { format: 'opaque', id: 'bob@example.org' } },
    { stream_id: pushId, subject: { format: 'complex', user: { format: 'opaque', id: 'alice@example.org' }, application: { format: 'opaque', id: 'golden-web' } } },
    // Frank is erased later in the scenario: since SSF subject events v2 his id is sealed under his subject key.
    { stream_id: pollId, subject: { format: 'opaque', id: 'frank@example.org' } },
    { stream_id: pushId, subject: { format: 'complex', user: { format: 'opaque', id: 'frank@example.org' }, application: { format: 'opaque', id: 'golden-web' } } },
    // Removed again in finishSsf.
    { stream_id: pollId, subject: { format: 'opaque', id: 'erin@example.org' } },
  ];
  for (const s of subjects) ok('add subject', await as.post('/v1/ssf/subjects/add', s));
  return { ledger, receiver, pollId, pushId };
}

export async function finishSsf(run: SsfRun): Promise<GoldenQuestion[]> {
  const { ledger, receiver, pollId, pushId } = run;
  const as = httpClient(ledger.url, { authorization: `Bearer ${GOLDEN_RECEIVER.secret}` });
  ok('remove a subject', await as.post('/v1/ssf/subjects/remove', { stream_id: pollId, subject: { format: 'opaque', id: 'erin@example.org' } }));
  ok('update', await as.request('PATCH', '/v1/ssf/streams', { stream_id: pollId, description: 'golden poll, renamed' }));
  ok('replace', await as.request('PUT', '/v1/ssf/streams', { stream_id: pushId, delivery: { method: PUSH, endpoint_url: receiver.url }, events_requested: [...SSF_EVENTS_SUPPORTED], description: 'golden push, replaced' }));
  ok('pause', await as.post('/v1/ssf/status', { stream_id: pollId, status: 'paused', reason: 'golden: receiver maintenance' }));
  ok('enable', await as.post('/v1/ssf/status', { stream_id: pollId, status: 'enabled', reason: 'golden: back' }));
  ok('verify poll', await as.post('/v1/ssf/verify', { stream_id: pollId, state: 'golden-poll-state' }));
  // A stream made and deleted: SsfStreamDeleted.
  const gone = ok('create a third', await as.post('/v1/ssf/streams', { delivery: { method: POLL }, events_requested: [TOKEN_REVOKED] })).body.stream_id as string;
  ok('delete it', await as.request('DELETE', `/v1/ssf/streams?stream_id=${gone}`));

  // The poll stream: acknowledge the two oldest SETs, report an error on the third; the rest stay pending.
  const first = ok('poll', await as.post(`/v1/ssf/poll/${pollId}`, { returnImmediately: true, maxEvents: 3 })).body as { sets: Record<string, string> };
  const jtis = Object.keys(first.sets).sort((a, b) => Number(a.split('-').at(-1)) - Number(b.split('-').at(-1)));
  if (jtis.length < 3) throw new Error(`the poll stream has ${jtis.length} SETs: the scenario should give it more`);
  ok('ack', await as.post(`/v1/ssf/poll/${pollId}`, { returnImmediately: true, maxEvents: 0, ack: jtis.slice(0, 2), setErrs: { [jtis[2]]: { err: 'invalid_request', description: 'golden: refused by the receiver' } } }));

  // The push stream: its last SET is a verification; once the receiver has it, every SET before it was pushed (in
  // log order), and the close that follows records the last acknowledgements.
  ok('verify push', await as.post('/v1/ssf/verify', { stream_id: pushId, state: 'golden-push-last' }));
  await waitUntil(() => receiver.accepted.some((s) => s.claims.events['https://schemas.openid.net/secevent/ssf/event-type/verification']?.state === 'golden-push-last'), {
    what: 'the last push SET at the golden receiver',
    timeoutMs: 20_000,
  });
  if (!receiver.attempts.some((s) => s.claims.events[TOKEN_REVOKED])) throw new Error('the push stream got no token-revoked SET to refuse');

  const receiverQ = (name: string, path: string, post?: Record<string, unknown>): GoldenQuestion => ({ name, path, as: 'receiver', ...(post ? { post } : {}) });
  return [
    { name: 'ssf jwks', path: '/.well-known/ssf-jwks.json' },
    receiverQ('ssf streams of the receiver', '/v1/ssf/streams'),
    ...[pollId, pushId, gone].flatMap((id) => [receiverQ(`ssf stream ${id}`, `/v1/ssf/streams?stream_id=${id}`), receiverQ(`ssf status of ${id}`, `/v1/ssf/status?stream_id=${id}`)]),
    { ...receiverQ(`ssf pending SETs of ${pollId}`, `/v1/ssf/poll/${pollId}`, { returnImmediately: true, maxEvents: 100 }), storeBound: true },
  ];
}
