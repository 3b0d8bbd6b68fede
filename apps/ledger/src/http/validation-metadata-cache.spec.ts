import { getMetadataStorage, IsBoolean, IsInt, IsString, validate } from 'class-validator';
import { cacheValidationMetadata } from './validation-metadata-cache';

class Base {
  @IsString()
  name!: string;
}

class Derived extends Base {
  @IsInt()
  count!: number;
}

describe('cacheValidationMetadata', () => {
  const storage = getMetadataStorage();
  const lookup = (target: Function, groups?: string[]) => storage.getTargetValidationMetadatas(target, '', false, false, groups);
  const plain = (target: Function) => storage.getTargetValidationMetadatas(target, undefined as unknown as string, false, false, undefined);
  // Taken before the cache is installed: what class-validator itself answers.
  const before = { base: plain(Base), derived: plain(Derived), grouped: storage.groupByPropertyName(plain(Derived)) };

  beforeAll(() => cacheValidationMetadata());

  it('answers what class-validator answers, inherited rules included, and the same array every time', () => {
    expect(plain(Derived)).toEqual(before.derived);
    expect(plain(Base)).toEqual(before.base);
    expect(plain(Derived).map((m) => m.propertyName).sort()).toEqual(['count', 'name']);
    expect(plain(Derived)).toBe(plain(Derived));
    expect(storage.groupByPropertyName(plain(Derived))).toEqual(before.grouped);
    expect(storage.groupByPropertyName(plain(Derived))).toBe(storage.groupByPropertyName(plain(Derived)));
  });

  it('leaves lookups with groups or a schema to class-validator', () => {
    expect(lookup(Derived, ['admin'])).not.toBe(lookup(Derived, ['admin']));
    expect(lookup(Derived)).not.toBe(lookup(Derived));
  });

  it('sees a rule registered after the first lookup, on the class and on the classes that inherit it', async () => {
    const cached = plain(Derived);
    class Later extends Derived {
      @IsBoolean()
      flag!: boolean;
    }
    expect(plain(Derived)).not.toBe(cached);
    expect(plain(Later).map((m) => m.propertyName).sort()).toEqual(['count', 'flag', 'name']);
    const invalid = Object.assign(new Later(), { name: 'n', count: 1, flag: 'yes' });
    expect((await validate(invalid)).map((e) => e.property)).toEqual(['flag']);
    expect(await validate(Object.assign(new Later(), { name: 'n', count: 1, flag: true }))).toEqual([]);
  });

  it('is installed once, however often it is asked', () => {
    const patched = storage.getTargetValidationMetadatas;
    cacheValidationMetadata();
    expect(storage.getTargetValidationMetadatas).toBe(patched);
  });
});
