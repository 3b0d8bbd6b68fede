export * from './user';
export * from './revoke-user-consents';
export * from './set-user-not-before';
export * from './user.decider';
export * from './erase-subject';
