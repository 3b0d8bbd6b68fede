/**
 * Old data keeps working (issue #17): every golden data directory under test/golden/ (made by an earlier version,
 * views deleted) is started by the current code on a copy, and gives the answers that version gave: introspection
 * of its tokens, lists, history, as-of, the export, and verify. Keep every directory: each must still load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningLedger } from './support/ledger-app';
import { ask, DATA_DIR, EXPORT_FILE, exportText, introspect, verifyStore } from './golden/golden-answers';
import { goldenDirs, goldenLedger } from './golden/golden-ledger';
import { GOLDEN_PUSH_HEADER_SECRET } from './golden/golden-ssf';

/** A raw bearer token or client secret as the service writes them: prefix and 256 bits in base64url. */
const RAW_CREDENTIAL = /(clt|lcs)_[A-Za-z0-9_-]{43}/;

it('there is at least one golden directory', () => {
  expect(goldenDirs.length).toBeGreaterThan(0);
});

describe.each(goldenDirs)('golden directory %s', (name) => {
  const run = goldenLedger(name);
  const { dir, expected } = run;
  let ledger: RunningLedger;
  let raw: Map<string, string>;
  beforeAll(() => ({ ledger, raw } = run));

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
