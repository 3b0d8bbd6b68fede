import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  consentsAsOf,
  eventFromNdjson,
  eventToNdjson,
  ExportFilter,
  exportEvents,
  NdjsonError,
  verifyLedger,
  VerifyResult,
} from '@ledger/audit';
import { CLIENT_ID_PATTERN, CONSENT_ID_PATTERN, USER_ID_PATTERN } from '@ledger/domain';
import { EventStore, EventStoreError, openEventStore, SqliteEventStore, StoredEvent } from '@ledger/event-store';

/** Exit codes, as documented in --help. */
export const EXIT = { ok: 0, verificationFailed: 1, usage: 2, store: 3 } as const;

export const HELP = `ledger audit - replay, verify, export and import the consent ledger

Usage:
  ledger audit replay --user USER --at TIME [--json]
      The user's consents as the ledger stood at TIME (RFC 3339; compared with recordedAt).
  ledger audit verify [--anchor COUNT:DIGEST] [--json]
      Replays the hash chain of every event. Names the first event that was edited, removed or reordered.
      Prints the head anchor (COUNT:DIGEST): record it outside the ledger, and pass it back later with
      --anchor to detect a truncation of the newest events.
  ledger audit export [--from TIME] [--to TIME] [--from-position N] [--to-position N]
                      [--user USER] [--client CLIENT] [--consent CONSENT_ID] > ledger.ndjson
      Writes events as NDJSON, one per line, in log order. Bounds are inclusive; times compare with recordedAt.
  ledger audit import < ledger.ndjson
      Loads an export into an EMPTY store, keeping ids, streams, revisions, data, metadata and (on the embedded
      store) recordedAt. Refuses a store that holds any event.

Store (one of):
  --data-dir DIR           the embedded SQLite store DIR/events.db (default ./data, or LEDGER_DATA_DIR)
  --esdb CONNECTION        EventStoreDB (default: EVENTSTORE_CONNECTION_STRING when set)

Options:
  --quiet                  no progress bar (it is drawn on stderr only when stderr is a terminal)
  -h, --help               this text

Exit codes:
  0  success (verify: the chain holds)
  1  verification failed (verify found a problem)
  2  usage error, or malformed import input
  3  store error (cannot open or read the store, or import into a store that is not empty)
`;

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'data-dir': { type: 'string' },
  esdb: { type: 'string' },
  user: { type: 'string' },
  client: { type: 'string' },
  consent: { type: 'string' },
  at: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'from-position': { type: 'string' },
  'to-position': { type: 'string' },
  anchor: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (error) {
    io.stderr.write(`ledger: ${(error as Error).message}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  const [group, command, ...extra] = positionals;
  if (group !== 'audit' || !command || extra.length > 0 || !['replay', 'verify', 'export', 'import'].includes(command)) {
    io.stderr.write(`ledger: unknown command "${positionals.join(' ')}"\n\n${HELP}`);
    return EXIT.usage;
  }

  let store: EventStore | undefined;
  try {
    const run = prepare(command, values); // usage is checked before the store is opened
    store = await openStore(values, io.env, command === 'import');
    return await run(store, io, values);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`ledger: ${error.message}\n(see ledger --help)\n`);
      return EXIT.usage;
    }
    if (error instanceof NdjsonError) {
      io.stderr.write(`ledger: import input is malformed: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`ledger: store error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.store;
  } finally {
    await store?.close().catch(() => undefined);
  }
}

type Runner = (store: EventStore, io: CliIo, values: Values) => Promise<number>;

function prepare(command: string, v: Values): Runner {
  switch (command) {
    case 'replay': {
      if (!v.user || !USER_ID_PATTERN.test(v.user)) throw new UsageError('replay needs --user with a well-formed user id');
      const at = time(v.at, '--at', true)!;
      return (store, io) => replay(store, io, v.user!, at, !!v.json);
    }
    case 'verify': {
      const anchor = v.anchor === undefined ? undefined : parseAnchor(v.anchor);
      return (store, io) => verify(store, io, anchor, !!v.json, !v.quiet);
    }
    case 'export': {
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
    }
    case 'import':
      return (store, io) => importFrom(store, io, !v.quiet);
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

async function openStore(v: Values, env: NodeJS.ProcessEnv, create: boolean): Promise<EventStore> {
  const esdb = v.esdb ?? (v['data-dir'] === undefined ? env.EVENTSTORE_CONNECTION_STRING?.trim() || undefined : undefined);
  const dataDir = resolve(v['data-dir'] ?? env.LEDGER_DATA_DIR ?? './data');
  return (await openEventStore({ eventStoreConnectionString: esdb, dataDir, create })).store;
}

// --- commands ---------------------------------------------------------------------------------------------------

async function replay(store: EventStore, io: CliIo, userId: string, at: Date, json: boolean): Promise<number> {
  const { consents, position } = await consentsAsOf(store, userId, at);
  const answer = {
    userId,
    asOf: at.toISOString(),
    position,
    consents: consents.map((c) => ({ id: c.consentId, userId: c.userId, clientId: c.clientId, scopes: c.scopes, status: c.status, grantedAt: c.grantedAt, revokedAt: c.revokedAt, revision: c.revision })),
  };
  if (json) io.stdout.write(JSON.stringify(answer) + '\n');
  else {
    io.stdout.write(`Consents of ${userId} as of ${answer.asOf} (ledger up to position ${position}):\n`);
    if (consents.length === 0) io.stdout.write('  none\n');
    for (const c of answer.consents) {
      io.stdout.write(`  ${c.id}  ${c.clientId}  ${c.status}  granted ${c.grantedAt}${c.revokedAt ? `  revoked ${c.revokedAt}` : ''}  scopes: ${c.scopes.join(' ')}\n`);
    }
  }
  return EXIT.ok;
}

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
  for await (const e of exportEvents(store, filter)) {
    pending += eventToNdjson(e);
    if (pending.length >= 64 * 1024) await flush();
    if (++n % 10_000 === 0) bar.update(e.position + 1);
  }
  await flush();
  bar.done();
  io.stderr.write(`exported ${n} events\n`);
  return EXIT.ok;
}

async function importFrom(store: EventStore, io: CliIo, progress: boolean): Promise<number> {
  if ((await store.headPosition()) !== -1) {
    io.stderr.write('ledger: refusing to import: the target store is not empty (import only into an empty store)\n');
    return EXIT.store;
  }
  const sqlite = store instanceof SqliteEventStore ? store : undefined;
  if (!sqlite) io.stderr.write('ledger: note: EventStoreDB assigns its own recorded times; recordedAt is not preserved on import\n');
  const bar = progressBar(io, progress, 'import', 0);
  let batch: StoredEvent[] = [];
  let line = 0;
  let count = 0;
  let lastPosition = -1;
  const write = async () => {
    if (batch.length === 0) return;
    if (sqlite) sqlite.importEvents(batch);
    else await appendRuns(store, batch);
    count += batch.length;
    bar.update(count);
    batch = [];
  };
  for await (const text of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') continue;
    const e = eventFromNdjson(text, line);
    if (e.position <= lastPosition) throw new NdjsonError(line, `position ${e.position} does not follow ${lastPosition}: the export is not in log order`);
    lastPosition = e.position;
    batch.push(e);
    if (batch.length >= 10_000) await write();
  }
  await write();
  bar.done();
  io.stderr.write(`imported ${count} events; run "ledger audit verify" to check the chain\n`);
  return EXIT.ok;
}

/** Through the port: consecutive events of one stream go in one append, checked against their revision. */
async function appendRuns(store: EventStore, events: StoredEvent[]): Promise<void> {
  for (let i = 0; i < events.length; ) {
    let j = i + 1;
    while (j < events.length && events[j].stream === events[i].stream && events[j].revision === events[j - 1].revision + 1) j++;
    const run = events.slice(i, j);
    const first = run[0].revision;
    await store.append(
      run[0].stream,
      run.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
      { expectedRevision: first === 0 ? 'no_stream' : first - 1 },
    );
    i = j;
  }
}

// --- helpers ----------------------------------------------------------------------------------------------------

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function time(raw: string | undefined, flag: string, required = false): Date | undefined {
  if (raw === undefined) {
    if (required) throw new UsageError(`${flag} is required (an RFC 3339 time, e.g. 2026-01-31T23:59:59Z)`);
    return undefined;
  }
  const t = new Date(raw);
  if (!RFC3339.test(raw) || Number.isNaN(t.getTime())) throw new UsageError(`${flag} must be an RFC 3339 time, e.g. 2026-01-31T23:59:59Z`);
  return t;
}

function position(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new UsageError(`${flag} must be a whole number >= 0`);
  return Number(raw);
}

function pattern(raw: string | undefined, re: RegExp, flag: string): string | undefined {
  if (raw !== undefined && !re.test(raw)) throw new UsageError(`${flag} is malformed`);
  return raw;
}

function parseAnchor(raw: string): { count: number; digest: string } {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(raw);
  if (!m) throw new UsageError('--anchor must be COUNT:DIGEST as printed by a previous verify');
  return { count: Number(m[1]), digest: m[2] };
}

/** A progress bar on stderr, drawn only when stderr is a terminal so that logs and pipes stay clean. */
function progressBar(io: CliIo, enabled: boolean, label: string, total: number) {
  const tty = enabled && !!io.stderr.isTTY;
  let last = 0;
  const draw = (n: number) => {
    const width = 30;
    const frac = total > 0 ? Math.min(1, n / total) : 0;
    const filled = Math.round(frac * width);
    const pct = total > 0 ? `${Math.floor(frac * 100)}%`.padStart(4) : '';
    io.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct} ${n}${total > 0 ? `/${total}` : ''} events`);
  };
  return {
    update(n: number) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(n);
    },
    done() {
      if (tty) io.stderr.write('\n');
    },
  };
}

export { EventStoreError };
