import { Introspection, IntrospectionCache, IntrospectionCacheOptions, tokenHash } from './introspection-cache';
import { RevocationConsumer, RevocationConsumerOptions } from './revocation-consumer';

export interface RevocationClientOptions {
  /** The ledger's RFC 7662 endpoint, e.g. http://ledger:3000/v1/oauth2/introspect. */
  introspectionUrl: string;
  /** Credentials for the introspection call (e.g. `authorization: Bearer <introspect key>`), or a function giving them. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** The revocation topic. Omit to run without Kafka: then only maxStaleness bounds how long a revoked token passes. */
  kafka?: Omit<RevocationConsumerOptions, 'onEvent'> & { onEvent?: RevocationConsumerOptions['onEvent'] };
  /** A cache to share (e.g. across a consumer restart), or options for a new one. */
  cache?: IntrospectionCache | IntrospectionCacheOptions;
  /**
   * Answer from the cache only while the consumer is in its group (default true). While it is not, nothing would
   * evict a revoked token, so every call goes to the ledger.
   */
  cacheOnlyWhileConsuming?: boolean;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export class IntrospectionError extends Error {
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IntrospectionError';
  }
}

/**
 * What a resource service embeds to check bearer tokens: introspection against the ledger, cached by token hash,
 * and evicted the moment the ledger publishes a revocation. See README.md next to this file.
 */
export class RevocationClient {
  readonly cache: IntrospectionCache;
  readonly consumer?: RevocationConsumer;
  private readonly inflight = new Map<string, Promise<Introspection>>();
  private readonly fetch: typeof fetch;

  constructor(private readonly options: RevocationClientOptions) {
    this.cache = options.cache instanceof IntrospectionCache ? options.cache : new IntrospectionCache(options.cache);
    if (options.kafka) this.consumer = new RevocationConsumer(this.cache, options.kafka);
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Joins the revocation topic's consumer group; resolves once consuming. */
  async start(): Promise<void> {
    await this.consumer?.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }

  /** RFC 7662 answer for a raw bearer token: from the cache, or from the ledger on a miss. Throws IntrospectionError when the ledger cannot answer. */
  async introspect(token: string): Promise<Introspection> {
    const hash = tokenHash(token);
    const trusted = !this.consumer || this.consumer.running || this.options.cacheOnlyWhileConsuming === false;
    if (trusted) {
      const hit = this.cache.get(hash);
      if (hit) return hit;
    }
    let pending = this.inflight.get(hash);
    if (!pending) {
      pending = this.fetchAndCache(token, hash).finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, pending);
    }
    return pending;
  }

  private async fetchAndCache(token: string, hash: string): Promise<Introspection> {
    const ticket = this.cache.ticket();
    const extra = typeof this.options.headers === 'function' ? await this.options.headers() : (this.options.headers ?? {});
    let response: Response;
    try {
      response = await this.fetch(this.options.introspectionUrl, {
        method: 'POST',
        headers: { ...extra, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 5000),
      });
    } catch (error) {
      throw new IntrospectionError('Introspection request failed', undefined, { cause: error });
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new IntrospectionError(`Introspection answered ${response.status}`, response.status);
    }
    const answer = (await response.json()) as Introspection;
    if (typeof answer !== 'object' || answer === null || typeof answer.active !== 'boolean') {
      throw new IntrospectionError('Introspection answer is not RFC 7662');
    }
    // A revocation that arrived while the request was out may be newer than the answer: the cache refuses it then.
    this.cache.set(hash, answer, ticket);
    return this.cache.get(hash) ?? answer;
  }
}
