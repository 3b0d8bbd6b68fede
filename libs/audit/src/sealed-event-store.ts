import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { openEvent, sealEvent, unavailable, type SealedField } from '@ledger/domain';
import {
  ForwardingEventStore,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '@ledger/event-store';
import type { SubjectKeys } from './subject-keys.port';

/** DI token of the log as stored (sealed fields sealed): for the audit export, which carries what the chain covers. */
export const STORED_EVENT_STORE = Symbol('STORED_EVENT_STORE');

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM, stored as base64url of IV, ciphertext and tag; the context is the AAD (libs/domain sealingContext). */
export function sealString(key: Buffer, plain: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // Strings are UTF-8 throughout (Buffer.from's and update's default).
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

export function openString(key: Buffer, sealed: string, context: string): string {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('a sealed field is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
}

/**
 * Crypto-shredding as a decorator of the EventStore port (docs/privacy.md): appends seal the personal fields of every
 * event that names a user under that user's key (libs/domain privacy/personal-data.ts says which), and every read,
 * subscription included, opens them again, so that deciders, views and integration events see plain values. Once a
 * key is destroyed its fields read as erased.
 *
 * It sits above the chain (sealed over chained), so the chain links the sealed bytes that are stored: `verify` needs
 * no key and passes after an erasure. The audit export reads the store beneath it, as stored.
 *
 * A field sealed under a key this key store never held fails the read rather than reading as erased: it means the
 * key store is not this log's (another instance's, or an old backup), and guessing would erase what is not erased.
 */
export class SealedEventStore extends ForwardingEventStore {
  constructor(
    inner: EventStore,
    private readonly keys: SubjectKeys,
  ) {
    super(inner);
  }

  override async append(stream: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    // Every key these events are sealed under, for the wait below.
    const kids = new Set<string>();
    // The id is part of each field's AAD, so every event needs its id before it is sealed.
    const sealed = events.map((e) => {
      const withId = { ...e, id: e.id ?? randomUUID() };
      const keys = new Map<string, Buffer>();
      const kidOf = (userId: string) => {
        const { kid, key } = this.keys.keyFor(userId);
        keys.set(kid, key);
        kids.add(kid);
        return kid;
      };
      return sealEvent(withId, kidOf, (plain, kid, context) => sealString(keys.get(kid)!, plain, context));
    });
    // A key created for these events (or by a concurrent append whose sync is still running) is durable first; keys
    // synced long ago wait for nothing, whatever other key's sync is in flight.
    await this.keys.durable(kids);
    return this.inner.append(stream, sealed, options);
  }

  override async readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return (await this.inner.readStream(stream, options)).map((e) => this.open(e));
  }

  override async *readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent> {
    if (options?.envelopes) {
      yield* this.inner.readAll(options);
      return;
    }
    for await (const e of this.inner.readAll(options)) yield this.open(e);
  }

  override subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    return this.inner.subscribeToAll(options, { ...handler, onEvents: (events) => handler.onEvents(events.map((e) => this.open(e))) });
  }

  /** A stored event as readers see it: its sealed fields opened, or erased. */
  open<E extends StoredEvent>(event: E): E {
    return openEvent(event, (field: SealedField, context) => {
      const key = this.keys.key(field.kid);
      if (key === 'erased') return undefined;
      if (key === undefined) {
        // 503 to a command that meets it (a misconfigured instance, not a bad request); the views retry and stay behind.
        throw unavailable(
          'subject_key_unknown',
          `event ${event.id} (position ${event.position}) is sealed under subject key ${field.kid}, which this key store never held; restore the key store that belongs to this log`,
        );
      }
      return openString(key, field.enc, context);
    });
  }
}
