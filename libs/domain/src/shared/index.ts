export * from './command-metadata';
export * from './domain-error';
export * from './scope';
export * from './scope-token';
export * from './scope-string';
export * from './ids';
export * from './decider';
export * from './not-before';
