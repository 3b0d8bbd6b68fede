export * from './security-event';
export * from './set-selection';
export * from './set-signer';
export * from './push-set';
