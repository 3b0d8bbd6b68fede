import { verifyLedger, VerifyResult } from '@ledger/audit';
import { EventStore, SqliteEventStore } from '@ledger/event-store';
import { CliCommand, CliIo, EXIT, UsageError } from '../cli-command';
import { progressBar } from '../progress-bar';

/** `ledger audit verify [--anchor COUNT:DIGEST] [--json]`: replays the hash chain of every event. */
export const auditVerify: CliCommand = {
  prepare(v) {
    const anchor = v.anchor === undefined ? undefined : parseAnchor(v.anchor);
    return (store, io) => verify(store, io, anchor, !!v.json, !v.quiet);
  },
};

async function verify(store: EventStore, io: CliIo, anchor: { count: number; digest: string } | undefined, json: boolean, progress: boolean): Promise<number> {
  const bar = progressBar(io, progress, 'verify', (await store.headPosition()) + 1);
  const result: VerifyResult = await verifyLedger(store.readAll(), {
    gapFreePositions: store instanceof SqliteEventStore,
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

function parseAnchor(raw: string): { count: number; digest: string } {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(raw);
  if (!m) throw new UsageError('--anchor must be COUNT:DIGEST as printed by a previous verify');
  return { count: Number(m[1]), digest: m[2] };
}
