import { chainLink, chainPayload, GENESIS_LINK, LedgerDigest, linkEvents, linkOf } from './chain';

const event = (overrides: Partial<Parameters<typeof chainLink>[1]> = {}) => ({
  id: '6b0f1c2e-0000-4000-8000-000000000001',
  type: 'ConsentGranted',
  stream: 'consent-abc',
  revision: 0,
  data: { consentId: 'cns_x_1', scopes: ['openid'], grantedAt: '2026-01-01T00:00:00.000Z' },
  metadata: { actor: 'frontend', correlationId: 'req-1', initiator: 'user' },
  ...overrides,
});

describe('the hash chain', () => {
  it('links are SHA-256 hex over a fixed, versioned payload (a fixed value, so a change of rules is noticed)', () => {
    expect(chainPayload(GENESIS_LINK, event())).toBe(
      '{"data":{"consentId":"cns_x_1","grantedAt":"2026-01-01T00:00:00.000Z","scopes":["openid"]},"id":"6b0f1c2e-0000-4000-8000-000000000001",' +
        '"metadata":{"actor":"frontend","correlationId":"req-1","initiator":"user"},"prev":"' + GENESIS_LINK + '","revision":0,"stream":"consent-abc","type":"ConsentGranted","v":1}',
    );
    expect(chainLink(GENESIS_LINK, event())).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['id', { id: 'other' }],
    ['type', { type: 'ConsentRevoked' }],
    ['stream', { stream: 'consent-def' }],
    ['revision', { revision: 1 }],
    ['data', { data: { consentId: 'cns_x_1', scopes: ['openid', 'email'], grantedAt: '2026-01-01T00:00:00.000Z' } }],
    ['metadata', { metadata: { actor: 'someone-else', correlationId: 'req-1', initiator: 'user' } }],
  ])('covers %s', (_field, change) => {
    expect(chainLink(GENESIS_LINK, event(change))).not.toBe(chainLink(GENESIS_LINK, event()));
  });

  it('covers the previous link, so an event cannot be moved to another place in its stream', () => {
    expect(chainLink('1'.repeat(64), event())).not.toBe(chainLink(GENESIS_LINK, event()));
  });

  it('does not cover the link itself, nor metadata key order', () => {
    const withLink = event({ metadata: { chain: 'f'.repeat(64), initiator: 'user', correlationId: 'req-1', actor: 'frontend' } });
    expect(chainLink(GENESIS_LINK, withLink)).toBe(chainLink(GENESIS_LINK, event()));
  });

  it('linkEvents chains a run of new events onto the stream head and puts the link in metadata.chain', () => {
    const first = event();
    const second = event({ id: 'id-2', type: 'TokenIssued' });
    const { events, lastLink } = linkEvents('consent-abc', 4, 'a'.repeat(64), [first, second]);
    const l1 = chainLink('a'.repeat(64), { ...first, stream: 'consent-abc', revision: 4 });
    const l2 = chainLink(l1, { ...second, stream: 'consent-abc', revision: 5 });
    expect(events.map((e) => linkOf(e.metadata))).toEqual([l1, l2]);
    expect(lastLink).toBe(l2);
    expect(first.metadata).not.toHaveProperty('chain');
  });

  it('linkOf ignores anything that is not a link', () => {
    expect(linkOf({ chain: 'nope' })).toBeUndefined();
    expect(linkOf({})).toBeUndefined();
  });

  it('the ledger digest depends on every link and on their order', () => {
    const digest = (links: string[]) => {
      const d = new LedgerDigest();
      links.forEach((l) => d.add(l));
      return d.value;
    };
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    expect(digest([a, b])).not.toBe(digest([b, a]));
    expect(digest([a, b])).not.toBe(digest([a]));
    expect(digest([])).toBe(GENESIS_LINK);
  });
});
