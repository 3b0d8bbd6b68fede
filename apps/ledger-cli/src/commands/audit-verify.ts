import { verifyLedger, VerifyResult } from '@ledger/audit';
import { EventStore, SqliteEventStore } from '@ledger/event-store';
import { CliCommand, CliIo, EXIT, UsageError } from '../cli-command';
import { progressBar } from '../progress-bar';

/** `ledger audit verify [--anchor COUNT:DIGEST] [--recorded-at-tolerance SECONDS|off] [--json]`: replays the hash chain of every event. */
export const auditVerify: CliCommand = {
  prepare(v) {
    const anchor = v.anchor === undefined ? undefined : parseAnchor(v.anchor);
    const toleranceMs = parseTolerance(v['recorded-at-tolerance']);
    return (store, io) => verify(store, io, { anchor, toleranceMs, json: !!v.json, progress: !v.quiet });
  },
};

interface VerifyFlags {
  anchor?: { count: number; digest: string };
  toleranceMs?: number;
  json: boolean;
  progress: boolean;
}

async function verify(store: EventStore, io: CliIo, { anchor, toleranceMs, json, progress }: VerifyFlags): Promise<number> {
  const bar = progressBar(io, progress, 'verify', (await store.headPosition()) + 1);
  const embedded = store instanceof SqliteEventStore;
  const result: VerifyResult = await verifyLedger(store.readAll(), {
    gapFreePositions: embedded,
    // The embedded store's single writer never lets recordedAt decrease; EventStoreDB's leader clock may.
    recordedAtNeverDecreases: embedded,
    recordedAtToleranceMs: toleranceMs,
    anchor,
    onProgress: (_position, checked) => bar.update(checked),
  });
  bar.done();
  if (json) io.stdout.write(JSON.stringify(result) + '\n');
  else {
    io.stdout.write(`Checked ${result.checked} events in ${result.streams} streams.\n`);
    if (result.ok) io.stdout.write('OK: every hash-chain link holds.\n');
    else {
      const [first, ...rest] = result.problems;
      io.stdout.write(`FAILED: ${first.kind}: ${first.message}\n`);
      if (first.position !== undefined) {
        io.stdout.write(`  first event affected: position ${first.position}, stream ${first.stream}, revision ${first.revision}, id ${first.id}, type ${first.type}\n`);
      }
      for (const p of rest) io.stdout.write(`  also: ${p.kind} at position ${p.position ?? '-'} (${p.stream ?? '-'} r${p.revision ?? '-'}): ${p.message}\n`);
    }
    io.stdout.write(`Head anchor (record it outside the ledger): ${result.head.count}:${result.head.digest}\n`);
  }
  return result.ok ? EXIT.ok : EXIT.verificationFailed;
}

function parseTolerance(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'off') return Infinity;
  if (!/^\d{1,9}$/.test(raw)) throw new UsageError('--recorded-at-tolerance must be a whole number of seconds, or off');
  return Number(raw) * 1000;
}

function parseAnchor(raw: string): { count: number; digest: string } {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(raw);
  if (!m) throw new UsageError('--anchor must be COUNT:DIGEST as printed by a previous verify');
  return { count: Number(m[1]), digest: m[2] };
}
