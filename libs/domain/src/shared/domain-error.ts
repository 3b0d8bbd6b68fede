/**
 * The category decides the HTTP status at the edge; the code is a stable, documented identifier that clients may
 * branch on. Deciders throw only DomainError; nothing below the controller knows about HTTP.
 */
export type ErrorCategory = 'validation' | 'unprocessable' | 'not_found' | 'conflict' | 'forbidden' | 'unauthenticated' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly category: ErrorCategory,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, 'validation', message, details);
/** Well-formed, but contradicts an earlier request (an Idempotency-Key reused with another body). */
export const unprocessable = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, 'unprocessable', message, details);
export const notFound = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, 'not_found', message, details);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, 'conflict', message, details);
/** The request was right but cannot be served now (contention, overload); the edge adds Retry-After. */
export const unavailable = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, 'unavailable', message, details);
