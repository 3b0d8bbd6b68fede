/**
 * Fail closed (issue #17): an instance that reads an event it cannot apply (a type its build does not know, or a
 * version newer than it knows) marks itself not ready and refuses introspection with 503, never answering
 * `active: true` from views that stop before that event. Events carry their version (libs/domain upcasting).
 * The unreadable events are appended through the event-store port, as a newer build would append them.
 */
import { EVENT_VERSIONS } from '@ledger/domain';
import { parseConsentId } from '@ledger/domain';
import { waitUntil } from '@ledger/testing';
import { consentWithToken } from './support/consent-fixtures';
import { ledgerSteps, RunningLedger, startLedger, tempDataDir } from './support/ledger-app';

const scopes = ['openid', 'email'];

async function notReady(ledger: RunningLedger) {
  return waitUntil(async () => {
    const res = await ledger.http.get('/health/ready');
    return res.status === 503 && res.body.error?.projection?.unreadableEvent ? res.body : undefined;
  }, { what: 'the instance not ready for an unreadable event' });
}

describe.each([
  { what: 'an event type this build does not know', type: 'ConsentErased', version: 1, says: 'its type ConsentErased is unknown to this build' },
  { what: 'a version newer than this build knows', type: 'TokenRevoked', version: 3, says: 'it is TokenRevoked v3, and this build reads up to v2' },
])('the embedded store, after $what', ({ type, version, says }) => {
  const data = tempDataDir();
  let ledger: RunningLedger;
  afterAll(async () => {
    await ledger?.close();
    data.remove();
  });

  it('marks the instance not ready, refuses introspection and commands on the stream with 503, and names the event', async () => {
    ledger = await startLedger({ dataDir: data.dir, env: { LOG_LEVEL: 'fatal' } });
    const steps = ledgerSteps(ledger.http);
    const { consentId, userId, clientId, token } = await consentWithToken(ledger.http, scopes);
    expect((await steps.introspect(token.access_token)).body.active).toBe(true);
    expect((await ledger.http.get('/health/ready')).status).toBe(200);

    // What this build appends carries the version it wrote.
    const mine = (await ledger.events()).filter((e) => e.stream === parseConsentId(consentId)!.stream);
    expect(mine.map((e) => [e.type, e.metadata.eventVersion])).toEqual([
      ['ConsentGranted', EVENT_VERSIONS.ConsentGranted],
      ['TokenIssued', EVENT_VERSIONS.TokenIssued],
    ]);

    const stream = parseConsentId(consentId)!.stream;
    const appended = await ledger.store.append(
      stream,
      [{ type, data: { consentId, userId, clientId, tokenId: token.token_id }, metadata: { actor: 'newer-build', correlationId: 'c', eventVersion: version } }],
      { expectedRevision: 1 },
    );

    const health = await notReady(ledger);
    expect(health.error.projection.unreadableEvent).toContain(`cannot apply the event at position ${appended.position} (stream ${stream}, revision 2`);
    expect(health.error.projection.unreadableEvent).toContain(says);

    const introspection = await steps.introspect(token.access_token);
    expect(introspection.status).toBe(503);
    expect(introspection.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.stringContaining('cannot read') });
    expect(introspection.headers.get('retry-after')).toBeTruthy();

    const issue = await steps.issue(consentId);
    expect(issue.status).toBe(503);
    expect(issue.headers.get('content-type')).toContain('application/problem+json');
    expect(issue.body).toMatchObject({ code: 'event_unreadable', status: 503 });
    expect(issue.body.detail).toContain(`position ${appended.position}`);

    // A command on another stream is refused before it is decided, not appended and then left waiting for views
    // that will never include it.
    const other = await steps.registerClient('another-app');
    expect(other.status).toBe(503);
    expect(other.body).toMatchObject({ code: 'event_unreadable' });

    // Nothing was appended for the refused commands, and the instance stays closed: the event is still there.
    expect((await ledger.events()).at(-1)!.position).toBe(appended.position);
    await new Promise((r) => setTimeout(r, 300));
    expect((await ledger.http.get('/health/ready')).status).toBe(503);
    expect((await steps.introspect(token.access_token)).status).toBe(503);
  });
});
