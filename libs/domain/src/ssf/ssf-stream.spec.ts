import { DeciderSpecification, FIXED_NOW, stateAfter } from '../testing/decider-spec';
import { CAEP_SESSION_REVOKED, LEDGER_NOT_BEFORE, SSF_EVENTS_SUPPORTED, SSF_STREAM_UPDATED, SSF_VERIFICATION } from './ssf-event-types';
import { isAcknowledged, LiveSsfStream, POLL_DELIVERY, PUSH_DELIVERY, SSF_STATUSES, SSF_STREAM_ID_PATTERN, ssfStream, SsfStreamEvent } from './ssf-stream';
import { ssfStreamDecider } from './ssf-stream.decider';
import { userKey } from '../shared/ids';

const spec = DeciderSpecification.for(ssfStreamDecider);
const now = FIXED_NOW.toISOString();
const streamId = 'ssf_0123456789abcdef0123456789abcdef';
const receiver = 'partner';
const alice = { format: 'opaque' as const, id: 'alice' };
const aliceAtWeb = { format: 'complex' as const, user: alice, application: { format: 'opaque' as const, id: 'web' } };

const config = { deliveryMethod: POLL_DELIVERY, eventsRequested: [CAEP_SESSION_REVOKED], description: null };
const created: SsfStreamEvent = {
  type: 'SsfStreamCreated',
  data: { streamId, receiver, deliveryMethod: POLL_DELIVERY, eventsRequested: [CAEP_SESSION_REVOKED], eventsDelivered: [CAEP_SESSION_REVOKED], description: null, createdAt: now },
};
const deleted: SsfStreamEvent = { type: 'SsfStreamDeleted', data: { streamId, deletedAt: now } };
const status = (s: 'enabled' | 'paused' | 'disabled', reason: string | null = null): SsfStreamEvent => ({ type: 'SsfStreamStatusChanged', data: { streamId, status: s, reason, changedAt: now } });
const acked = (positions: number[], through = -1, errors: Array<{ position: number; err: string; description: string }> = []): SsfStreamEvent => ({
  type: 'SsfSetsAcknowledged',
  data: { streamId, positions, errors, through, acknowledgedAt: now },
});
const live = (events: SsfStreamEvent[]) => stateAfter(ssfStreamDecider, events) as LiveSsfStream;

describe('Shared Signals stream', () => {
  it('names the events by their CAEP and SSF URIs, and the statuses by SSF\'s words', () => {
    expect([...SSF_EVENTS_SUPPORTED, SSF_VERIFICATION, SSF_STREAM_UPDATED]).toEqual([
      'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
      'https://schemas.openid.net/secevent/caep/event-type/token-claims-change',
      'urn:consent-ledger:secevent:token-revoked',
      'urn:consent-ledger:secevent:client-disabled',
      'urn:consent-ledger:secevent:client-scopes-revoked',
      'urn:consent-ledger:secevent:not-before',
      'https://schemas.openid.net/secevent/ssf/event-type/verification',
      'https://schemas.openid.net/secevent/ssf/event-type/stream-updated',
    ]);
    expect(SSF_STATUSES).toEqual(['enabled', 'paused', 'disabled']);
    expect(ssfStream(streamId)).toBe(`ssf-stream-${streamId}`);
    expect(POLL_DELIVERY).toBe('urn:ietf:rfc:8936');
    expect([streamId, `x${streamId}`, `${streamId}0`, 'ssf_0123', `ssf_${'g'.repeat(32)}`].map((id) => SSF_STREAM_ID_PATTERN.test(id))).toEqual([true, false, false, false, false]);
  });

  describe('CreateSsfStream', () => {
    it('creates an enabled poll stream delivering what was requested of what is supported, each type once', () => {
      spec
        .given([])
        .when({ type: 'CreateSsfStream', data: { streamId, receiver, ...config, eventsRequested: [CAEP_SESSION_REVOKED, 'urn:unknown', CAEP_SESSION_REVOKED, LEDGER_NOT_BEFORE], description: 'mine' } })
        .then([
          {
            type: 'SsfStreamCreated',
            data: { streamId, receiver, deliveryMethod: POLL_DELIVERY, eventsRequested: [CAEP_SESSION_REVOKED, 'urn:unknown', LEDGER_NOT_BEFORE], eventsDelivered: [CAEP_SESSION_REVOKED, LEDGER_NOT_BEFORE], description: 'mine', createdAt: now },
          },
        ]);
      expect(live([created])).toMatchObject({ status: 'live', streamStatus: 'enabled', statusReason: null, subjects: {}, ackedThrough: -1, acked: [] });
    });

    it('refuses an unknown delivery method and an existing id', () => {
      const other = spec.given([]).when({ type: 'CreateSsfStream', data: { streamId, receiver, ...config, deliveryMethod: 'urn:example:carrier-pigeon' } }).thenThrows('ssf_delivery_method_unsupported', 'validation');
      expect(other.message).toBe('The delivery method is not supported: delivery_methods_supported lists urn:ietf:rfc:8935 and urn:ietf:rfc:8936');
      expect(spec.given([created]).when({ type: 'CreateSsfStream', data: { streamId, receiver, ...config } }).thenThrows('ssf_stream_exists', 'conflict').message).toBe('A stream with this id exists');
      spec.given([created, deleted]).when({ type: 'CreateSsfStream', data: { streamId, receiver, ...config } }).thenThrows('ssf_stream_exists', 'conflict');
    });

    it('creates a push stream with its endpoint and sealed header; without an endpoint it is refused', () => {
      const push = { deliveryMethod: PUSH_DELIVERY, endpointUrl: 'https://rp.example/events', authorization: 'sealed:abc' };
      spec
        .given([])
        .when({ type: 'CreateSsfStream', data: { streamId, receiver, ...config, ...push } })
        .then([
          {
            type: 'SsfStreamCreated',
            data: { streamId, receiver, deliveryMethod: PUSH_DELIVERY, eventsRequested: [CAEP_SESSION_REVOKED], eventsDelivered: [CAEP_SESSION_REVOKED], description: null, push: { endpointUrl: push.endpointUrl, authorization: 'sealed:abc' }, createdAt: now },
          },
        ]);
      const noHeader = spec.given([]).when({ type: 'CreateSsfStream', data: { streamId, receiver, ...config, deliveryMethod: PUSH_DELIVERY, endpointUrl: push.endpointUrl } }).events();
      expect(live(noHeader)).toMatchObject({ deliveryMethod: PUSH_DELIVERY, push: { endpointUrl: push.endpointUrl, authorization: null }, lastError: null });
      const refused = spec.given([]).when({ type: 'CreateSsfStream', data: { streamId, receiver, ...config, deliveryMethod: PUSH_DELIVERY } }).thenThrows('invalid_request', 'validation');
      expect(refused.message).toBe('A push stream needs delivery.endpoint_url');
      expect(refused.details).toEqual({ fields: [{ field: 'delivery.endpoint_url', messages: ['required for urn:ietf:rfc:8935'] }] });
      // A poll stream has no push member at all (its endpoint_url is the transmitter's), whatever was sent.
      const poll = spec.given([]).when({ type: 'CreateSsfStream', data: { streamId, receiver, ...config, endpointUrl: push.endpointUrl, authorization: 'x' } }).events();
      expect(poll[0].data).not.toHaveProperty('push');
      expect(POLL_DELIVERY).not.toBe(PUSH_DELIVERY);
      expect(PUSH_DELIVERY).toBe('urn:ietf:rfc:8935');
    });
  });

  describe('a push stream', () => {
    const endpointUrl = 'https://rp.example/events';
    const pushCreated: SsfStreamEvent = { type: 'SsfStreamCreated', data: { ...created.data, deliveryMethod: PUSH_DELIVERY, push: { endpointUrl, authorization: 'sealed:1' } } } as SsfStreamEvent;
    const configuredEvent = (d: Record<string, unknown>): SsfStreamEvent => ({ type: 'SsfStreamConfigured', data: { streamId, deliveryMethod: PUSH_DELIVERY, eventsRequested: [CAEP_SESSION_REVOKED], eventsDelivered: [CAEP_SESSION_REVOKED], description: null, ...d, updatedAt: now } }) as SsfStreamEvent;

    it('an update naming neither endpoint nor header keeps both; one naming them changes them', () => {
      spec.given([pushCreated]).when({ type: 'UpdateSsfStream', data: { streamId, receiver, description: 'd' } }).then([configuredEvent({ description: 'd', push: { endpointUrl, authorization: 'sealed:1' } })]);
      spec.given([pushCreated]).when({ type: 'UpdateSsfStream', data: { streamId, receiver, endpointUrl: 'https://rp.example/v2' } }).then([configuredEvent({ push: { endpointUrl: 'https://rp.example/v2', authorization: 'sealed:1' } })]);
      spec.given([pushCreated]).when({ type: 'UpdateSsfStream', data: { streamId, receiver, authorization: 'sealed:2' } }).then([configuredEvent({ push: { endpointUrl, authorization: 'sealed:2' } })]);
      spec.given([pushCreated]).when({ type: 'UpdateSsfStream', data: { streamId, receiver, authorization: null } }).then([configuredEvent({ push: { endpointUrl, authorization: null } })]);
      spec.given([pushCreated]).when({ type: 'UpdateSsfStream', data: { streamId, receiver, endpointUrl, authorization: 'sealed:1' } }).thenNothing();
      // A poll stream turned to push needs an endpoint; a push stream turned to poll loses it.
      spec.given([created]).when({ type: 'UpdateSsfStream', data: { streamId, receiver, deliveryMethod: PUSH_DELIVERY } }).thenThrows('invalid_request');
      const toPoll = spec.given([pushCreated]).when({ type: 'UpdateSsfStream', data: { streamId, receiver, deliveryMethod: POLL_DELIVERY } }).events();
      expect(toPoll).toHaveLength(1);
      expect(live([pushCreated, ...toPoll])).not.toHaveProperty('push');
      expect(live([pushCreated, ...toPoll]).deliveryMethod).toBe(POLL_DELIVERY);
    });

    it('a replacement without a header drops it; the same delivery method with another configuration is a change', () => {
      spec.given([pushCreated]).when({ type: 'ReplaceSsfStream', data: { streamId, receiver, ...config, deliveryMethod: PUSH_DELIVERY, endpointUrl } }).then([configuredEvent({ push: { endpointUrl, authorization: null } })]);
      spec.given([pushCreated]).when({ type: 'ReplaceSsfStream', data: { streamId, receiver, ...config, deliveryMethod: PUSH_DELIVERY, endpointUrl, authorization: 'sealed:1' } }).thenNothing();
      expect(spec.given([pushCreated]).when({ type: 'ReplaceSsfStream', data: { streamId, receiver, ...config } }).events()).toHaveLength(1);
      expect(spec.given([created]).when({ type: 'ReplaceSsfStream', data: { streamId, receiver, ...config, deliveryMethod: PUSH_DELIVERY, endpointUrl } }).events()).toHaveLength(1);
    });

    it('keeps the last SET error for the status', () => {
      const first = { position: 4, err: 'invalid_issuer', description: 'who?' };
      const second = { position: 6, err: 'invalid_key', description: 'kid?' };
      expect(live([pushCreated, acked([3], -1, [first, second])]).lastError).toEqual({ ...second, at: now });
      expect(live([pushCreated, acked([], -1, [first]), acked([5])]).lastError).toEqual({ ...first, at: now });
      expect(live([pushCreated, acked([5])]).lastError).toBeNull();
    });
  });

  describe('every command on a stream', () => {
    const commands = [
      { type: 'UpdateSsfStream' as const, data: { streamId, receiver: 'other', description: 'x' } },
      { type: 'ReplaceSsfStream' as const, data: { streamId, receiver: 'other', ...config } },
      { type: 'DeleteSsfStream' as const, data: { streamId, receiver: 'other' } },
      { type: 'UpdateSsfStreamStatus' as const, data: { streamId, receiver: 'other', status: 'paused' as const, reason: null } },
      { type: 'VerifySsfStream' as const, data: { streamId, receiver: 'other', state: null } },
      { type: 'AddSsfSubject' as const, data: { streamId, receiver: 'other', subject: alice, entitlement: '*' as const } },
      { type: 'RemoveSsfSubject' as const, data: { streamId, receiver: 'other', subject: alice } },
      { type: 'AcknowledgeSets' as const, data: { streamId, receiver: 'other', positions: [1], errors: [], through: -1 } },
    ];
    it.each(commands)('%s: another receiver\'s stream, a missing one and a deleted one are all 404', (command) => {
      expect(spec.given([created]).when(command).thenThrows('ssf_stream_not_found', 'not_found').message).toBe('No such stream');
      const own = { ...command, data: { ...command.data, receiver } } as typeof command;
      spec.given([]).when(own).thenThrows('ssf_stream_not_found', 'not_found');
      spec.given([created, deleted]).when(own).thenThrows('ssf_stream_not_found', 'not_found');
    });
  });

  describe('UpdateSsfStream and ReplaceSsfStream', () => {
    it('an update changes what it names and keeps the rest; the transmitter recomputes events_delivered', () => {
      spec
        .given([created])
        .when({ type: 'UpdateSsfStream', data: { streamId, receiver, eventsRequested: [LEDGER_NOT_BEFORE] } })
        .then([{ type: 'SsfStreamConfigured', data: { streamId, deliveryMethod: POLL_DELIVERY, eventsRequested: [LEDGER_NOT_BEFORE], eventsDelivered: [LEDGER_NOT_BEFORE], description: null, updatedAt: now } }]);
      spec
        .given([created])
        .when({ type: 'UpdateSsfStream', data: { streamId, receiver, description: 'named' } })
        .then([{ type: 'SsfStreamConfigured', data: { streamId, deliveryMethod: POLL_DELIVERY, eventsRequested: [CAEP_SESSION_REVOKED], eventsDelivered: [CAEP_SESSION_REVOKED], description: 'named', updatedAt: now } }]);
      const configured = spec.given([created]).when({ type: 'UpdateSsfStream', data: { streamId, receiver, eventsRequested: [...SSF_EVENTS_SUPPORTED] } }).events();
      expect(live([created, ...configured])).toMatchObject({ eventsRequested: SSF_EVENTS_SUPPORTED, eventsDelivered: SSF_EVENTS_SUPPORTED, description: null });
    });

    it('a replacement takes the whole configuration; an absent description is null again', () => {
      const named = spec.given([created]).when({ type: 'UpdateSsfStream', data: { streamId, receiver, description: 'named' } }).events();
      spec
        .given([created, ...named])
        .when({ type: 'ReplaceSsfStream', data: { streamId, receiver, ...config } })
        .then([{ type: 'SsfStreamConfigured', data: { streamId, deliveryMethod: POLL_DELIVERY, eventsRequested: [CAEP_SESSION_REVOKED], eventsDelivered: [CAEP_SESSION_REVOKED], description: null, updatedAt: now } }]);
      spec.given([created, ...named]).when({ type: 'UpdateSsfStream', data: { streamId, receiver, description: null } }).events();
    });

    it('the same configuration again appends nothing; another delivery method is refused', () => {
      spec.given([created]).when({ type: 'ReplaceSsfStream', data: { streamId, receiver, ...config } }).thenNothing();
      spec.given([created]).when({ type: 'UpdateSsfStream', data: { streamId, receiver } }).thenNothing();
      spec.given([created]).when({ type: 'UpdateSsfStream', data: { streamId, receiver, deliveryMethod: 'urn:ietf:rfc:8937' } }).thenThrows('ssf_delivery_method_unsupported');
      spec.given([created]).when({ type: 'ReplaceSsfStream', data: { streamId, receiver, ...config, eventsRequested: [] } }).events();
      // The requested list is compared as a list: the same letters split elsewhere are another request.
      const ab = spec.given([created]).when({ type: 'ReplaceSsfStream', data: { streamId, receiver, ...config, eventsRequested: ['ab', 'c'] } }).events();
      expect(spec.given([created, ...ab]).when({ type: 'ReplaceSsfStream', data: { streamId, receiver, ...config, eventsRequested: ['a', 'bc'] } }).events()).toHaveLength(1);
    });
  });

  describe('status, verification, deletion', () => {
    it('changes status with its reason, and the same status again is nothing', () => {
      spec.given([created]).when({ type: 'UpdateSsfStreamStatus', data: { streamId, receiver, status: 'paused', reason: 'maintenance' } }).then([status('paused', 'maintenance')]);
      spec.given([created]).when({ type: 'UpdateSsfStreamStatus', data: { streamId, receiver, status: 'enabled', reason: null } }).thenNothing();
      spec.given([created, status('disabled')]).when({ type: 'UpdateSsfStreamStatus', data: { streamId, receiver, status: 'enabled', reason: null } }).then([status('enabled')]);
      expect(live([created, status('paused', 'why')])).toMatchObject({ streamStatus: 'paused', statusReason: 'why' });
    });

    it('a verification is an event with the receiver\'s state; a disabled stream refuses it, a paused one holds it', () => {
      spec.given([created]).when({ type: 'VerifySsfStream', data: { streamId, receiver, state: 'abc' } }).then([{ type: 'SsfVerificationRequested', data: { streamId, state: 'abc', requestedAt: now } }]);
      spec.given([created, status('paused')]).when({ type: 'VerifySsfStream', data: { streamId, receiver, state: null } }).then([{ type: 'SsfVerificationRequested', data: { streamId, state: null, requestedAt: now } }]);
      const refused = spec.given([created, status('disabled')]).when({ type: 'VerifySsfStream', data: { streamId, receiver, state: null } }).thenThrows('ssf_stream_disabled', 'conflict');
      expect(refused.message).toBe('The stream is disabled: enable it first');
      expect(live([created, { type: 'SsfVerificationRequested', data: { streamId, state: 'x', requestedAt: now } }])).toEqual(live([created]));
    });

    it('deletes for good, keeping whose it was', () => {
      spec.given([created]).when({ type: 'DeleteSsfStream', data: { streamId, receiver } }).then([deleted]);
      expect(stateAfter(ssfStreamDecider, [created, deleted])).toEqual({ status: 'deleted', streamId, receiver });
      expect(stateAfter(ssfStreamDecider, [created, deleted, deleted, status('paused'), acked([1])])).toEqual({ status: 'deleted', streamId, receiver });
      expect(stateAfter(ssfStreamDecider, [deleted, status('paused')])).toEqual({ status: 'none' });
    });
  });

  describe('subjects', () => {
    const web = { format: 'opaque' as const, id: 'web' };
    const webOnly = { format: 'complex' as const, application: web };
    const add = (subject: typeof alice | typeof aliceAtWeb | typeof webOnly, entitlement: readonly string[] | '*' = ['web']) => ({ type: 'AddSsfSubject' as const, data: { streamId, receiver, subject, entitlement } });
    // As stored (v2): the user's id top-level, where the store seals it; the subject without it.
    const addedAlice: SsfStreamEvent = { type: 'SsfSubjectAdded', data: { streamId, userId: 'alice', subject: { format: 'opaque' }, addedAt: now } };
    const addedAliceAtWeb: SsfStreamEvent = { type: 'SsfSubjectAdded', data: { streamId, userId: 'alice', subject: { format: 'complex', user: { format: 'opaque' }, application: web }, addedAt: now } };
    const addedWeb: SsfStreamEvent = { type: 'SsfSubjectAdded', data: { streamId, subject: webOnly, addedAt: now } };
    const removed = (parts: { userId?: string; clientId?: string }): SsfStreamEvent => ({
      type: 'SsfSubjectRemoved',
      data: { streamId, ...parts, ...(parts.userId ? { userKey: userKey(parts.userId) } : {}), removedAt: now },
    });

    it('adds a user, or a user of an entitled client, once each, storing the user id apart from the subject', () => {
      spec.given([created]).when(add(alice)).then([addedAlice]);
      spec.given([created]).when(add(aliceAtWeb)).then([addedAliceAtWeb]);
      spec.given([created]).when(add(aliceAtWeb, '*')).then([addedAliceAtWeb]);
      spec.given([created]).when(add(webOnly)).then([addedWeb]);
      spec.given([created, addedAlice]).when(add({ format: 'opaque', id: 'alice' })).thenNothing();
      spec.given([created, addedAlice]).when(add({ format: 'complex', user: { format: 'opaque', id: 'alice' } } as unknown as typeof alice)).thenNothing();
      expect(live([created, addedAlice, addedAliceAtWeb, addedWeb]).subjects).toEqual({ 'u:alice\u0000': alice, 'u:alice\u0000c:web': aliceAtWeb, '\u0000c:web': webOnly });
    });

    it('refuses a subject of a client outside the entitlement', () => {
      spec.given([created]).when(add(aliceAtWeb, ['files'])).thenThrows('subject_not_entitled', 'forbidden');
    });

    it('removes a subject it has, by its parts; one it has not is nothing', () => {
      spec.given([created, addedAlice]).when({ type: 'RemoveSsfSubject', data: { streamId, receiver, subject: alice } }).then([removed({ userId: 'alice' })]);
      spec.given([created, addedAliceAtWeb]).when({ type: 'RemoveSsfSubject', data: { streamId, receiver, subject: aliceAtWeb } }).then([removed({ userId: 'alice', clientId: 'web' })]);
      spec.given([created, addedWeb]).when({ type: 'RemoveSsfSubject', data: { streamId, receiver, subject: webOnly } }).then([removed({ clientId: 'web' })]);
      spec.given([created, addedAlice]).when({ type: 'RemoveSsfSubject', data: { streamId, receiver, subject: aliceAtWeb } }).thenNothing();
      const all = [created, addedAlice, addedAliceAtWeb, addedWeb];
      expect(live([...all, removed({ userId: 'alice' })]).subjects).toEqual({ 'u:alice\u0000c:web': aliceAtWeb, '\u0000c:web': webOnly });
      expect(live([...all, removed({ userId: 'alice', clientId: 'web' }), removed({ clientId: 'web' })]).subjects).toEqual({ 'u:alice\u0000': alice });
    });

    it('an erased subject reads as its pseudonym: its own subject, which the user coming back is not', () => {
      const erased = (e: SsfStreamEvent): SsfStreamEvent => ({ ...e, data: { ...e.data, userId: '~erased:k1' } } as SsfStreamEvent);
      const state = live([created, erased(addedAlice), erased(addedAliceAtWeb)]);
      expect(state.subjects).toEqual({
        'u:~erased:k1\u0000': { format: 'opaque', id: '~erased:k1' },
        'u:~erased:k1\u0000c:web': { format: 'complex', user: { format: 'opaque', id: '~erased:k1' }, application: web },
      });
      spec.given([created, erased(addedAlice)]).when(add(alice)).then([addedAlice]);
      expect(live([created, erased(addedAlice), erased(removed({ userId: 'alice' }))]).subjects).toEqual({});
    });

    it('a removal read as erased still finds the subject an older event added in clear, by its userKey, and no other', () => {
      // As a v1 SsfSubjectAdded reads (upcast): the user id in clear, which the erasure did not reach.
      const clearAlice = addedAlice;
      const clearBob: SsfStreamEvent = { type: 'SsfSubjectAdded', data: { streamId, userId: 'bob', subject: { format: 'opaque' }, addedAt: now } };
      const erasedRemoval = (e: SsfStreamEvent): SsfStreamEvent => ({ ...e, data: { ...e.data, userId: '~erased:k1' } } as SsfStreamEvent);
      expect(live([created, clearAlice, addedAliceAtWeb, clearBob, erasedRemoval(removed({ userId: 'alice' }))]).subjects).toEqual({
        'u:alice\u0000c:web': aliceAtWeb,
        'u:bob\u0000': { format: 'opaque', id: 'bob' },
      });
      expect(Object.keys(live([created, clearAlice, addedAliceAtWeb, erasedRemoval(removed({ userId: 'alice', clientId: 'web' }))]).subjects)).toEqual(['u:alice\u0000']);
      expect(Object.keys(live([created, addedWeb, clearAlice, removed({ clientId: 'web' })]).subjects)).toEqual(['u:alice\u0000']);
    });
  });

  describe('AcknowledgeSets', () => {
    const ack = (positions: number[], through = -1, errors: Array<{ position: number; err: string; description: string }> = []) => ({
      type: 'AcknowledgeSets' as const,
      data: { streamId, receiver, positions, errors, through },
    });

    it('records new acknowledgements, sorted and once each, and setErrs beside them', () => {
      const err = { position: 9, err: 'invalid_key', description: 'unknown kid' };
      spec.given([created]).when(ack([7, 3, 7, 9], -1, [err])).then([acked([3, 7], -1, [err])]);
      spec.given([created]).when(ack([], 4)).then([acked([], 4)]);
      spec.given([created]).when(ack([], -1, [err])).then([acked([], -1, [err])]);
    });

    it('what is already acknowledged appends nothing', () => {
      spec.given([created, acked([3, 7], 1)]).when(ack([3, 7, 1, 0])).thenNothing();
      spec.given([created, acked([3], 1)]).when(ack([], 0, [{ position: 3, err: 'x', description: 'y' }])).thenNothing();
      spec.given([created, acked([3], 1)]).when(ack([5])).then([acked([5], 1)]);
    });

    it('keeps only positions after the acknowledged prefix; the prefix never moves back', () => {
      const s = live([created, acked([3, 7, 12]), acked([], 7), acked([], 5, [{ position: 15, err: 'x', description: 'y' }])]);
      expect({ through: s.ackedThrough, acked: [...s.acked].sort((a, b) => a - b) }).toEqual({ through: 7, acked: [12, 15] });
      expect([0, 7, 12, 15].map((p) => isAcknowledged(s, p))).toEqual([true, true, true, true]);
      expect([8, 13, 16].map((p) => isAcknowledged(s, p))).toEqual([false, false, false]);
    });
  });
});
