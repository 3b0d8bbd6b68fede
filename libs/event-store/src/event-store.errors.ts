/** Errors of the event-store port. Adapters translate their vendor's errors into these; nothing else is thrown upward. */
export class EventStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The optimistic-concurrency check of an append failed. Handlers reload and retry. */
export class WrongExpectedVersionError extends EventStoreError {
  constructor(
    readonly stream: string,
    readonly expected: string | number,
    /** Revision of the stream's last event, or -1 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(`Append to ${stream} expected revision ${expected}, stream is at ${actual}`);
  }
}

/** The store cannot be reached right now; worth retrying later. */
export class EventStoreUnavailableError extends EventStoreError {}
