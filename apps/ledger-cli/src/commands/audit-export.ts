import { once } from 'node:events';
import { eventToNdjson, ExportFilter, exportEvents } from '@ledger/audit';
import { CLIENT_ID_PATTERN, CONSENT_ID_PATTERN, USER_ID_PATTERN } from '@ledger/domain';
import { EventStore } from '@ledger/event-store';
import { CliCommand, CliIo, EXIT } from '../cli-command';
import { pattern, position, time } from '../flags';
import { progressBar } from '../progress-bar';
import { NO_KEYS_NOTE, openSubjectKeys } from '../subject-keys';

/** `ledger audit export [filters] > ledger.ndjson`: events as NDJSON, one per line, in log order. */
export const auditExport: CliCommand = {
  prepare(v) {
    const filter: ExportFilter = {
      from: time(v.from, '--from'),
      to: time(v.to, '--to'),
      fromPosition: position(v['from-position'], '--from-position'),
      toPosition: position(v['to-position'], '--to-position'),
      userId: pattern(v.user, USER_ID_PATTERN, '--user'),
      clientId: pattern(v.client, CLIENT_ID_PATTERN, '--client'),
      consentId: pattern(v.consent, CONSENT_ID_PATTERN, '--consent'),
    };
    return (store, io) => exportTo(store, io, filter, !v.quiet);
  },
};

async function exportTo(store: EventStore, io: CliIo, filter: ExportFilter, progress: boolean): Promise<number> {
  const head = await store.headPosition();
  const bar = progressBar(io, progress, 'export', head + 1);
  let pending = '';
  let n = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const ok = io.stdout.write(pending);
    pending = '';
    // Back-pressure: do not read further until the consumer has taken what was written.
    if (!ok) await once(io.stdout, 'drain');
  };
  // Exported as stored; a user is matched on what the sealed fields say, when the key store is at hand.
  const keys = filter.userId ? openSubjectKeys(io.env) : undefined;
  if (filter.userId && !keys) io.stderr.write(NO_KEYS_NOTE);
  const opened = keys?.open(store);
  for await (const e of exportEvents(store, filter, opened && ((x) => opened.open(x)))) {
    pending += eventToNdjson(e);
    if (pending.length >= 64 * 1024) await flush();
    if (++n % 10_000 === 0) bar.update(e.position + 1);
  }
  await flush();
  keys?.close();
  bar.done();
  io.stderr.write(`exported ${n} events\n`);
  return EXIT.ok;
}
