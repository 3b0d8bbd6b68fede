import { createHash, createPublicKey, createSign, KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import type { SetClaims } from './security-event';

/** A public key as a JWKS publishes it (RFC 7517), with its RFC 7638 thumbprint as kid. */
export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

function publicJwk(key: KeyObject): PublicJwk {
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new Error('a SET signing key is an RSA key of at least 2048 bits');
  const { n, e } = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' }) as { n: string; e: string };
  // RFC 7638: the SHA-256 of the required members in lexicographic order, no spaces.
  const kid = createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest('base64url');
  return { kty: 'RSA', n, e, kid, alg: 'RS256', use: 'sig' };
}

/**
 * Signs SETs with RS256 (what the CAEP interoperability profile requires) under one RSA key. The private key sits in
 * a private field that neither JSON.stringify nor util.inspect can reach, so a log line never carries it.
 */
export class SetSigner {
  readonly #key: KeyObject;
  readonly jwk: PublicJwk;
  /** The JWKS: the signing key first, then keys still published for an overlap after a rotation. */
  readonly jwks: { keys: PublicJwk[] };

  constructor(privateKey: KeyObject, stillPublished: readonly KeyObject[] = []) {
    this.#key = privateKey;
    this.jwk = publicJwk(privateKey);
    this.jwks = { keys: [this.jwk, ...stillPublished.map(publicJwk).filter((k) => k.kid !== this.jwk.kid)] };
  }

  /** RFC 8417 section 2.3: typ secevent+jwt; the claims have no exp and no sub. */
  sign(claims: SetClaims): string {
    const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'secevent+jwt', kid: this.jwk.kid }))}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${createSign('RSA-SHA256').update(input).sign(this.#key).toString('base64url')}`;
  }

  toJSON(): string {
    return `[SET signing key ${this.jwk.kid}]`;
  }

  [inspect.custom](): string {
    return this.toJSON();
  }
}
