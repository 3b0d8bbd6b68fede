import type { StoredEvent } from '@ledger/event-store';
import { chainLink, GENESIS_LINK, LedgerDigest, linkEvents } from './chain';
import { ChainProblem, verifyLedger, VerifyOptions } from './verify';

/**
 * verifyLedger on logs that do NOT hold: each case names the exact problems an auditor is shown, and that `ok` is
 * false. Logs are built through linkEvents, as the ChainedEventStore builds them; `data` lets a case rewrite an
 * event's content BEFORE it is linked, as someone who recomputes the links would.
 */
function build(plan: string[], data: (position: number) => Record<string, unknown> = (position) => ({ n: position })): StoredEvent[] {
  const streams: Record<string, { revision: number; link: string }> = {};
  return plan.map((stream, position) => {
    const cursor = (streams[stream] ??= { revision: -1, link: GENESIS_LINK });
    const draft = { id: `e${position}`, type: 'Something', data: data(position), metadata: { actor: 't', correlationId: `c${position}` } };
    const { events, lastLink } = linkEvents(stream, cursor.revision + 1, cursor.link, [draft]);
    cursor.revision += 1;
    cursor.link = lastLink;
    return { ...events[0], stream, revision: cursor.revision, position, recordedAt: new Date(position * 1000).toISOString() };
  });
}

/** s-a: revisions 0-3 at positions 0, 2, 3, 5; s-b: revisions 0-1 at positions 1, 4. */
const PLAN = ['s-a', 's-b', 's-a', 's-a', 's-b', 's-a'];

async function* iterate(events: StoredEvent[]) {
  yield* events;
}
/** An event moved to another position, with the recordedAt an honest store would have given it there. */
const movedTo = (e: StoredEvent, position: number): StoredEvent => ({ ...e, position, recordedAt: new Date(position * 1000).toISOString() });
const verify = (events: StoredEvent[], options: Partial<VerifyOptions> = {}) => verifyLedger(iterate(events), { gapFreePositions: true, ...options });

/** Where a problem shows, as verify reports it. */
const at = (e: StoredEvent) => ({ position: e.position, stream: e.stream, revision: e.revision, id: e.id, type: e.type });
const problem = (kind: ChainProblem['kind'], message: string, e?: StoredEvent): ChainProblem => ({ kind, message, ...(e ? at(e) : {}) });

describe('verifyLedger on a log that does not hold', () => {
  it('says ok: false, with the one problem, when an event was edited', async () => {
    const events = build(PLAN);
    events[4] = { ...events[4], data: { n: 99 } };
    const result = await verify(events);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([problem('altered', 'the event does not match its chain link: it was edited after it was appended', events[4])]);
    expect(result).toMatchObject({ checked: 6, streams: 2, head: { count: 6, position: 5 } });
  });

  it('reports a repeated global position as a reorder', async () => {
    const events = build(PLAN);
    events[5] = { ...events[5], position: 4 };
    const result = await verify(events);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([problem('reordered', 'position 4 comes after position 4 in the log', events[5])]);
    expect(result.head.position).toBe(4);
  });

  it('reports a position that goes backwards, and keeps the highest position as the head', async () => {
    const events = build(PLAN);
    events[4] = { ...events[4], position: 1 };
    const result = await verify(events, { gapFreePositions: false });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([problem('reordered', 'position 1 comes after position 3 in the log', events[4])]);
    expect(result.head.position).toBe(5);
  });

  it('on a gap-free store, a backwards position leaves the next one looking like a hole', async () => {
    const events = build(PLAN);
    events[4] = { ...events[4], position: 1 };
    expect((await verify(events)).problems).toEqual([
      problem('reordered', 'position 1 comes after position 3 in the log', events[4]),
      problem('missing_position', 'position 4 is missing: event(s) deleted before this one', events[5]),
    ]);
  });

  it('reports a revision that appears twice', async () => {
    const events = build(PLAN);
    const again = { ...events[5], position: 6 };
    const result = await verify([...events, again]);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([problem('reordered', 's-a revision 3 appears after revision 3', again)]);
    expect(result.checked).toBe(7);
  });

  it('names the range of deleted positions and revisions, and which stream the hole belongs to', async () => {
    const events = build(PLAN);
    const kept = [events[0], events[1], events[4], events[5]];
    expect((await verify(kept)).problems).toEqual([
      problem('missing_position', 'positions 2-3 are missing: event(s) deleted before this one (the missing event is from stream s-a, revision 1)', events[4]),
      problem('missing_revision', 's-a jumps from revision 0 to 3: revisions 1-2 were deleted', events[5]),
    ]);
  });

  it('attributes a hole to the first stream found jumping across it, once', async () => {
    const events = build(['s-a', 's-b', 's-a', 's-b', 's-a', 's-b']);
    const kept = [events[0], events[1], events[4], events[5]];
    expect((await verify(kept)).problems).toEqual([
      problem('missing_position', 'positions 2-3 are missing: event(s) deleted before this one (the missing event is from stream s-a, revision 1)', events[4]),
      problem('missing_revision', 's-a jumps from revision 0 to 2: revision 1 was deleted', events[4]),
      problem('missing_revision', 's-b jumps from revision 0 to 2: revision 1 was deleted', events[5]),
    ]);
  });

  it('does not attribute a hole to a stream whose own events lie after it', async () => {
    // s-b's only event (position 1) and s-a's revision 2 (position 3) are deleted.
    const events = build(['s-a', 's-b', 's-a', 's-a', 's-a']);
    const kept = [events[0], events[2], events[4]];
    expect((await verify(kept)).problems).toEqual([
      problem('missing_position', 'position 1 is missing: event(s) deleted before this one', events[2]),
      problem('missing_position', 'position 3 is missing: event(s) deleted before this one (the missing event is from stream s-a, revision 2)', events[4]),
      problem('missing_revision', 's-a jumps from revision 1 to 3: revision 2 was deleted', events[4]),
    ]);
  });

  it('attributes a hole at the very start of the log to the stream that jumps across it', async () => {
    const events = build(['s-b', 's-a', 's-b']);
    expect((await verify([events[1], events[2]])).problems).toEqual([
      problem('missing_position', 'position 0 is missing: event(s) deleted before this one (the missing event is from stream s-b, revision 0)', events[1]),
      problem('missing_revision', 's-b jumps from revision -1 to 1: revision 0 was deleted', events[2]),
    ]);
  });

  it('does not take a repeat of a revision below the jump for the missing one', async () => {
    const events = build(['s-a', 's-a', 's-a', 's-a']);
    const again = { ...events[0], position: 2 };
    expect((await verify([events[0], { ...events[3], position: 1 }, again], { gapFreePositions: false })).problems).toEqual([
      problem('missing_revision', 's-a jumps from revision 0 to 3: revisions 1-2 were deleted', { ...events[3], position: 1 }),
      problem('reordered', 's-a revision 0 appears after revision 3', again),
    ]);
  });

  it('does not take a repeat of the revision after the jump for the missing one', async () => {
    const events = build(['s-a', 's-a', 's-a']);
    const log = [events[0], { ...events[2], position: 1 }, { ...events[2], position: 2 }];
    expect((await verify(log)).problems).toEqual([
      problem('missing_revision', 's-a jumps from revision 0 to 2: revision 1 was deleted', log[1]),
      problem('reordered', 's-a revision 2 appears after revision 2', log[2]),
    ]);
  });

  it('keeps checking a stream against the first event of a revision, not a forged repeat of it', async () => {
    const events = build(['s-a', 's-a', 's-a']);
    const forged = { ...events[1], position: 2, id: 'forged', data: { n: 'forged' }, metadata: { ...events[1].metadata, chain: 'f'.repeat(64) } };
    const log = [events[0], events[1], forged, { ...events[2], position: 3 }];
    expect((await verify(log)).problems).toEqual([problem('reordered', 's-a revision 1 appears after revision 1', forged)]);
  });

  it('turns a jump into a reorder when the missing revision shows up later, and then checks the chain on', async () => {
    const events = build(PLAN);
    const log = [events[0], events[1], movedTo(events[3], 2), movedTo(events[2], 3), events[4], events[5]];
    const result = await verify(log);
    expect(result.problems).toEqual([problem('reordered', 's-a revision 2 appears in the log before revision 1 (events reordered)', log[2])]);
  });

  it('explains a jump by a late revision only once', async () => {
    const events = build(['s-a', 's-a', 's-a', 's-a']);
    const log = [events[0], movedTo(events[3], 1), movedTo(events[1], 2), movedTo(events[2], 3)];
    expect((await verify(log)).problems).toEqual([
      problem('reordered', 's-a revision 3 appears in the log before revision 1 (events reordered)', log[1]),
      problem('reordered', 's-a revision 2 appears after revision 3', log[3]),
    ]);
  });

  it('reports a replaced link as an edit', async () => {
    const events = build(PLAN);
    events[5] = { ...events[5], metadata: { ...events[5].metadata, chain: 'f'.repeat(64) } };
    expect((await verify(events)).problems).toEqual([problem('altered', 'the event does not match its chain link: it was edited after it was appended', events[5])]);
  });

  it('checks the event after an unlinked one against the genesis link, as the chain restarts there', async () => {
    // An event written before the chain existed, then one linked afresh from the genesis link (chained-event-store.ts).
    const legacy: StoredEvent = { id: 'old', type: 'Something', stream: 's-a', revision: 0, position: 0, recordedAt: new Date(0).toISOString(), data: {}, metadata: { actor: 't', correlationId: 'c' } };
    const draft = { id: 'new', type: 'Something', data: { n: 1 }, metadata: { actor: 't', correlationId: 'c1' } };
    const [linked] = linkEvents('s-a', 1, GENESIS_LINK, [draft]).events;
    const next: StoredEvent = { ...linked, stream: 's-a', revision: 1, position: 1, recordedAt: new Date(1000).toISOString() };
    const result = await verify([legacy, next]);
    expect(result.problems).toEqual([problem('missing_link', 'the event carries no chain link in metadata.chain', legacy)]);
    // The digest counts the unlinked event as the genesis link.
    const digest = new LedgerDigest();
    digest.add(GENESIS_LINK);
    digest.add(chainLink(GENESIS_LINK, next));
    expect(result.head).toEqual({ count: 2, position: 1, digest: digest.value });
  });

  describe('against an anchor recorded earlier', () => {
    /** The same log with s-a's revision 1 rewritten and s-a re-linked from there: the chain alone holds. */
    const rewritten = () => build(PLAN, (position) => (position === 2 ? { n: 'rewritten' } : { n: position }));
    const anchorOf = async (events: StoredEvent[]) => {
      const { head } = await verify(events);
      return { count: head.count, digest: head.digest };
    };

    it('the rewritten log is a valid chain on its own', async () => {
      expect((await verify(rewritten())).ok).toBe(true);
    });

    it('detects a rewritten prefix of the same length by its digest', async () => {
      const anchor = await anchorOf(build(PLAN));
      const events = rewritten();
      const result = await verify(events, { anchor });
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([problem('anchor_mismatch', 'the first 6 events do not match the recorded anchor digest', events[5])]);
    });

    it('detects it against an anchor of a shorter prefix, at the anchor’s last event', async () => {
      const anchor = await anchorOf(build(PLAN).slice(0, 4));
      const events = rewritten();
      expect((await verify(events, { anchor })).problems).toEqual([
        problem('anchor_mismatch', 'the first 4 events do not match the recorded anchor digest', events[3]),
      ]);
    });

    it('accepts a log that has grown since an anchor of its untouched prefix', async () => {
      const anchor = await anchorOf(build(PLAN).slice(0, 2));
      expect((await verify(rewritten(), { anchor })).problems).toEqual([]);
    });

    it('names how many events a truncated log lost', async () => {
      const anchor = await anchorOf(build(PLAN));
      const result = await verify(build(PLAN).slice(0, 4), { anchor });
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([problem('anchor_mismatch', 'the log holds 4 events but the anchor recorded 6: the newest events were removed')]);
    });
  });

  describe('bounds', () => {
    const stripped = (n: number) => build(Array.from({ length: n }, () => 's-a')).map((e) => ({ ...e, metadata: { actor: 't', correlationId: 'c' } }));

    it('collects at most 100 problems by default, and still scans to the head', async () => {
      const result = await verify(stripped(101));
      expect(result.problems).toHaveLength(100);
      expect(result).toMatchObject({ ok: false, checked: 101, head: { count: 101, position: 100 } });
    });

    it('collects at most maxProblems, and still scans to the head', async () => {
      const result = await verify(stripped(6), { maxProblems: 2 });
      expect(result.problems.map((p) => p.position)).toEqual([0, 1]);
      expect(result).toMatchObject({ ok: false, checked: 6 });
    });

    it('reports progress every 10,000 events', async () => {
      // Unlinked events, so that no hashing slows the scan down: progress is about the count, not the outcome.
      const events: StoredEvent[] = Array.from({ length: 10_001 }, (_, i) => ({
        id: `e${i}`, type: 'Something', stream: 's-a', revision: i, position: i, recordedAt: new Date(0).toISOString(), data: {}, metadata: { actor: 't', correlationId: 'c' },
      }));
      const progress: Array<[number, number]> = [];
      await verify(events, { onProgress: (position, checked) => progress.push([position, checked]) });
      expect(progress).toEqual([[9999, 10_000]]);
    });

    it('needs no progress callback', async () => {
      const events: StoredEvent[] = Array.from({ length: 10_000 }, (_, i) => ({
        id: `e${i}`, type: 'Something', stream: 's-a', revision: i, position: i, recordedAt: new Date(0).toISOString(), data: {}, metadata: { actor: 't', correlationId: 'c' },
      }));
      expect((await verify(events)).checked).toBe(10_000);
    });
  });
});
