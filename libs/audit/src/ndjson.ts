import type { StoredEvent } from '@ledger/event-store';

/**
 * The export format: one stored event per line, as JSON, in log order. Everything the chain and the import need is
 * in it: id, stream, revision, type, data, metadata (with its chain link), recordedAt, and the source position.
 */
export function eventToNdjson(e: StoredEvent): string {
  return (
    JSON.stringify({
      position: e.position,
      id: e.id,
      stream: e.stream,
      revision: e.revision,
      type: e.type,
      recordedAt: e.recordedAt,
      data: e.data,
      metadata: e.metadata,
    }) + '\n'
  );
}

export class NdjsonError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'NdjsonError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function eventFromNdjson(text: string, line: number): StoredEvent {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new NdjsonError(line, 'not valid JSON');
  }
  if (!isObject(v)) throw new NdjsonError(line, 'not a JSON object');
  const str = (k: string) => {
    if (typeof v[k] !== 'string' || (v[k] as string).length === 0) throw new NdjsonError(line, `${k} must be a non-empty string`);
    return v[k] as string;
  };
  const int = (k: string) => {
    if (!Number.isSafeInteger(v[k]) || (v[k] as number) < 0) throw new NdjsonError(line, `${k} must be a whole number >= 0`);
    return v[k] as number;
  };
  if (!isObject(v.data)) throw new NdjsonError(line, 'data must be an object');
  if (!isObject(v.metadata)) throw new NdjsonError(line, 'metadata must be an object');
  const recordedAt = str('recordedAt');
  if (Number.isNaN(Date.parse(recordedAt))) throw new NdjsonError(line, 'recordedAt must be an RFC 3339 time');
  return {
    position: int('position'),
    id: str('id'),
    stream: str('stream'),
    revision: int('revision'),
    type: str('type'),
    recordedAt,
    data: v.data,
    metadata: v.metadata as StoredEvent['metadata'],
  };
}
