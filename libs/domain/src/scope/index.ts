export * from './scope-owner';
export * from './register-scope-owner';
export * from './scope-owner.decider';
export * from './dependency-owners';
