import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/profile/types.js';
import { simulateConditions } from '../../src/story/conditions.js';
import { ALPHA_M, boxMerit, MAX_BOX_ERROR, MAX_PAIR_Z, memberStrata, pairMerit, poissonFromUniform, squareFree } from '../../src/story/strata.js';
import { Rng } from '../../src/util/rng.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

const frac = (x: number) => x - Math.floor(x);

/** A population of `n` members' uniforms for the age stream and `k` condition streams (columns 1..k). */
function uniforms(seed: number, n: number, k: number): number[][] {
  const profile = { seed, conditions: Array.from({ length: k }, (_, i) => ({ key: `c${i}` })) } as unknown as Profile;
  const streams = ['age', ...profile.conditions.map((c) => `condition:${c.key}`)];
  return Array.from({ length: n }, (_, index) => {
    const rng = new Rng(`strata-test:${seed}:${index}`);
    const strata = memberStrata(profile, index);
    return streams.map((s) => strata.uniform(s, rng));
  });
}

describe('stratified uniforms (src/story/strata.ts)', () => {
  it('should keep the α table to its rules: square-free m in order, α in [0.1, 0.9] and apart, even with the golden ratio and pairwise', () => {
    const alphas = ALPHA_M.map((m) => frac(Math.sqrt(m)));
    expect(ALPHA_M.length).toBeGreaterThanOrEqual(2 + shippedProfile('default').conditions.length);
    ALPHA_M.forEach((m, i) => {
      expect([m, squareFree(m), i === 0 || m > ALPHA_M[i - 1]!]).toEqual([m, true, true]);
      const a = alphas[i]!;
      expect(a).toBeGreaterThanOrEqual(0.1);
      expect(a).toBeLessThanOrEqual(0.9);
      expect(boxMerit(a)).toBeLessThanOrEqual(MAX_BOX_ERROR);
      for (let j = 0; j < i; j++) {
        const b = alphas[j]!;
        expect(Math.min(Math.abs(a - b), Math.abs(a + b - 1))).toBeGreaterThanOrEqual(0.001);
        // pairMerit on every pair takes ~10 s: all pairs of the first 40, and each later entry with 8 earlier ones.
        if (i < 40 || (i * 7 + j * 13) % i < 8) expect(pairMerit(a, b), `${m} with ${ALPHA_M[j]}`).toBeLessThanOrEqual(MAX_PAIR_Z);
      }
    });
  });

  it('should give every age band close to the prevalence on 1,000 members, far closer than independent draws', () => {
    // 10 populations × 40 conditions × 3 bands: a 2% condition counted in each band. Binomial draws miss by
    // up to ~14 members here; the stratified ones stay within a few. (Two conditions' joint counts are as
    // close to independence as binomial draws: the worst of 780 pairs × 20 seeds was 24 for 10 expected.)
    let worst = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const xs = uniforms(seed, 1000, 40);
      for (let k = 1; k <= 40; k++) {
        for (const [lo, hi] of [[0, 0.25], [0.25, 0.7], [0.7, 1]] as const) {
          const band = xs.filter((x) => x[0]! >= lo && x[0]! < hi);
          worst = Math.max(worst, Math.abs(band.filter((x) => x[k]! < 0.02).length - band.length * 0.02));
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(5);
  });

  it('should be uniform for every stream and a pure function of (seed, index)', () => {
    const xs = uniforms(7, 2000, 5);
    for (let k = 0; k <= 5; k++) {
      for (const edge of [0.1, 0.37, 0.5, 0.93]) expect(Math.abs(xs.filter((x) => x[k]! < edge).length - 2000 * edge)).toBeLessThanOrEqual(6);
    }
    expect(uniforms(7, 50, 5)).toEqual(xs.slice(0, 50));
    expect(uniforms(8, 50, 5)).not.toEqual(xs.slice(0, 50));
  });

  it('should leave unrelated conditions independent and keep the model co-occurrence (2,000 members of 70)', () => {
    const profile = shippedProfile('commercial');
    const members = Array.from({ length: 2000 }, (_, index) => {
      const rng = new Rng(`strata-conditions:${index}`);
      return simulateConditions(rng, profile, codeMaps, '1955-03-01', 'female', profile.period.start, profile.period.end, undefined, memberStrata(profile, index)).map((c) => c.key);
    });
    const share = (keys: string[], among = members) => among.filter((m) => keys.some((k) => m.includes(k))).length / among.length;
    const DIABETES = ['diabetes-type-2', 'diabetic-kidney-disease', 'diabetic-neuropathy', 'diabetic-retinopathy'];
    const HYPERTENSION = ['hypertension', 'hypertensive-heart-disease', 'hypertensive-ckd'];
    // Diabetes at 65+ is 19.5% in the profile: within 1 point (binomial draws: a standard error of 0.9).
    expect(Math.abs(share(DIABETES) - 0.195)).toBeLessThan(0.01);
    const withHtn = share(DIABETES, members.filter((m) => HYPERTENSION.some((k) => m.includes(k))));
    const without = share(DIABETES, members.filter((m) => !HYPERTENSION.some((k) => m.includes(k))));
    expect(withHtn / without).toBeGreaterThan(1.3);
    // Asthma and osteoarthritis have no co-occurrence in the model: their joint share stays near the product.
    const asthma = ['asthma'];
    const oa = ['osteoarthritis-knee'];
    const both = members.filter((m) => m.includes('asthma') && m.includes('osteoarthritis-knee')).length / members.length;
    const expected = share(asthma) * share(oa);
    expect(Math.abs(both - expected)).toBeLessThan(4 * Math.sqrt(expected / members.length) + 0.002);
  });

  it('should count Poisson visits from one uniform with the Poisson distribution', () => {
    const mean = 0.8;
    const counts = Array.from({ length: 10000 }, (_, i) => poissonFromUniform(mean, (i + 0.5) / 10000));
    const pmf = (k: number) => (Math.exp(-mean) * mean ** k) / [1, 1, 2, 6, 24][k]!;
    for (let k = 0; k <= 4; k++) expect(Math.abs(counts.filter((c) => c === k).length / 10000 - pmf(k))).toBeLessThan(0.0005);
    expect(poissonFromUniform(0, 0.99)).toBe(0);
  });
});
