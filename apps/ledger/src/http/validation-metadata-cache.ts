import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type ValidationMetadata = ReturnType<Storage['getTargetValidationMetadatas']>[number];
type Grouped = Record<string, ValidationMetadata[]>;

const CACHED = Symbol.for('consent-ledger.validation-metadata-cache');

/**
 * Makes class-validator's metadata lookups a map read. On every validate() it filters a class's metadata and then
 * scans every registered class with `instanceof` for inherited rules, and groups the result by property again: the
 * filter alone was 1.7 % of a refused request's CPU and of what a revocation allocated (docs/performance.md), for an
 * answer that only changes when a decorator registers a rule, which happens as classes are defined, before the first
 * request. Both answers are kept per target class and options, and any registration drops every one of them.
 *
 * Only the plain case is kept: a class (not a schema name) validated without groups, as the ledger's pipe does.
 * Everything else, and anything class-validator asks with other arguments, goes to its own code as before. The
 * arrays handed out are the ones the cache keeps: the executor only reads them (ValidationExecutor.execute).
 *
 * It patches the process's one storage (class-validator keeps it on the global object), once.
 */
export function cacheValidationMetadata(storage: Storage = getMetadataStorage()): void {
  const patched = storage as Storage & { [CACHED]?: true };
  if (patched[CACHED]) return;
  patched[CACHED] = true;

  const targets = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const addMetadata = storage.addValidationMetadata.bind(storage);
  const addSchema = storage.addValidationSchema.bind(storage);
  // Keyed by the two flags, then by the class: a class is never collected while its decorators' metadata holds it.
  let byOptions = new Map<string, Map<Function, ValidationMetadata[]>>();
  let grouped = new WeakMap<ValidationMetadata[], Grouped>();
  const forget = () => {
    byOptions = new Map();
    grouped = new WeakMap();
  };

  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (typeof target !== 'function' || schema !== undefined || (groups !== undefined && groups.length > 0)) {
      return targets(target, schema, always, strictGroups, groups);
    }
    const options = `${always}|${strictGroups}`;
    let byTarget = byOptions.get(options);
    if (!byTarget) byOptions.set(options, (byTarget = new Map()));
    let found = byTarget.get(target);
    if (!found) byTarget.set(target, (found = targets(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
  storage.addValidationMetadata = (metadata) => {
    forget();
    addMetadata(metadata);
  };
  storage.addValidationSchema = (schema) => {
    forget();
    addSchema(schema);
  };
}
