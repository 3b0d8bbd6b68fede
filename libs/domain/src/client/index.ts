export * from './client';
export * from './client-details';
export * from './register-client';
export * from './update-client';
export * from './disable-client';
export * from './enable-client';
export * from './delete-client';
export * from './client.decider';
