import { decidedAt } from './decided-at';

/**
 * Which field of each domain event holds its chained time. Every event below carries every time field the domain
 * uses, each at another instant, so that only the event's own field gives the expected answer.
 */
const FIELDS = ['registeredAt', 'updatedAt', 'allowedAt', 'revokedAt', 'disabledAt', 'enabledAt', 'deletedAt', 'grantedAt', 'extendedAt', 'issuedAt'];
const at = (field: string) => Date.parse('2026-03-01T12:00:00.000Z') + FIELDS.indexOf(field) * 1000;
const everyTime = Object.fromEntries(FIELDS.map((f) => [f, new Date(at(f)).toISOString()]));

describe('decidedAt', () => {
  it.each([
    ['ClientRegistered', 'registeredAt'],
    ['ClientUpdated', 'updatedAt'],
    ['ClientScopesAllowed', 'allowedAt'],
    ['ClientScopesRevoked', 'revokedAt'],
    ['ClientDisabled', 'disabledAt'],
    ['ClientEnabled', 'enabledAt'],
    ['ClientDeleted', 'deletedAt'],
    ['ConsentGranted', 'grantedAt'],
    ['ConsentScopesExtended', 'extendedAt'],
    ['ConsentScopesRevoked', 'revokedAt'],
    ['ConsentRevoked', 'revokedAt'],
    ['TokenIssued', 'issuedAt'],
    ['TokenRevoked', 'revokedAt'],
  ])('%s is decided at its %s', (type, field) => {
    expect(decidedAt({ type, data: everyTime })).toBe(at(field));
  });

  it('is undefined for an event that is not a domain event, whatever its data holds', () => {
    expect(decidedAt({ type: 'LeaseAcquired', data: { ...everyTime, undefined: everyTime.grantedAt } })).toBeUndefined();
  });

  it('is undefined when the field is absent, not a string, or not a time', () => {
    expect(decidedAt({ type: 'ConsentGranted', data: {} })).toBeUndefined();
    // A number would parse as a year ("2026"): only a string is a recorded time.
    expect(decidedAt({ type: 'ConsentGranted', data: { grantedAt: 2026 } })).toBeUndefined();
    expect(decidedAt({ type: 'ConsentGranted', data: { grantedAt: 'yesterday' } })).toBeUndefined();
  });
});
