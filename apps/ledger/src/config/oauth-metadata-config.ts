import { ConfigError } from './config-error';

export interface OAuthMetadataConfig {
  /** The ledger's one issuer identifier (RFC 8414 section 2): `iss` of introspection answers and the metadata's. */
  issuer: string;
  /** What the auth front end publishes through the ledger's RFC 8414 metadata: its endpoints and response types. */
  frontEnd: { authorizationEndpoint?: string; tokenEndpoint?: string; responseTypes: string[] };
}

const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/**
 * An issuer identifier as RFC 8414 section 2 has it: https, no query and no fragment. Plain http only on a loopback
 * host, for development (RFC 8252 makes the same exception): a resource service must not trust an `iss` that anyone
 * on the path could have answered.
 */
export function parseIssuer(raw: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    throw new ConfigError(variable, `must be an https URL (http only on a loopback host), got "${raw}"`);
  }
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) throw new ConfigError(variable, `must have no query and no fragment, got "${raw}"`);
  if (url.username !== '' || url.password !== '') throw new ConfigError(variable, 'must not carry credentials');
  // The issuer is compared as a string by receivers (RFC 8414 section 3.3): one spelling, without a trailing slash.
  return url.href.replace(/\/$/, '');
}

/**
 * LEDGER_ISSUER, and what the auth front end publishes through the ledger's metadata. The front end owns the
 * authorization endpoint, so response_types_supported (required by RFC 8414) is its to state; the default `code` is
 * the only response type OAuth 2.1 keeps.
 */
export function oauthMetadata(env: NodeJS.ProcessEnv, port: number, host: string): OAuthMetadataConfig {
  const issuerRaw = env.LEDGER_ISSUER?.trim();
  const fallbackHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const issuer = parseIssuer(issuerRaw || `http://${fallbackHost.includes(':') ? `[${fallbackHost}]` : fallbackHost}:${port}`, 'LEDGER_ISSUER');
  const endpoint = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? parseIssuer(raw, name) : undefined;
  };
  const typesRaw = env.LEDGER_RESPONSE_TYPES?.trim() || 'code';
  const responseTypes = typesRaw.split(',').map((t) => t.trim()).filter(Boolean);
  // A response type is a space-separated set of names (RFC 6749 section 3.1.1), e.g. "code id_token".
  const bad = responseTypes.find((t) => !/^[a-z_]+(?: [a-z_]+)*$/.test(t));
  if (bad !== undefined || responseTypes.length === 0) throw new ConfigError('LEDGER_RESPONSE_TYPES', `must be a comma-separated list like "code" or "code,code id_token", got "${typesRaw}"`);
  return {
    issuer,
    frontEnd: { authorizationEndpoint: endpoint('LEDGER_AUTHORIZATION_ENDPOINT'), tokenEndpoint: endpoint('LEDGER_TOKEN_ENDPOINT'), responseTypes },
  };
}
