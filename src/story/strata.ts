import { hash } from 'node:crypto';
import type { Profile } from '../profile/types.js';
import type { Rng } from '../util/rng.js';

/**
 * Stratified ("low-discrepancy") uniforms for the draws that `fhirseed report` measures on a population:
 * the member's age band, whether they have each condition of the profile, and how many admissions and
 * ER visits they have. Plain independent draws give 1,000 members binomial noise: diabetes at 18–44
 * (2.2% of ~400 members) has a standard error of 0.74 points against a ±0.55-point tolerance. Here the
 * uniform of member `index` for a stream is
 *
 *   u = frac(index · α + u0 + j)
 *
 * a Kronecker (Weyl) sequence in the index: α an irrational per stream, u0 from the population seed and
 * the stream's name, j a jitter of width JITTER drawn from the member's generator (one draw, like the
 * `rng.next()` it replaces). Any run of consecutive indexes then spreads its uniforms evenly over [0, 1),
 * so a condition of prevalence p lands on close to p of them; and because the age-band stream (α = the
 * golden ratio) and every other stream are jointly even (each stream's α is kept only if its pairs with
 * the golden ratio cover boxes of [0, 1)² evenly at 1,000 points), that holds inside each age band too.
 * Every α is the fractional part of √m for a distinct square-free m, so the streams are linearly
 * independent over the rationals: any two conditions are independent in the long run and co-occur only
 * as the model's co-occurrence (src/story/conditions.ts) makes them. Each member is still a pure
 * function of (seed, index). The price: consecutive members are not independent in these draws (e.g.
 * the age band of member i + 1 follows from member i's up to the jitter), which no per-member view
 * shows but an ordered listing of ages could.
 */
export interface Strata {
  /** The member's uniform in [0, 1) for a stream (`age`, `inpatient`, `emergency`, `condition:<key>`); draws once from rng. */
  uniform(stream: string, rng: Rng): number;
}

/** Width of the per-member jitter: well under the thinnest prevalence slab that matters (~1%). */
const JITTER = 1 / 1024;
const GOLDEN = (Math.sqrt(5) - 1) / 2;
/** Streams other than conditions, before them in the α table (age has the golden ratio itself). */
const FIXED_STREAMS = ['inpatient', 'emergency'];

const frac = (x: number) => x - Math.floor(x);

/** The strata of member `index` of a profile's population (streams and offsets computed once per profile). */
export function memberStrata(profile: Profile, index: number): Strata {
  const population = populationStrata(profile);
  return {
    uniform(stream, rng) {
      const s = population.get(stream);
      if (!s) return rng.next();
      return frac(index * s.alpha + s.offset + (rng.next() - 0.5) * JITTER);
    },
  };
}

const cache = new WeakMap<Profile, Map<string, { alpha: number; offset: number }>>();

function populationStrata(profile: Profile): Map<string, { alpha: number; offset: number }> {
  let streams = cache.get(profile);
  if (streams) return streams;
  const names = ['age', ...FIXED_STREAMS, ...profile.conditions.map((c) => `condition:${c.key}`)];
  streams = new Map();
  names.forEach((name, i) => {
    const m = i === 0 ? undefined : ALPHA_M[i - 1];
    if (i === 0 || m !== undefined) streams!.set(name, { alpha: m === undefined ? GOLDEN : frac(Math.sqrt(m)), offset: offsetOf(profile.seed, name) });
  });
  cache.set(profile, streams);
  return streams;
}

function offsetOf(seed: string | number, stream: string): number {
  return hash('sha256', `fhirseed:${seed}:strata:${stream}`, 'buffer').readUInt32LE(0) / 2 ** 32;
}

/**
 * The α table: α = frac(√m) for these m, in order — square-free m in increasing order (below 200,000),
 * kept when α is in [0.1, 0.9] (neighbouring indexes not near-equal), at least 0.001 from every kept α
 * and from 1 − it (two streams' difference must turn over at least once in 1,000 members), even with
 * the golden ratio (boxMerit at most MAX_BOX_ERROR), and with every kept α (pairMerit at most
 * MAX_PAIR_Z: no two conditions co-occur by the index). test/story/strata.test.ts checks every entry
 * against these rules. Profiles with more conditions than the table holds (186) draw the rest unstratified.
 */
export const ALPHA_M: readonly number[] = [
  2, 3, 13, 21, 30, 31, 34, 38, 39, 53, 57, 59, 67, 71, 83, 86, 93, 106, 107, 113, 115, 129, 131, 133, 158, 201, 211,
  213, 222, 235, 249, 251, 262, 263, 265, 267, 269, 271, 305, 307, 329, 341, 353, 355, 365, 453, 455, 471, 479, 523,
  534, 537, 547, 553, 566, 590, 591, 609, 611, 683, 699, 769, 790, 799, 814, 865, 885, 889, 919, 946, 951, 993, 995,
  1001, 1099, 1109, 1121, 1195, 1234, 1237, 1253, 1262, 1459, 1513, 1534, 1541, 1571, 1691, 1747, 1786, 1819, 1986,
  2045, 2103, 2134, 2158, 2181, 2267, 2627, 2647, 2903, 2942, 2966, 3182, 3495, 3657, 3947, 4042, 4111, 4135, 4210,
  4299, 4326, 4823, 4871, 4958, 5137, 5217, 5237, 5293, 5551, 5601, 5659, 6133, 6377, 6382, 6497, 6701, 6749, 6947,
  7518, 7874, 7962, 8045, 8413, 8497, 8529, 8602, 8945, 9533, 9646, 9695, 10030, 10239, 10259, 10635, 10743, 11131,
  12017, 12029, 12453, 12515, 13721, 13871, 14449, 14722, 15811, 17117, 17362, 19738, 23921, 24895, 26959, 27057,
  29051, 31521, 37063, 39283, 41489, 42767, 44778, 46118, 50015, 53517, 55330, 58691, 87785, 88337, 88931, 104789,
  106706, 118059, 127949, 134598, 139466, 143882, 150441, 191755,
];

/** Largest pairMerit allowed between two streams: a plain random pair exceeds it about once in 2,000. */
export const MAX_PAIR_Z = 4;

/**
 * How far two streams' points (frac(n·α), frac(n·β)), n < 1,000, are from independence: the largest
 * |count − expected| / binomial standard deviation over boxes [a, a + p) × [b, b + p), p 0.1 and 0.3.
 */
export function pairMerit(alpha: number, beta: number, points = 1000): number {
  let worst = 0;
  for (const p of [0.1, 0.3]) for (const a of [0, 0.5]) for (const b of [0, 0.5]) {
    let count = 0;
    for (let i = 0; i < points; i++) if (frac(i * alpha - a) < p && frac(i * beta - b) < p) count++;
    const expected = points * p * p;
    worst = Math.max(worst, Math.abs(count - expected) / Math.sqrt(expected * (1 - p * p)));
  }
  return worst;
}

/** Largest miscount allowed in boxMerit (a binomial draw misses the larger boxes by ~10). */
export const MAX_BOX_ERROR = 4.5;

/**
 * The largest |count − expected| of the points (frac(n·φ), frac(n·α)), n < 1,000, in boxes
 * [a, a + s) × [b, b + p) for age-band-like widths s and prevalence-like heights p.
 */
export function boxMerit(alpha: number, points = 1000): number {
  let worst = 0;
  for (const s of [0.1, 0.25, 0.45]) for (const p of [0.01, 0.03, 0.1, 0.3]) for (const a of [0, 0.25, 0.5, 0.75]) for (const b of [0, 0.5]) {
    let count = 0;
    for (let i = 0; i < points; i++) if (frac(i * GOLDEN - a) < s && frac(i * alpha - b) < p) count++;
    worst = Math.max(worst, Math.abs(count - points * s * p));
  }
  return worst;
}

export function squareFree(m: number): boolean {
  for (let d = 2; d * d <= m; d++) if (m % (d * d) === 0) return false;
  return true;
}

/**
 * A Poisson count with the given mean from one uniform (inverse CDF), so that stratified uniforms give
 * stratified counts. For the small means of per-member visit counts (exp(−mean) must not underflow: mean < 700).
 */
export function poissonFromUniform(mean: number, u: number): number {
  if (mean <= 0) return 0;
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (u >= cdf && k < 1000) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}
