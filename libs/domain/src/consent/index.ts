export * from './consent';
export * from './consent-expiry';
export * from './grant-consent';
export * from './revoke-consent';
export * from './issue-token';
export * from './revoke-token';
export * from './consent.decider';
