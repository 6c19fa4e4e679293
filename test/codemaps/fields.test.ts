// The number kinds of a code-maps field (src/codemaps/fields.ts): a value is taken exactly when it is in the kind's
// range, whole where the kind says so, and the message names the range as declared.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldProblem, orderProblem } from '../../src/codemaps/fields.js';

const finite = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.integer({ min: -200, max: 200 }), fc.constantFrom(0, 1, 120, -0));

describe('code-maps number kinds', () => {
  it('should take a number exactly when it is within the range, whole where the kind wants it', () => {
    const kinds: [string, (v: number) => boolean][] = [
      ['number 0..', (v) => v >= 0],
      ['number 0..1', (v) => v >= 0 && v <= 1],
      ['number >0', (v) => v > 0],
      ['number 0..120', (v) => v >= 0 && v <= 120],
      ['whole 1..', (v) => Number.isInteger(v) && v >= 1],
      ['whole 0..99', (v) => Number.isInteger(v) && v >= 0 && v <= 99],
      ['number -5..5', (v) => v >= -5 && v <= 5],
    ];
    fc.assert(
      fc.property(finite, fc.constantFrom(...kinds), (v, [kind, fits]) => {
        expect(fieldProblem({ x: v }, 'x', kind) === undefined).toBe(fits(v));
      }),
    );
  });

  it('should say the range it expects and what it got', () => {
    expect(fieldProblem({ charge: -5 }, 'charge', 'number 0..')).toBe('charge: expected a number ≥ 0, got -5');
    expect(fieldProblem({ share: 1.5 }, 'share', 'number 0..1')).toBe('share: expected a number from 0 to 1, got 1.5');
    expect(fieldProblem({ step: 0 }, 'step', 'number >0')).toBe('step: expected a number > 0, got 0');
    expect(fieldProblem({ refills: 1.5 }, 'refills', 'whole 0..99')).toBe('refills: expected a whole number from 0 to 99, got 1.5');
    expect(fieldProblem({ w: [1, -1] }, 'w', 'numbers 0..')).toBe('w: expected a list of numbers ≥ 0, got [1,-1]');
    expect(fieldProblem({ w: 3 }, 'w', 'numbers 0..')).toBe('w: expected a list of numbers ≥ 0, got 3');
    expect(fieldProblem({ n: '3' }, 'n', 'whole 1..')).toBe('n: expected a whole number ≥ 1, got "3"');
    expect(fieldProblem({ n: Infinity }, 'n', 'number 0..')).toBe('n: expected a number ≥ 0, got Infinity');
  });

  it('should want a ranged field unless it is optional, and check it where it is there', () => {
    expect(fieldProblem({}, 'n', 'whole 1..12')).toBe('n: missing (expected a whole number from 1 to 12)');
    expect(fieldProblem({}, 'n', 'whole 1..12?')).toBeUndefined();
    expect(fieldProblem({ n: null }, 'n', 'number 0..?')).toBeUndefined();
    expect(fieldProblem({ n: 13 }, 'n', 'whole 1..12?')).toBe('n: expected a whole number from 1 to 12, got 13');
    expect(fieldProblem({ w: [] }, 'w', 'numbers 0..')).toBeUndefined();
  });

  it('should refuse a Min/Max pair exactly when its min is above its max, and leave a pair with a side left out alone', () => {
    const fields = { ageMin: 'number 0..120?', ageMax: 'number 0..120?' } as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 120 }), (low, high) => {
        const problem = orderProblem({ ageMin: low, ageMax: high }, fields);
        expect(problem).toBe(low > high ? `ageMin ${low} is above ageMax ${high}` : undefined);
      }),
    );
    expect(orderProblem({ ageMin: 70 }, fields)).toBeUndefined();
    expect(orderProblem({ ageMinMonths: 2, ageMaxMonths: 1 }, { ageMinMonths: 'whole 0..1440', ageMaxMonths: 'whole 0..1440' })).toBe('ageMinMonths 2 is above ageMaxMonths 1');
  });
});

describe('code-maps enumerations', () => {
  const texts = fc.oneof(fc.constantFrom('CO', 'OA', 'PI', 'PR', 'co', 'pr', 'CR', 'XX', '', ' PR'), fc.string({ maxLength: 3 }));

  it('should take a value of `one of` exactly when it is one of the words, as written', () => {
    fc.assert(
      fc.property(fc.oneof(texts, fc.integer(), fc.constant(null), fc.array(fc.constant('PR'), { maxLength: 1 })), (v) => {
        const problem = fieldProblem({ group: v }, 'group', 'one of CO OA PI PR');
        const fits = typeof v === 'string' && ['CO', 'OA', 'PI', 'PR'].includes(v);
        expect(problem).toBe(fits ? undefined : v === null ? 'group: missing (expected CO, OA, PI or PR)' : `group: expected CO, OA, PI or PR, got ${JSON.stringify(v)}`);
      }),
    );
  });

  it('should take an `each of` list exactly when it is not empty and every item is one of the words, naming the first that is not', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('oral', 'pharmacy'), texts), { maxLength: 4 }), (list) => {
        const problem = fieldProblem({ claimTypes: list }, 'claimTypes', 'each of oral pharmacy');
        const bad = list.find((v) => v !== 'oral' && v !== 'pharmacy');
        const expected = 'claimTypes: expected a non-empty list, each oral or pharmacy, got';
        expect(problem).toBe(list.length === 0 ? `${expected} []` : bad !== undefined ? `${expected} ${JSON.stringify(bad)}` : undefined);
      }),
    );
    expect(fieldProblem({ claimTypes: 'oral' }, 'claimTypes', 'each of oral pharmacy')).toBe('claimTypes: expected a non-empty list, each oral or pharmacy, got "oral"');
  });

  it('should leave an optional enumeration out, and check it where it is there', () => {
    expect(fieldProblem({}, 'type', 'one of allergy intolerance?')).toBeUndefined();
    expect(fieldProblem({ type: 'Allergy' }, 'type', 'one of allergy intolerance?')).toBe('type: expected allergy or intolerance, got "Allergy"');
    expect(fieldProblem({ sex: 'male' }, 'sex', 'one of male')).toBeUndefined();
  });
});
