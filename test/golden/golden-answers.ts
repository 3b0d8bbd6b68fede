import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORED_EVENT_STORE, verifyLedger } from '@ledger/audit';
import { waitUntil } from '@ledger/testing';
import { EventStore, StoredEvent } from '@ledger/event-store';
import { parseTokenKey } from '../../apps/ledger/src/infrastructure/token-key';
import { TokenMinter } from '../../apps/ledger/src/infrastructure/token-minter';
import { httpClient, RunningLedger, secretsDirFor, TEST_API_KEYS, TEST_KEYS } from '../support/ledger-app';

/**
 * The layout of one golden directory, test/golden/<name>/ (README.md there says why each file is where it is):
 *   data-dir/         the data directory as that version left it, views deleted (events.db, node.db)
 *   token-key         the published, test-only LEDGER_TOKEN_KEY it ran with: outside data-dir, as in production
 *   subject-kek       (since sealing) the published, test-only LEDGER_SUBJECT_KEK: outside data-dir, as in production
 *   subject-keys/     (since sealing) the subject key store it ran with (LEDGER_SUBJECT_KEYS_DIR), outside data-dir
 *   ssf-signing-key.pem, ssf-header-key  (since SSF) the published, test-only SET signing key and push header key it ran
 *                     with (LEDGER_SECRETS_DIR's files): outside data-dir, copied into the service's secrets directory
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
/** The secrets a service reading SSF streams needs: the SET signing key (SETs are signed again at each poll or push), and the key that opens a push stream's sealed authorization_header. */
export const SSF_SECRET_FILES = ['ssf-signing-key.pem', 'ssf-header-key'];
/** The golden Shared Signals receiver (an API key of role receiver): test-only, like TEST_KEYS. */
export const GOLDEN_RECEIVER = { name: 'golden-partner', secret: 'golden-partner-receiver-secret-0123456789' };
const GOLDEN_RECEIVERS = `${GOLDEN_RECEIVER.name}=golden-web|golden-cli|golden-app`;

/** A read over HTTP, as the audit role for /v1/audit, else as admin. */
export interface GoldenQuestion {
  name: string;
  path: string;
  /** (since SSF) asked as the golden receiver, for the SSF routes a receiver sees only its own streams on. */
  as?: 'receiver';
  /** (since SSF) a POST that appends nothing: an RFC 8936 poll with no ack, returnImmediately. */
  post?: Record<string, unknown>;
  /**
   * (since SSF) an answer that rests on log positions recorded inside events (an SSF stream's acknowledgements name
   * SETs by position), which a migration to another store does not translate: asked on the store it was made on only.
   */
  storeBound?: true;
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
  // The receiver and its entitlement are configuration, the same for every directory (one made before SSF has no stream).
  return {
    LEDGER_TOKEN_KEY: readFileSync(join(dir, TOKEN_KEY_FILE), 'utf8').trim(),
    LEDGER_ISSUER: issuer,
    LEDGER_API_KEYS: `${TEST_API_KEYS},${GOLDEN_RECEIVER.name}:receiver:${GOLDEN_RECEIVER.secret}`,
    LEDGER_SSF_RECEIVERS: GOLDEN_RECEIVERS,
    ...sealed,
  };
}

/**
 * Puts a golden directory's SSF secrets (since SSF) into the secrets directory a service on `dataDir` will use, as a
 * restore of the secrets backup would: 0700 directory, 0600 files. A directory made before SSF has none, and the
 * service generates them.
 */
export function goldenSsfSecrets(dir: string, dataDir: string): void {
  const secrets = secretsDirFor(dataDir);
  for (const file of SSF_SECRET_FILES) {
    if (!existsSync(join(dir, file))) continue;
    mkdirSync(secrets, { recursive: true, mode: 0o700 });
    copyFileSync(join(dir, file), join(secrets, file));
    chmodSync(join(secrets, file), 0o600);
  }
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
  const client =
    q.as === 'receiver' ? httpClient(ledger.url, { authorization: `Bearer ${GOLDEN_RECEIVER.secret}` }) : ledger.asRole(q.path.startsWith('/v1/audit/') ? 'audit' : 'admin');
  const res = q.post ? await client.post(q.path, q.post) : await client.get(q.path);
  return { status: res.status, body: q.path.startsWith('/v1/ssf/poll/') && res.status === 200 ? pollAnswer(q.path, res.body) : res.body };
}

/**
 * An RFC 8936 poll answer in a form both stores compare: `sets` is an object with no order, keyed by jti
 * (`<stream_id>-<log position>`), so each SET becomes its JWS header and claims, at `position` (which the
 * EventStoreDB test translates), ordered by it. The jti and log_position are checked to name that position, then
 * left out. With the golden signing key the signature is the same bytes too (RS256 is deterministic), so the header
 * names the golden key's kid.
 */
function pollAnswer(path: string, body: { sets: Record<string, string>; moreAvailable: boolean }): unknown {
  const streamId = path.slice('/v1/ssf/poll/'.length);
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  const sets = Object.entries(body.sets).map(([jti, jws]) => {
    const [header, payload] = jws.split('.');
    const { jti: claimed, log_position: position, ...claims } = decode(payload);
    if (claimed !== jti || jti !== `${streamId}-${String(position)}`) throw new Error(`poll ${streamId}: SET ${jti} claims jti ${String(claimed)} at ${String(position)}`);
    return { position: position as number, header: decode(header), claims };
  });
  return { moreAvailable: body.moreAvailable, sets: sets.sort((a, b) => a.position - b.position) };
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
