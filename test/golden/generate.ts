/**
 * Makes a golden data directory with the code of this checkout:
 *   npm run golden -- <name>
 * It refuses a name that exists: a golden directory, once committed, is never made again (README.md here).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_VERSIONS, SSF_STREAM_EVENT_TYPES } from '@ledger/domain';
import { secretsDirFor, startLedger, tempDataDir } from '../support/ledger-app';
import { goldenPushReceiver } from './golden-ssf';
import { ask, DATA_DIR, goldenSsfSecrets, SSF_SECRET_FILES, goldenKeysCopy, SUBJECT_KEK_FILE, SUBJECT_KEYS_DIR, deriveTokens, EXPECTED_FILE, EXPORT_FILE, exportText, GOLDEN_ROOT, GoldenExpected, goldenEnv, introspect, ready, TOKEN_KEY_FILE, verifyStore } from './golden-answers';
import { runScenario } from './golden-scenario';

// Every type this build reads and writes (the scope owners' too, since dependent consents need them), and the
// Shared Signals streams' (libs/domain/src/ssf), which EVENT_VERSIONS does not list.
const DOMAIN_EVENT_TYPES: readonly string[] = [...Object.keys(EVENT_VERSIONS), ...SSF_STREAM_EVENT_TYPES];
const ISSUER = 'https://ledger.golden.example';
/** What a golden directory keeps of a data directory: the log and node.db; never the views, the lock or a WAL. */
const KEPT = ['events.db', 'node.db'];

async function main(name: string | undefined): Promise<void> {
  if (!name || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) throw new Error('usage: generate.ts <name> (lower case, digits, dashes)');
  const dir = join(GOLDEN_ROOT, name);
  if (existsSync(dir)) throw new Error(`${dir} exists: golden directories are never made again`);
  mkdirSync(join(dir, DATA_DIR), { recursive: true });
  // Published with the directory on purpose (test-only): with it the test re-derives the golden tokens.
  writeFileSync(join(dir, TOKEN_KEY_FILE), randomBytes(32).toString('base64') + '\n');
  // The same for the subject keys: the KEK, and the key store itself beside (never inside) the data directory.
  writeFileSync(join(dir, SUBJECT_KEK_FILE), randomBytes(32).toString('base64') + '\n');
  mkdirSync(join(dir, SUBJECT_KEYS_DIR));

  const made = tempDataDir();
  const receiver = await goldenPushReceiver(ISSUER);
  let ledger = await startLedger({
    dataDir: made.dir,
    env: { ...goldenEnv(dir, ISSUER, join(dir, SUBJECT_KEYS_DIR)), LEDGER_SSF_PUSH_ALLOW: `http://127.0.0.1:${receiver.port}` },
  });
  const { tokens, questions } = await runScenario(ledger, receiver);
  await ledger.close();
  await receiver.stop();
  // The SSF secrets it generated, published beside the directory (test-only), as token-key is.
  for (const file of SSF_SECRET_FILES) copyFileSync(join(secretsDirFor(made.dir), file), join(dir, file));
  for (const kept of [made.dir, join(dir, SUBJECT_KEYS_DIR)]) {
    for (const file of readdirSync(kept)) {
      if (/-(wal|shm|journal)$/.test(file) && statSync(join(kept, file)).size > 0) throw new Error(`${file} was left non-empty at close`);
    }
  }
  for (const file of KEPT) copyFileSync(join(made.dir, file), join(dir, DATA_DIR, file));
  made.remove();

  // The answers, from a copy started on the kept files alone: the views rebuilt from the log, as the test will.
  const copy = tempDataDir();
  for (const file of KEPT) copyFileSync(join(dir, DATA_DIR, file), join(copy.dir, file));
  const clockMs = Date.now() + 1000;
  const keys = goldenKeysCopy(dir);
  goldenSsfSecrets(dir, copy.dir);
  ledger = await startLedger({ dataDir: copy.dir, env: goldenEnv(dir, ISSUER, keys.dir), clock: { now: () => clockMs } });
  await ready(ledger);
  const events = await ledger.events();
  const missing = DOMAIN_EVENT_TYPES.filter((type) => !events.some((e) => e.type === type));
  if (missing.length > 0) throw new Error(`the scenario appends no ${missing.join(', ')}: a golden directory covers every event type`);
  const raw = deriveTokens(dir, tokens, events);
  const { problems, ...verify } = await verifyStore(ledger);
  if (problems.length > 0) throw new Error(`verify: ${JSON.stringify(problems)}`);
  const expected: GoldenExpected = {
    madeBy: `${execFileSync('git', ['rev-parse', 'HEAD']).toString().trim()} on ${new Date().toISOString()}`,
    clockMs,
    issuer: ISSUER,
    tokens,
    questions,
    answers: {},
    introspections: {},
    verify,
  };
  for (const q of questions) expected.answers[q.name] = await ask(ledger, q);
  for (const t of tokens) expected.introspections[t.name] = await introspect(ledger, raw.get(t.name)!);
  writeFileSync(join(dir, EXPORT_FILE), await exportText(ledger));
  await ledger.close();
  copy.remove();
  keys.remove();
  writeFileSync(join(dir, EXPECTED_FILE), JSON.stringify(expected, null, 2) + '\n');
  process.stdout.write(`golden directory ${dir}: ${events.length} events, ${questions.length} questions, ${tokens.length} tokens\n`);
}

main(process.argv[2]).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
