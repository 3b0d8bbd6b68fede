/** The text of --help, printed after a parse error too; the exit codes listed here are EXIT in cli-command.ts. */
export const HELP = `ledger audit - replay, verify, export and import the consent ledger

Usage:
  ledger audit replay --user USER --at TIME [--json]
      The user's consents as the ledger stood at TIME (RFC 3339; compared with each command's own time, which
      the hash chain covers, not with recordedAt).
  ledger audit verify [--anchor COUNT:DIGEST] [--recorded-at-tolerance SECONDS|off] [--json]
      Replays the hash chain of every event. Names the first event that was edited, removed or reordered,
      and any event whose recordedAt was moved: further than SECONDS (default 60) from its command's chained
      time, or (embedded store) earlier than the event before it. "off" skips the distance check (after an
      import into EventStoreDB, which records the import's time).
      Prints the head anchor (COUNT:DIGEST): record it outside the ledger, and pass it back later with
      --anchor to detect a truncation of the newest events.
  ledger audit export [--from TIME] [--to TIME] [--from-position N] [--to-position N]
                      [--user USER] [--client CLIENT] [--consent CONSENT_ID] > ledger.ndjson
      Writes events as NDJSON, one per line, in log order. Bounds are inclusive; times compare with recordedAt.
  ledger audit import < ledger.ndjson
      Loads an export into an EMPTY store, keeping ids, streams, revisions, data, metadata and (on the embedded
      store) recordedAt. Refuses a store that holds any event, and a data directory a running ledger holds.

Store (one of):
  --data-dir DIR           the embedded SQLite store DIR/events.db (default ./data, or LEDGER_DATA_DIR)
  --esdb CONNECTION        EventStoreDB (default: EVENTSTORE_CONNECTION_STRING when set)

Subject keys (docs/privacy.md): personal fields are stored sealed. replay and export --user open them with the
service's key store when LEDGER_SECRETS_DIR (or LEDGER_SUBJECT_KEYS_DIR, with LEDGER_SUBJECT_KEK) names it;
without it only events stored before sealing can match a user. verify, import and export need no key.

Options:
  --quiet                  no progress bar (it is drawn on stderr only when stderr is a terminal)
  -h, --help               this text

Exit codes:
  0  success (verify: the chain holds)
  1  verification failed (verify found a problem)
  2  usage error, or malformed import input
  3  store error (cannot open or read the store, or import into a store that is not empty)
  4  import: the data directory is in use by a running ledger (or another import)
`;
