import { Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { TokenKey } from './token-key';

/** Domain separation: these HMACs sign list cursors and nothing else (tokens use their own label). */
const PURPOSE = 'ledger-list-cursor-v1';
/** 128 bits of tag: a forged cursor is found out, and the cursor stays short. */
const TAG_BYTES = 16;

/**
 * Opaque, integrity-protected cursors for paginated lists: base64url(position) "." base64url(HMAC). The position is
 * not secret (it is the last id of a page the caller has seen), but a caller must not be able to craft one, so that a
 * list's cursor can change shape later without old guesses meaning anything. Signed under the token key with a label
 * of its own, so every instance that shares LEDGER_TOKEN_KEY accepts every other's cursors.
 */
@Injectable()
export class CursorSigner {
  constructor(private readonly key: TokenKey) {}

  sign(list: string, position: string): string {
    const body = Buffer.from(position, 'utf8');
    return `${body.toString('base64url')}.${this.tag(list, body).toString('base64url')}`;
  }

  /** The position a cursor of `list` stands for; undefined when it is malformed, of another list, or tampered with. */
  verify(list: string, cursor: string): string | undefined {
    const m = /^([A-Za-z0-9_-]{1,700})\.([A-Za-z0-9_-]{22})$/.exec(cursor);
    if (!m) return undefined;
    const body = Buffer.from(m[1], 'base64url');
    const given = Buffer.from(m[2], 'base64url');
    // Canonical base64url only (the last character of each part has spare bits): one position, one cursor.
    if (body.toString('base64url') !== m[1] || given.toString('base64url') !== m[2]) return undefined;
    return timingSafeEqual(given, this.tag(list, body)) ? body.toString('utf8') : undefined;
  }

  private tag(list: string, body: Buffer): Buffer {
    return this.key.hmac([PURPOSE, list, body.toString('base64url')]).subarray(0, TAG_BYTES);
  }
}
