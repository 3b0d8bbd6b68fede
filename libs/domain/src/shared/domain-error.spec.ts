import { INITIATORS } from './command-metadata';
import { conflict, DomainError, invalid, notFound, unavailable, unprocessable } from './domain-error';

describe('domain errors: a stable code and a category the edge maps to a status', () => {
  it.each([
    ['invalid', invalid, 'validation'],
    ['unprocessable', unprocessable, 'unprocessable'],
    ['notFound', notFound, 'not_found'],
    ['conflict', conflict, 'conflict'],
    ['unavailable', unavailable, 'unavailable'],
  ] as const)('%s gives a DomainError of category %s, with code, message and details', (_name, make, category) => {
    const error = make('some_code', 'What went wrong', { key: 1 });
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'DomainError', code: 'some_code', category, message: 'What went wrong', details: { key: 1 } });
  });
});

describe('command metadata', () => {
  it('knows the four CAEP initiating entities', () => {
    expect(INITIATORS).toEqual(['user', 'admin', 'policy', 'system']);
  });
});
