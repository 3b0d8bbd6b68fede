import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, EventStore, StoredEvent } from '@ledger/event-store';
import { ProjectionRunner, ViewStore } from '@ledger/projections';
import { createLedgerApp } from '../../apps/ledger/src/bootstrap';
import { loadConfig } from '../../apps/ledger/src/config/ledger-config';
import type { Clock } from '../../apps/ledger/src/infrastructure/clock';

/**
 * The credentials every test service starts with, one per role. The suites' http client sends the admin one by
 * default; pass `headers` (or use `asRole`) to call as another role or as nobody.
 */
export const TEST_KEYS = {
  admin: { name: 'test-admin', role: 'admin', secret: 'test-admin-secret-0123456789' },
  commands: { name: 'test-frontend', role: 'commands', secret: 'test-commands-secret-0123456789' },
  introspect: { name: 'test-resource', role: 'introspect', secret: 'test-introspect-secret-0123456789' },
  audit: { name: 'test-auditor', role: 'audit', secret: 'test-audit-secret-0123456789' },
} as const;
export type TestRole = keyof typeof TEST_KEYS;
export const TEST_API_KEYS = Object.values(TEST_KEYS).map((k) => `${k.name}:${k.role}:${k.secret}`).join(',');
export const bearer = (role: TestRole) => ({ authorization: `Bearer ${TEST_KEYS[role].secret}` });

export interface RunningLedger {
  app: NestFastifyApplication;
  url: string;
  dataDir: string;
  store: EventStore;
  views: ViewStore;
  projection: ProjectionRunner;
  /** Sends the admin credential unless a request overrides `authorization`. */
  http: Http;
  /** A client that calls as the given role (or, with undefined, without credentials). */
  asRole(role: TestRole | undefined): Http;
  /** Every event in the log, in order. */
  events(): Promise<StoredEvent[]>;
  close(): Promise<void>;
}

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export type Http = ReturnType<typeof httpClient>;

/**
 * The secrets directory a test service uses unless told otherwise: next to its data directory, never inside it, so
 * that a copy of the data directory alone comes without it (as a backup would).
 */
export const secretsDirFor = (dataDir: string) => `${dataDir}-secrets`;

/**
 * Instances on one EventStoreDB share one subject key store and one key-encryption key (docs/privacy.md), as they
 * share one log: for a test on an EventStoreDB that names neither, both are derived from its connection string. For
 * the real EventStoreDB of EVENTSTORE_CONNECTION_STRING the store lives under the repository's .tmp/, so that a
 * database kept between runs (npm run test:esdb on a non-empty database) still finds the keys its earlier events were
 * sealed under; a wire-level test server lives for one suite, and its store in the system's temporary directory.
 */
export function sharedSubjectKeys(env: Record<string, string | undefined>): Record<string, string> {
  const connection = env.EVENTSTORE_CONNECTION_STRING;
  if (!connection || env.LEDGER_SUBJECT_KEYS_DIR) return {};
  const tag = createHash('sha256').update(connection).digest();
  return {
    LEDGER_SUBJECT_KEYS_DIR: join(
      connection === process.env.EVENTSTORE_CONNECTION_STRING ? join(__dirname, '..', '..', '.tmp') : tmpdir(),
      `ledger-subject-keys-${tag.subarray(0, 6).toString('hex')}`,
    ),
    ...(env.LEDGER_SUBJECT_KEK ? {} : { LEDGER_SUBJECT_KEK: createHash('sha256').update('kek').update(tag).digest('base64') }),
  };
}

/**
 * Starts the real service in this process, on a real port, with the real wiring (bootstrap.ts), on a data
 * directory of its own. Env overrides select the store (EVENTSTORE_CONNECTION_STRING) or Kafka.
 */
/** `port`: listen there rather than on a free port, for a test whose configuration must name its own URL. */
/** `clock`: what credential checks and secret statuses read, for a test that moves time on instead of sleeping. */
export async function startLedger(
  options: { dataDir?: string; env?: Record<string, string>; log?: LogLines; port?: number; clock?: Clock } = {},
): Promise<RunningLedger> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
  const config = loadConfig({
    LOG_LEVEL: 'error',
    LEDGER_API_KEYS: TEST_API_KEYS,
    LEDGER_SECRETS_DIR: secretsDirFor(dataDir),
    ...options.env,
    ...sharedSubjectKeys(options.env ?? {}),
    LEDGER_DATA_DIR: dataDir,
    PORT: String(options.port ?? 0),
  });
  const app = await createLedgerApp(config, { log: options.log, clock: options.clock });
  await app.listen(options.port ?? 0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const store = app.get<EventStore>(EVENT_STORE);
  return {
    app,
    url,
    dataDir,
    store,
    views: app.get(ViewStore),
    projection: app.get(ProjectionRunner),
    http: httpClient(url, bearer('admin')),
    asRole: (role) => httpClient(url, role ? bearer(role) : {}),
    events: async () => {
      const out: StoredEvent[] = [];
      for await (const e of store.readAll()) out.push(e);
      return out;
    },
    close: () => app.close(),
  };
}

/** A log destination for startLedger that keeps the service's log lines (pino JSON), parsed, in order. */
export class LogLines {
  readonly lines: Array<Record<string, any>> = [];

  write(text: string): void {
    for (const line of text.split('\n')) if (line) this.lines.push(JSON.parse(line));
  }
}

export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(secretsDirFor(dir), { recursive: true, force: true });
    },
  };
}

export function httpClient(base: string, defaultHeaders: Record<string, string> = {}) {
  async function request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResponse<T>> {
    const init: RequestInit = { method, headers: { ...defaultHeaders, ...headers } };
    if (body !== undefined) {
      if (typeof body === 'string' || body instanceof URLSearchParams) init.body = body;
      else {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
    }
    const res = await fetch(base + path, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }
  return {
    request,
    get: <T = any>(path: string, headers?: Record<string, string>) => request<T>('GET', path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>('POST', path, body, headers),
    form: <T = any>(path: string, fields: Record<string, string>, headers?: Record<string, string>) =>
      request<T>('POST', path, new URLSearchParams(fields), { 'content-type': 'application/x-www-form-urlencoded', ...headers }),
  };
}

/** The product's happy path, as steps the suites reuse. */
export function ledgerSteps(http: Http) {
  return {
    registerClient: (clientId: string, allowedScopes?: string[]) =>
      http.post('/v1/clients', { clientId, name: `Client ${clientId}`, ...(allowedScopes ? { allowedScopes } : {}) }),
    grant: (userId: string, clientId: string, scopes: string[]) => http.post('/v1/consents', { userId, clientId, scopes }),
    issue: (consentId: string, scopes?: string[], headers?: Record<string, string>) =>
      http.post('/v1/tokens', { consentId, ...(scopes ? { scopes } : {}) }, headers),
    revoke: (consentId: string, body: { scopes?: string[]; reason?: string } = {}) => http.post(`/v1/consents/${consentId}/revoke`, body),
    introspect: (token: string) => http.form('/v1/oauth2/introspect', { token }),
    /** Staff revoke any token by its id (role commands). */
    revokeToken: (tokenId: string) => http.post(`/v1/tokens/${tokenId}/revoke`),
    /** A new secret for the client; the answer shows it once. */
    createSecret: (clientId: string, body?: { overlapSeconds?: number }) => http.post(`/v1/clients/${clientId}/secrets`, body),
    /** RFC 7009 as the OAuth client itself, with client_secret_basic: the only way /v1/oauth2/revoke serves. */
    revokeAsClient: (clientId: string, secret: string, token: string) => http.form('/v1/oauth2/revoke', { token }, clientBasic(clientId, secret)),
  };
}

/** client_secret_basic (RFC 6749 section 2.3.1: id and secret form-encoded, then base64). */
export const clientBasic = (id: string, secret: string) => ({
  authorization: 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64'),
});
