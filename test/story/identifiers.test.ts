import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fictionalMbi, fictionalNpi, fictionalTin, isFictionalMbi } from '../../src/story/identifiers.js';
import { isValidNpi } from '../../src/util/check-digits.js';
import { Rng } from '../../src/util/rng.js';

describe('fictional identifiers', () => {
  it('should make Luhn-valid NPIs outside the ranges NPPES issues', () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        const npi = fictionalNpi(new Rng(seed));
        expect(isValidNpi(npi)).toBe(true);
        expect(npi.startsWith('3999')).toBe(true);
      }),
    );
  });

  it('should make MBIs in the CMS layout with the never-used letter S', () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        const mbi = fictionalMbi(new Rng(seed));
        expect(mbi).toHaveLength(11);
        expect(isFictionalMbi(mbi)).toBe(true);
        expect(mbi[1]).toBe('S');
      }),
    );
  });

  it('should make tax ids with the 00 prefix the IRS never assigns', () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        expect(fictionalTin(new Rng(seed))).toMatch(/^00\d{7}$/);
      }),
    );
  });
});

describe('Rng', () => {
  it('should give the same sequence for the same seed and another for another seed', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const seqA = Array.from({ length: 8 }, ((r) => () => r.next())(new Rng(a)));
        const seqA2 = Array.from({ length: 8 }, ((r) => () => r.next())(new Rng(a)));
        expect(seqA).toEqual(seqA2);
        if (a !== b) expect(Array.from({ length: 8 }, ((r) => () => r.next())(new Rng(b)))).not.toEqual(seqA);
      }),
    );
  });

  it('should stay in range for int, and have a Poisson mean near the asked mean', () => {
    const rng = new Rng('poisson');
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const n = rng.int(3, 7);
      expect(n >= 3 && n <= 7).toBe(true);
      sum += rng.poisson(2.5);
    }
    expect(sum / 20000).toBeGreaterThan(2.4);
    expect(sum / 20000).toBeLessThan(2.6);
  });
});
