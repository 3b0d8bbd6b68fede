import { resolve } from 'node:path';

/**
 * Every setting the service reads, validated once at start-up. A bad value stops the service with a message that
 * names the variable, instead of failing later somewhere far from the cause.
 */
export interface LedgerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Set: EventStoreDB. Unset: the embedded SQLite store in dataDir. */
  eventStoreConnectionString?: string;
  kafka?: { brokers: string[]; topic: string; clientId: string };
  bodyLimitBytes: number;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
    return Number(raw);
  };
  const esdb = env.EVENTSTORE_CONNECTION_STRING?.trim() || undefined;
  if (esdb && !/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb|kdb\+discover):\/\//.test(esdb)) {
    throw new ConfigError('EVENTSTORE_CONNECTION_STRING', 'must start with esdb:// or esdb+discover://');
  }
  let kafka: LedgerConfig['kafka'];
  const brokersRaw = env.KAFKA_BROKERS?.trim();
  if (brokersRaw) {
    const brokers = brokersRaw.split(',').map((b) => b.trim()).filter(Boolean);
    const bad = brokers.find((b) => !/^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$/.test(b));
    if (bad) throw new ConfigError('KAFKA_BROKERS', `must be a comma-separated list of host:port, got "${bad}"`);
    const topic = env.KAFKA_REVOCATIONS_TOPIC?.trim() || 'consent.revocations.v1';
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new ConfigError('KAFKA_REVOCATIONS_TOPIC', `is not a valid topic name: "${topic}"`);
    kafka = { brokers, topic, clientId: env.KAFKA_CLIENT_ID?.trim() || 'consent-ledger' };
  }
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of fatal,error,warn,info,debug,trace,silent`);
  return {
    port: int('PORT', 3000, 0, 65535),
    host: env.HOST?.trim() || '127.0.0.1',
    dataDir: resolve(env.LEDGER_DATA_DIR?.trim() || './data'),
    eventStoreConnectionString: esdb,
    kafka,
    bodyLimitBytes: int('LEDGER_BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    logLevel,
  };
}
