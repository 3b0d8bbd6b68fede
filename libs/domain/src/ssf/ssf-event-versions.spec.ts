import { DomainError } from '../shared/domain-error';
import { userKey } from '../shared/ids';
import { readSsfStreamEvent, SSF_EVENT_VERSIONS, SSF_UPCASTERS } from './ssf-event-versions';
import { SSF_STREAM_EVENT_TYPES } from './ssf-stream';

const streamId = 'ssf_0123456789abcdef0123456789abcdef';
const at = '2026-12-01T00:00:00.000Z';
const alice = { format: 'opaque', id: 'alice' };
const web = { format: 'opaque', id: 'web' };
/** As builds before v2 stored them: the subject whole, its key spelling the user id, no version. */
const addedV1 = (subject: object, key: string) => ({ type: 'SsfSubjectAdded', data: { streamId, subject, key, addedAt: at }, metadata: {} });
const removedV1 = (key: string) => ({ type: 'SsfSubjectRemoved', data: { streamId, key, removedAt: at }, metadata: {} });

describe('SSF event versions', () => {
  it('name every SSF stream event type, with an upcaster for every step and none beyond; frozen', () => {
    expect(Object.keys(SSF_EVENT_VERSIONS).sort()).toEqual([...SSF_STREAM_EVENT_TYPES].sort());
    for (const [type, current] of Object.entries(SSF_EVENT_VERSIONS)) {
      for (let v = 1; v < current; v++) expect({ type, v, step: typeof SSF_UPCASTERS[type]?.[v] }).toEqual({ type, v, step: 'function' });
      expect(Object.keys(SSF_UPCASTERS[type] ?? {}).map(Number).filter((v) => v >= current)).toEqual([]);
    }
    expect(SSF_EVENT_VERSIONS.SsfSubjectAdded).toBe(2);
    expect(SSF_EVENT_VERSIONS.SsfSubjectRemoved).toBe(2);
    expect([Object.isFrozen(SSF_EVENT_VERSIONS), Object.isFrozen(SSF_UPCASTERS)]).toEqual([true, true]);
  });

  it('given a v1 SsfSubjectAdded, when read, then the user id is apart and the key is gone', () => {
    expect(readSsfStreamEvent(addedV1(alice, 'u:alice\u0000'))).toStrictEqual({ type: 'SsfSubjectAdded', data: { streamId, addedAt: at, userId: 'alice', subject: { format: 'opaque' } } });
    expect(readSsfStreamEvent(addedV1({ format: 'complex', user: alice, application: web }, 'u:alice\u0000c:web')).data).toStrictEqual({
      streamId,
      addedAt: at,
      userId: 'alice',
      subject: { format: 'complex', user: { format: 'opaque' }, application: web },
    });
    expect(readSsfStreamEvent(addedV1({ format: 'complex', application: web }, '\u0000c:web')).data).toStrictEqual({ streamId, addedAt: at, subject: { format: 'complex', application: web } });
  });

  it('given a v1 SsfSubjectRemoved, when read, then its key is the parts it spelled', () => {
    expect(readSsfStreamEvent(removedV1('u:alice\u0000')).data).toStrictEqual({ streamId, removedAt: at, userId: 'alice', userKey: userKey('alice') });
    expect(readSsfStreamEvent(removedV1('u:alice\u0000c:web')).data).toStrictEqual({ streamId, removedAt: at, userId: 'alice', userKey: userKey('alice'), clientId: 'web' });
    expect(readSsfStreamEvent(removedV1('\u0000c:web')).data).toStrictEqual({ streamId, removedAt: at, clientId: 'web' });
    expect(readSsfStreamEvent(removedV1('')).data).toStrictEqual({ streamId, removedAt: at });
  });

  it('given a v2 or an unchanged type, when read, then it is as stored', () => {
    const v2 = { type: 'SsfSubjectAdded', data: { streamId, userId: 'alice', subject: { format: 'opaque' }, addedAt: at }, metadata: { eventVersion: 2 } };
    expect(readSsfStreamEvent(v2)).toStrictEqual({ type: v2.type, data: v2.data });
    const deleted = { type: 'SsfStreamDeleted', data: { streamId, deletedAt: at }, metadata: {} };
    expect(readSsfStreamEvent(deleted)).toStrictEqual({ type: deleted.type, data: deleted.data });
  });

  it('given one this build cannot read, when read, then 503 event_unreadable naming it', () => {
    const newer = { type: 'SsfSubjectAdded', data: {}, metadata: { eventVersion: 3 }, position: 12 };
    expect(() => readSsfStreamEvent(newer)).toThrow(
      new DomainError('event_unreadable', 'unavailable', 'This instance cannot read an event of this stream (position 12, SsfSubjectAdded: newer_version); it needs an upgrade'),
    );
    expect(() => readSsfStreamEvent({ type: 'SsfSomethingElse', data: {}, metadata: {} })).toThrow(expect.objectContaining({ code: 'event_unreadable', category: 'unavailable' }));
  });
});
