import type { StoredEvent } from '@ledger/event-store';
import { eventFromNdjson, eventToNdjson, NdjsonError } from './ndjson';

const stored: StoredEvent = {
  position: 7,
  id: '6b0f1c2e-0000-4000-8000-000000000001',
  stream: 'consent-abc',
  revision: 2,
  type: 'ConsentGranted',
  recordedAt: '2026-01-01T00:00:00.000Z',
  data: { consentId: 'cns_x_1', scopes: ['openid'] },
  metadata: { actor: 'frontend', correlationId: 'req-1', chain: 'a'.repeat(64) },
};

/** The line an export writes for `stored`, with some fields replaced (undefined: left out). */
const line = (changes: Record<string, unknown> = {}) => JSON.stringify({ ...JSON.parse(eventToNdjson(stored)), ...changes });

/** The NdjsonError that reading the text throws, or a failure if it throws something else or nothing. */
function errorOf(text: string, lineNo = 3): NdjsonError {
  try {
    eventFromNdjson(text, lineNo);
  } catch (error) {
    if (error instanceof NdjsonError) return error;
    throw error;
  }
  throw new Error('expected an NdjsonError, but the line was accepted');
}

describe('the NDJSON export format', () => {
  it('writes one event as one line of JSON, fields in a fixed order, ending in a newline', () => {
    expect(eventToNdjson(stored)).toBe(
      '{"position":7,"id":"6b0f1c2e-0000-4000-8000-000000000001","stream":"consent-abc","revision":2,"type":"ConsentGranted",' +
        '"recordedAt":"2026-01-01T00:00:00.000Z","data":{"consentId":"cns_x_1","scopes":["openid"]},' +
        `"metadata":{"actor":"frontend","correlationId":"req-1","chain":"${'a'.repeat(64)}"}}\n`,
    );
  });

  it('reads back exactly the event it wrote, chain link included', () => {
    expect(eventFromNdjson(eventToNdjson(stored), 1)).toEqual(stored);
  });

  it('keeps only the fields of a stored event, whatever else the line carries', () => {
    expect(eventFromNdjson(line({ extra: 'ignored' }), 1)).toEqual(stored);
  });

  it('accepts position and revision 0, the first event of the log', () => {
    expect(eventFromNdjson(line({ position: 0, revision: 0 }), 1)).toMatchObject({ position: 0, revision: 0 });
  });

  it('names the line and the rule in every error', () => {
    const error = errorOf('{', 12);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('NdjsonError');
    expect(error.line).toBe(12);
    expect(error.message).toBe('line 12: not valid JSON');
  });

  it.each([
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a string', '"event"'],
    ['a number', '42'],
  ])('refuses %s, which is not an event object', (_label, text) => {
    expect(errorOf(text).message).toBe('line 3: not a JSON object');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['data missing', { data: undefined }, 'data must be an object'],
    ['data an array', { data: [1] }, 'data must be an object'],
    ['data null', { data: null }, 'data must be an object'],
    ['metadata missing', { metadata: undefined }, 'metadata must be an object'],
    ['metadata a string', { metadata: 'actor' }, 'metadata must be an object'],
    ['recordedAt missing', { recordedAt: undefined }, 'recordedAt must be a non-empty string'],
    ['recordedAt empty', { recordedAt: '' }, 'recordedAt must be a non-empty string'],
    ['recordedAt a number', { recordedAt: 1767225600000 }, 'recordedAt must be a non-empty string'],
    ['recordedAt not a time', { recordedAt: 'yesterday' }, 'recordedAt must be an RFC 3339 time'],
    ['position negative', { position: -1 }, 'position must be a whole number >= 0'],
    ['position a fraction', { position: 1.5 }, 'position must be a whole number >= 0'],
    ['position a string', { position: '7' }, 'position must be a whole number >= 0'],
    ['position beyond the safe integers', { position: 2 ** 53 }, 'position must be a whole number >= 0'],
    ['id empty', { id: '' }, 'id must be a non-empty string'],
    ['id a number', { id: 1 }, 'id must be a non-empty string'],
    ['stream missing', { stream: undefined }, 'stream must be a non-empty string'],
    ['revision negative', { revision: -1 }, 'revision must be a whole number >= 0'],
    ['type empty', { type: '' }, 'type must be a non-empty string'],
  ])('refuses a line with %s', (_label, changes, rule) => {
    expect(errorOf(line(changes)).message).toBe(`line 3: ${rule}`);
  });

  it('accepts a one-character string, the shortest that is not empty', () => {
    expect(eventFromNdjson(line({ id: 'x', type: 'T' }), 1)).toMatchObject({ id: 'x', type: 'T' });
  });
});
