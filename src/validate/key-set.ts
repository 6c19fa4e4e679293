/**
 * A set of strings (the `Type/id` keys of validated resources) kept as 63-bit fingerprints in an
 * open-addressing table over a SharedArrayBuffer: 8–16 bytes a key (slots of 8, at most three quarters full) instead of ~100 for a Set of
 * strings, and worker threads read the same table without a copy. Two different keys share a
 * fingerprint with probability about n²/2⁶⁴ (10⁻⁷ at 3 million keys); then a reference to the one
 * would count as resolving to the other.
 */
export class KeySet {
  private table: Uint32Array;
  private mask: number;
  /** Per slot, the content fingerprint given to addWith (this thread only, not shared); made on first use. */
  private contents?: Uint32Array;
  size = 0;

  constructor(buffer?: SharedArrayBuffer) {
    this.table = new Uint32Array(buffer ?? new SharedArrayBuffer(2 * 4 * (1 << 16)));
    this.mask = this.table.length / 2 - 1;
    if (buffer) for (let i = 0; i < this.table.length; i += 2) if (this.table[i + 1] !== 0) this.size++;
  }

  /** The table, to hand to worker threads (`new KeySet(buffer)` there). Read-only once shared. */
  get buffer(): SharedArrayBuffer {
    return this.table.buffer as SharedArrayBuffer;
  }

  /** Adds a key; false when it (or a key with the same fingerprint) was there already. */
  add(key: string): boolean {
    const [h1, h2] = fingerprint(key);
    if (this.find(h1, h2) >= 0) return false;
    // Filled up to three quarters (linear probing still finds a key in a few slots): 6 million keys in 64 MiB, not 128.
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    this.insert(h1, h2);
    this.size++;
    return true;
  }

  /**
   * Adds a key with a 32-bit fingerprint of its resource's content: undefined when the key is new, else the
   * content fingerprint stored when it was first added (the later one is not kept).
   */
  addWith(key: string, content: number): number | undefined {
    const [h1, h2] = fingerprint(key);
    this.contents ??= new Uint32Array(this.table.length / 2);
    const at = this.find(h1, h2);
    if (at >= 0) return this.contents[at];
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    this.contents[this.insert(h1, h2)] = content;
    this.size++;
    return undefined;
  }

  has(key: string): boolean {
    const [h1, h2] = fingerprint(key);
    return this.find(h1, h2) >= 0;
  }

  private find(h1: number, h2: number): number {
    const t = this.table;
    for (let slot = h1 & this.mask; ; slot = (slot + 1) & this.mask) {
      const lo = t[2 * slot + 1]!;
      if (lo === 0) return -1;
      if (lo === h2 && t[2 * slot] === h1) return slot;
    }
  }

  /** Puts a fingerprint in its first free slot; returns the slot. */
  private insert(h1: number, h2: number): number {
    const t = this.table;
    let slot = h1 & this.mask;
    while (t[2 * slot + 1] !== 0) slot = (slot + 1) & this.mask;
    t[2 * slot] = h1;
    t[2 * slot + 1] = h2;
    return slot;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(new SharedArrayBuffer(old.byteLength * 2));
    this.mask = this.table.length / 2 - 1;
    const oldContents = this.contents;
    if (oldContents) this.contents = new Uint32Array(this.table.length / 2);
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] === 0) continue;
      const slot = this.insert(old[i]!, old[i + 1]!);
      if (oldContents) this.contents![slot] = oldContents[i / 2]!;
    }
  }
}

/** Two independent 32-bit string hashes (FNV-1a and a multiply-xorshift); the second is never 0 (0 marks an empty slot). */
function fingerprint(key: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b) >>> 0;
  h2 = (Math.imul(h2 ^ (h2 >>> 15), 0xc2b2ae35) | 1) >>> 0;
  return [h1, h2];
}
