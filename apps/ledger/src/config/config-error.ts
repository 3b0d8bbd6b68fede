/** A setting the service refuses to start with: main.ts prints the message and exits with EXIT_CONFIG. */
export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}
