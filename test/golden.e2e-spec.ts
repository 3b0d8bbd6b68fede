/**
 * Old data keeps working (issue #17): every golden data directory under test/golden/ (made by an earlier version,
 * views deleted) is started by the current code on a copy, and gives the answers that version gave: introspection
 * of its tokens, lists, history, as-of, the export, and verify. Keep every directory: each must still load.
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningLedger, startLedger, tempDataDir } from './support/ledger-app';
import {
  ask,
  DATA_DIR,
  deriveTokens,
  EXPECTED_FILE,
  EXPORT_FILE,
  exportText,
  GOLDEN_ROOT,
  GoldenExpected,
  goldenEnv,
  goldenKeysCopy,
  goldenSsfSecrets,
  introspect,
  ready,
  verifyStore,
} from './golden/golden-answers';
import { GOLDEN_PUSH_HEADER_SECRET } from './golden/golden-ssf';

const goldenDirs = readdirSync(GOLDEN_ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(GOLDEN_ROOT, d.name, EXPECTED_FILE)))
  .map((d) => d.name)
  .sort();

/** A raw bearer token or client secret as the service writes them: prefix and 256 bits in base64url. */
const RAW_CREDENTIAL = /(clt|lcs)_[A-Za-z0-9_-]{43}/;

it('there is at least one golden directory', () => {
  expect(goldenDirs.length).toBeGreaterThan(0);
});

describe.each(goldenDirs)('golden directory %s', (name) => {
  const dir = join(GOLDEN_ROOT, name);
  const expected = JSON.parse(readFileSync(join(dir, EXPECTED_FILE), 'utf8')) as GoldenExpected;
  const copy = tempDataDir();
  const keys = goldenKeysCopy(dir);
  let ledger: RunningLedger;
  let raw: Map<string, string>;

  beforeAll(async () => {
    cpSync(join(dir, DATA_DIR), copy.dir, { recursive: true });
    goldenSsfSecrets(dir, copy.dir);
    ledger = await startLedger({ dataDir: copy.dir, env: goldenEnv(dir, expected.issuer, keys.dir), clock: { now: () => expected.clockMs } });
    await ready(ledger);
    raw = deriveTokens(dir, expected.tokens, await ledger.events());
  });
  afterAll(async () => {
    await ledger?.close();
    copy.remove();
    keys.remove();
  });

  it('verifies: the same chain, to the same head', async () => {
    const result = await verifyStore(ledger);
    expect(result.problems).toEqual([]);
    expect({ ok: result.ok, checked: result.checked, streams: result.streams, head: result.head }).toEqual(expected.verify);
  });

  it('exports the same events, byte for byte', async () => {
    expect(await exportText(ledger)).toBe(readFileSync(join(dir, EXPORT_FILE), 'utf8'));
  });

  it('introspects every golden token as it did', async () => {
    // Member for member as then; members added since (`token_use`, when refresh tokens came) are RFC 7662 extensions,
    // which resource services ignore when they do not know them.
    for (const t of expected.tokens) expect({ [t.name]: await introspect(ledger, raw.get(t.name)!) }).toMatchObject({ [t.name]: expected.introspections[t.name] });
    // The golden directory is not a fixture of one answer: some of its tokens live, some ended.
    const actives = Object.values(expected.introspections).map((a) => (a as { body: { active: boolean } }).body.active);
    expect(actives).toContain(true);
    expect(actives).toContain(false);
  });

  it('answers every question as it did: lists, clients, secrets, consents, history, as-of', async () => {
    // Every member answered then is answered the same now; members added since (a list's `nextCursor`, when lists
    // began to page) are compatible additions, as the API's clients must ignore members they do not know.
    for (const q of expected.questions) expect({ [q.name]: await ask(ledger, q) }).toMatchObject({ [q.name]: expected.answers[q.name] });
  });

  it('holds no working token or secret in clear: not in the data directory, the export or the answers', () => {
    const files = readdirSync(join(dir, DATA_DIR)).map((f) => readFileSync(join(dir, DATA_DIR, f)));
    for (const text of [...files.map((b) => b.toString('latin1')), readFileSync(join(dir, EXPORT_FILE), 'utf8'), JSON.stringify(expected)]) {
      expect(text).not.toMatch(RAW_CREDENTIAL);
      // A push stream's authorization_header is sealed under ssf-header-key, which lives outside data-dir.
      expect(text).not.toContain(GOLDEN_PUSH_HEADER_SECRET);
      for (const token of raw.values()) expect(text).not.toContain(token);
    }
  });
});
