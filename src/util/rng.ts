import { hash } from 'node:crypto';

/**
 * A small, fast, seedable generator (sfc32) with the helpers the simulation needs.
 * One instance per member, derived from (profile seed, member index), so members are independent.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seedText: string) {
    const h = hash('sha256', seedText, 'buffer');
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0; this.b >>>= 0; this.c >>>= 0; this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /**
   * As {@link weighted}, but when no weight is above 0, one of the items uniformly: for a profile's plans, where a
   * showcase member's wish (a plan type, a child, dental) may leave only plans of share 0 (a book the profile gives no
   * members, still shown by its showcase). Throws a plain Error for an empty list.
   */
  weightedOrAny<T>(items: readonly T[], weight: (item: T) => number): T {
    return items.some((it) => weight(it) > 0) ? this.weighted(items, weight) : this.pick(items);
  }

  /**
   * Picks by weight; weights need not sum to 1. Throws a plain Error (a fhirseed bug: the loaders refuse such lists)
   * when the weights do not sum to a finite number above 0, where the draw would return the last item (or undefined).
   */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    const total = items.reduce((s, it) => s + weight(it), 0);
    if (!(total > 0 && Number.isFinite(total))) throw new Error(`Rng.weighted over ${items.length} items whose weights sum to ${total}`);
    let r = this.next() * total;
    for (const it of items) {
      r -= weight(it);
      if (r < 0) return it;
    }
    return items[items.length - 1] as T;
  }

  /** Poisson-distributed count with the given mean (Knuth; means here are small). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A string of digits of the given length. */
  digits(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
}

/** Short, stable hex digest for ids. */
export function stableHash(text: string, length = 12): string {
  return hash('sha256', text, 'hex').slice(0, length);
}
