export * from './lease-decision';
export * from './leader-lease';
