import type { StoredEvent } from '@ledger/event-store';
import { GENESIS_LINK, linkEvents } from './chain';
import { verifyLedger } from './verify';

/** A small valid ledger: two streams, interleaved in the log. */
function ledger(): StoredEvent[] {
  const streams: Record<string, { revision: number; link: string }> = {};
  const plan = ['s-a', 's-b', 's-a', 's-a', 's-b', 's-a'];
  return plan.map((stream, position) => {
    const cursor = (streams[stream] ??= { revision: -1, link: GENESIS_LINK });
    const draft = { id: `e${position}`, type: 'Something', data: { n: position }, metadata: { actor: 't', correlationId: `c${position}` } };
    const { events, lastLink } = linkEvents(stream, cursor.revision + 1, cursor.link, [draft]);
    cursor.revision += 1;
    cursor.link = lastLink;
    return { ...events[0], stream, revision: cursor.revision, position, recordedAt: new Date(position * 1000).toISOString() };
  });
}

async function* iterate(events: StoredEvent[]) {
  yield* events;
}

const verify = (events: StoredEvent[], options = {}) => verifyLedger(iterate(events), { gapFreePositions: true, ...options });

describe('verifyLedger', () => {
  it('accepts an untouched ledger and reports its head', async () => {
    const result = await verify(ledger());
    expect(result).toMatchObject({ ok: true, checked: 6, streams: 2, problems: [], head: { count: 6, position: 5 } });
  });

  it('names an edited event, and only that one', async () => {
    const events = ledger();
    events[3] = { ...events[3], data: { n: 99 } };
    const result = await verify(events);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'altered', position: 3, stream: 's-a', revision: 2, id: 'e3' })]);
  });

  it('names a removed event by the hole in positions and in its stream', async () => {
    const events = ledger();
    events.splice(2, 1);
    const [first, second] = (await verify(events)).problems;
    expect(first).toMatchObject({ kind: 'missing_position', position: 3 });
    expect(first.message).toContain('position 2 is missing');
    expect(first.message).toContain('stream s-a, revision 1');
    expect(second).toMatchObject({ kind: 'missing_revision', stream: 's-a', revision: 2 });
  });

  it('names a reordered pair of events of one stream', async () => {
    const events = ledger();
    // positions swapped between revisions 1 and 2 of s-a
    [events[2], events[3]] = [{ ...events[3], position: 2 }, { ...events[2], position: 3 }];
    const [first] = (await verify(events)).problems;
    expect(first).toMatchObject({ kind: 'reordered', position: 2, stream: 's-a', revision: 2 });
  });

  it('reports a stripped link', async () => {
    const events = ledger();
    events[1] = { ...events[1], metadata: { actor: 't', correlationId: 'c1' } };
    expect((await verify(events)).problems[0]).toMatchObject({ kind: 'missing_link', position: 1 });
  });

  it('with an anchor, detects that the newest events were cut off', async () => {
    const full = await verify(ledger());
    const anchor = { count: full.head.count, digest: full.head.digest };
    expect((await verify(ledger(), { anchor })).ok).toBe(true);
    const truncated = await verify(ledger().slice(0, 4), { anchor });
    expect(truncated.problems).toEqual([expect.objectContaining({ kind: 'anchor_mismatch' })]);
  });

  it('does not expect gap-free positions from a store that does not promise them', async () => {
    const events = ledger().map((e) => ({ ...e, position: e.position * 10 }));
    expect((await verify(events, { gapFreePositions: false })).ok).toBe(true);
  });
});
