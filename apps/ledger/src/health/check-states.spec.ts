import { CheckStates } from './check-states';

describe('CheckStates', () => {
  it('reports nothing while a check stays up, from the first probe on', () => {
    const states = new CheckStates();
    expect([states.observe('store', 'up'), states.observe('store', 'up')]).toEqual([undefined, undefined]);
  });

  it('reports a check going down once, however many probes find it down, and once when it is back', () => {
    const states = new CheckStates();
    states.observe('publisher', 'up');
    expect(Array.from({ length: 5 }, () => states.observe('publisher', 'down'))).toEqual(['down', undefined, undefined, undefined, undefined]);
    expect([states.observe('publisher', 'up'), states.observe('publisher', 'up')]).toEqual(['up', undefined]);
  });

  it('reports a check that is down at its first probe', () => {
    const states = new CheckStates();
    expect([states.observe('projection', 'down'), states.observe('projection', 'down')]).toEqual(['down', undefined]);
  });

  it('keeps each check apart', () => {
    const states = new CheckStates();
    expect(states.observe('store', 'down')).toBe('down');
    expect(states.observe('projection', 'up')).toBeUndefined();
    expect(states.observe('store', 'down')).toBeUndefined();
  });
});
