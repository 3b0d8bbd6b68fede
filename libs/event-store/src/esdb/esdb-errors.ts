import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventStoreError, EventStoreUnavailableError, WrongExpectedVersionError } from '../event-store.errors';
import { ExpectedRevision } from '../event-store.port';

/** gRPC status codes after which a retry may succeed. */
const TRANSIENT_GRPC_CODES = new Set([
  1, // CANCELLED (by the server or by a dropped connection; client-side cancellations never reach us)
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  10, // ABORTED
  13, // INTERNAL (e.g. RST_STREAM on a dying connection)
  14, // UNAVAILABLE
]);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** True when the failure is about reaching EventStoreDB rather than about the request. */
export function isTransient(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  if (
    error instanceof UnavailableError ||
    error instanceof CancelledError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError
  ) {
    return true;
  }
  if (error instanceof AccessDeniedError) return false;
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number') return TRANSIENT_GRPC_CODES.has(code);
  if (typeof code === 'string') return TRANSIENT_NODE_CODES.has(code);
  return /failed to discover/i.test(String((error as { message?: unknown }).message));
}

/**
 * Translates whatever the client threw into the port's errors; nothing vendor-specific leaves the adapter.
 * `append` carries the stream and expectation so that a wrong-expected-version failure can be reported in port terms.
 */
export function translateError(
  error: unknown,
  what: string,
  append?: { stream: string; expected: ExpectedRevision },
): EventStoreError {
  if (error instanceof EventStoreError) return error;
  if (error instanceof EsdbWrongExpectedVersionError) {
    const actual = error.actualVersion === 'no_stream' ? -1 : typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) : -1;
    return new WrongExpectedVersionError(append?.stream ?? error.streamName, append?.expected ?? String(error.expectedVersion), actual);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (isTransient(error)) return new EventStoreUnavailableError(`EventStoreDB unavailable during ${what}: ${message}`, { cause: error });
  return new EventStoreError(`EventStoreDB ${what} failed: ${message}`, { cause: error });
}
