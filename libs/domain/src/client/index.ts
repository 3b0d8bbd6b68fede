export * from './client';
export * from './register-client';
export * from './client.decider';
