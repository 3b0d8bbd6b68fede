import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORED_EVENT_STORE, verifyLedger } from '@ledger/audit';
import { waitUntil } from '@ledger/testing';
import { EventStore, StoredEvent } from '@ledger/event-store';
import { parseTokenKey } from '../../apps/ledger/src/infrastructure/token-key';
import { TokenMinter } from '../../apps/ledger/src/infrastructure/token-minter';
import { RunningLedger, TEST_KEYS } from '../support/ledger-app';

/**
 * The layout of one golden directory, test/golden/<name>/ (README.md there says why each file is where it is):
 *   data-dir/         the data directory as that version left it, views deleted (events.db, node.db)
 *   token-key         the published, test-only LEDGER_TOKEN_KEY it ran with: outside data-dir, as in production
 *   subject-kek       (since sealing) the published, test-only LEDGER_SUBJECT_KEK: outside data-dir, as in production
 *   subject-keys/     (since sealing) the subject key store it ran with (LEDGER_SUBJECT_KEYS_DIR), outside data-dir
 *   expected.json     the questions, with the answers that version gave (GoldenExpected)
 *   export.ndjson     GET /v1/audit/events, byte for byte
 * The questions live in the directory, not in code: an old directory keeps asking what was true of its own data.
 */
export const GOLDEN_ROOT = join(__dirname);
export const DATA_DIR = 'data-dir';
export const TOKEN_KEY_FILE = 'token-key';
export const EXPECTED_FILE = 'expected.json';
export const EXPORT_FILE = 'export.ndjson';
export const SUBJECT_KEK_FILE = 'subject-kek';
export const SUBJECT_KEYS_DIR = 'subject-keys';

/** A read over HTTP, as the audit role for /v1/audit, else as admin. */
export interface GoldenQuestion {
  name: string;
  path: string;
}

/** A token named by its id and what derives it (with the nonce its TokenIssued records); never by its value. */
export interface GoldenToken {
  name: string;
  tokenId: string;
  idempotencyKey: string;
}

export interface GoldenExpected {
  /** What the service was made by, for people: the commit and the date. */
  madeBy: string;
  /** The clock (epoch ms) the answers were taken at: introspection's expiry and a secret's status read it. */
  clockMs: number;
  /** The issuer the service ran with: the `iss` of introspection answers. */
  issuer: string;
  tokens: GoldenToken[];
  questions: GoldenQuestion[];
  answers: Record<string, { status: number; body: unknown }>;
  introspections: Record<string, unknown>;
  verify: { ok: boolean; checked: number; streams: number; head: { count: number; digest: string } };
}

/** The env a golden service runs with, at generation and in the test alike. */
export function goldenEnv(dir: string, issuer: string, subjectKeysDir?: string): Record<string, string> {
  const sealed = existsSync(join(dir, SUBJECT_KEK_FILE))
    ? { LEDGER_SUBJECT_KEK: readFileSync(join(dir, SUBJECT_KEK_FILE), 'utf8').trim(), ...(subjectKeysDir ? { LEDGER_SUBJECT_KEYS_DIR: subjectKeysDir } : {}) }
    : {};
  return { LEDGER_TOKEN_KEY: readFileSync(join(dir, TOKEN_KEY_FILE), 'utf8').trim(), LEDGER_ISSUER: issuer, ...sealed };
}

/**
 * A copy of a golden directory's subject key store, for a service to run on (it writes to its key store; the committed
 * one stays as it was made). Directories made before sealing have none: the service then makes an empty one.
 */
export function goldenKeysCopy(dir: string): { dir: string; remove(): void } {
  const copy = mkdtempSync(join(tmpdir(), 'ledger-golden-keys-'));
  if (existsSync(join(dir, SUBJECT_KEYS_DIR))) cpSync(join(dir, SUBJECT_KEYS_DIR), copy, { recursive: true });
  return { dir: copy, remove: () => rmSync(copy, { recursive: true, force: true }) };
}

/**
 * Re-derives each golden token: the actor and the nonce come from its TokenIssued in the log, the key from the
 * golden directory's token-key (outside its data directory). A derived id that is not the recorded one is a failure
 * of the golden directory, said as such, not a silently inactive answer.
 */
export function deriveTokens(dir: string, tokens: GoldenToken[], events: StoredEvent[]): Map<string, string> {
  const minter = new TokenMinter(parseTokenKey(readFileSync(join(dir, TOKEN_KEY_FILE), 'utf8'), 'golden token-key'));
  const issued = new Map(events.filter((e) => e.type === 'TokenIssued').map((e) => [e.data.tokenId as string, e]));
  const raw = new Map<string, string>();
  for (const t of tokens) {
    const event = issued.get(t.tokenId);
    const nonce = (event?.data.idempotency as { nonce?: string } | undefined)?.nonce;
    if (!event || !nonce) throw new Error(`golden token ${t.name}: no TokenIssued with a nonce for ${t.tokenId}`);
    const minted = minter.derive(String(event.metadata.actor), t.idempotencyKey, nonce);
    if (minted.tokenId !== t.tokenId) throw new Error(`golden token ${t.name}: derives ${minted.tokenId}, the log says ${t.tokenId}`);
    raw.set(t.name, minted.raw);
  }
  return raw;
}

export async function ask(ledger: RunningLedger, q: GoldenQuestion): Promise<{ status: number; body: unknown }> {
  const client = ledger.asRole(q.path.startsWith('/v1/audit/') ? 'audit' : 'admin');
  const res = await client.get(q.path);
  return { status: res.status, body: res.body };
}

export async function introspect(ledger: RunningLedger, raw: string): Promise<unknown> {
  const res = await ledger.asRole('introspect').form('/v1/oauth2/introspect', { token: raw });
  return { status: res.status, body: res.body };
}

export async function exportText(ledger: RunningLedger): Promise<string> {
  const res = await fetch(`${ledger.url}/v1/audit/events`, { headers: { authorization: `Bearer ${TEST_KEYS.audit.secret}` } });
  if (res.status !== 200) throw new Error(`export: ${res.status}`);
  return res.text();
}

/** What `ledger audit verify` checks on the embedded store (apps/ledger-cli/src/commands/audit-verify.ts). */
export async function verifyStore(ledger: RunningLedger): Promise<GoldenExpected['verify'] & { problems: unknown[] }> {
  // The log as stored: the chain covers sealed fields as they are (docs/privacy.md).
  const result = await verifyLedger(ledger.app.get<EventStore>(STORED_EVENT_STORE).readAll(), { gapFreePositions: true, recordedAtNeverDecreases: true });
  return { ok: result.ok, checked: result.checked, streams: result.streams, head: result.head, problems: result.problems };
}

/** The views are rebuilt from the log at start; the answers are read once the instance says it is ready. */
export async function ready(ledger: RunningLedger): Promise<void> {
  await waitUntil(async () => (await ledger.http.get('/health/ready')).status === 200, { what: 'the golden service ready', timeoutMs: 30_000 });
}
