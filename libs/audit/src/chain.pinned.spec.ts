import { CHAIN_METADATA_KEY, CHAIN_VERSION, chainLink, GENESIS_LINK, LedgerDigest, linkEvents, linkOf } from './chain';

/**
 * Every chain already written depends on these exact values: a change to the genesis link, the payload or the
 * digest would make every existing ledger fail verification. The hashes were computed independently of chain.ts
 * (sha256 of the canonical payload, and of digest-hex + link-hex for the running digest).
 */
const event = {
  id: '6b0f1c2e-0000-4000-8000-000000000001',
  type: 'ConsentGranted',
  stream: 'consent-abc',
  revision: 0,
  data: { consentId: 'cns_x_1', scopes: ['openid'], grantedAt: '2026-01-01T00:00:00.000Z' },
  metadata: { actor: 'frontend', correlationId: 'req-1', initiator: 'user' },
};
const FIRST_LINK = 'b7bb87aa11b4e95626ded3460861c2f4931526c1267ad775c4bf44617cc15097';
const SECOND_LINK = '26e31e834868ad934f4427d380f1ea25331481a13b2ffa283d1336585f3db4b4';

describe('the hash chain, pinned to known values', () => {
  it('the genesis link is 64 zeros, the chain version 1, and the link lives in metadata.chain', () => {
    expect(GENESIS_LINK).toBe('0000000000000000000000000000000000000000000000000000000000000000');
    expect(CHAIN_VERSION).toBe(1);
    expect(CHAIN_METADATA_KEY).toBe('chain');
  });

  it('the first link of a stream is a known SHA-256, and the next one builds on it', () => {
    expect(chainLink(GENESIS_LINK, event)).toBe(FIRST_LINK);
    expect(chainLink(FIRST_LINK, { ...event, id: 'id-2', type: 'TokenIssued', revision: 1 })).toBe(SECOND_LINK);
  });

  it('linkEvents onto a new stream gives the same known links', () => {
    const { events, lastLink } = linkEvents('consent-abc', 0, GENESIS_LINK, [
      { id: event.id, type: event.type, data: event.data, metadata: event.metadata },
      { id: 'id-2', type: 'TokenIssued', data: event.data, metadata: event.metadata },
    ]);
    expect(events.map((e) => linkOf(e.metadata))).toEqual([FIRST_LINK, SECOND_LINK]);
    expect(lastLink).toBe(SECOND_LINK);
  });

  it('linkEvents of nothing leaves the head where it was', () => {
    expect(linkEvents('consent-abc', 3, FIRST_LINK, [])).toEqual({ events: [], lastLink: FIRST_LINK });
  });

  it('the running digest starts at the genesis link and is a known SHA-256 after each link', () => {
    const digest = new LedgerDigest();
    expect(digest.count).toBe(0);
    digest.add(FIRST_LINK);
    expect(digest.value).toBe('4e717b996c13cfb8bf3ad9c08d1356919ef46b5d063b1162804698636e8053cd');
    digest.add(SECOND_LINK);
    expect(digest.value).toBe('3f140794ff5e6cc4945b91801dcd85ac3776afbdcbe898eb16732f8dbed9d789');
    expect(digest.count).toBe(2);
  });

  it.each<[string, unknown]>([
    ['a link with trailing text', `${FIRST_LINK}x`],
    ['a link with leading text', `x${FIRST_LINK}`],
    ['a link one character short', FIRST_LINK.slice(1)],
    ['an upper-case link', FIRST_LINK.toUpperCase()],
    ['a number', 42],
    ['an array holding a link (it would stringify to one)', [FIRST_LINK]],
  ])('linkOf refuses %s', (_label, chain) => {
    expect(linkOf({ chain })).toBeUndefined();
  });

  it('linkOf returns a well-formed link, and nothing for no metadata', () => {
    expect(linkOf({ chain: FIRST_LINK })).toBe(FIRST_LINK);
    expect(linkOf(undefined)).toBeUndefined();
  });
});
