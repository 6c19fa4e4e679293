/**
 * The key scan's fast path for one NDJSON line: checks that the line's bytes are one valid JSON object
 * and reads its top-level `resourceType` and `id`, without building the object (JSON.parse of every line
 * for two strings was about a tenth of `validate`'s time). Exact or silent: when it answers, JSON.parse of
 * the line would give an object with that `resourceType` and `id`; anything it does not handle (invalid
 * JSON, escapes in those two values or in a top-level key, a non-string `id`, a Bundle, whose entries are
 * keys too, a line that is not an object, nesting deeper than MAX_DEPTH) is left to JSON.parse.
 */

const MAX_DEPTH = 256;

/** What `scanKeys` read: valid only when it returned true; reused between calls. */
export interface LineKeys {
  resourceType: string;
  /** undefined when the object has no `id`. */
  id: string | undefined;
}

const RESOURCE_TYPE = Buffer.from('resourceType');
const ID = Buffer.from('id');

/** Byte classes: 1 JSON whitespace, 2 a digit. */
const CLASS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) CLASS[c] = 1;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = 2;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

class Fail extends Error {}
const FAIL = new Fail();

/**
 * Whether `buf[start, end)` is a line the fast path answers for; if so, `out` holds its `resourceType` and `id`.
 * False means: take the slow path (decode and JSON.parse the line), which also tells what is wrong with it.
 */
export function scanKeys(buf: Buffer, start: number, end: number, out: LineKeys): boolean {
  const s = new Scanner(buf, end);
  try {
    let i = s.ws(start);
    if (i >= end || buf[i] !== 0x7b) return false;
    i = s.object(i, 1);
    if (s.ws(i) !== end || s.rtStart < 0 || s.bad) return false;
    const rt = latin(buf, s.rtStart, s.rtEnd);
    if (rt === 'Bundle') return false;
    out.resourceType = rt;
    out.id = s.idStart < 0 ? undefined : latin(buf, s.idStart, s.idEnd);
    return true;
  } catch (error) {
    if (error === FAIL || error instanceof RangeError) return false; // RangeError: the stack, on absurd nesting
    throw error;
  }
}

/** Bytes known to be ASCII as a string. */
function latin(buf: Buffer, from: number, to: number): string {
  return buf.toString('latin1', from, to);
}

class Scanner {
  /** Span of the top-level `resourceType` / `id` string value (inside the quotes), -1 when absent. */
  rtStart = -1;
  rtEnd = -1;
  idStart = -1;
  idEnd = -1;
  /** A top-level key or value the fast path does not read exactly (escapes, non-ASCII, a non-string id). */
  bad = false;
  /** Whether the last string scanned held a backslash or a non-ASCII byte. */
  private plain = true;

  constructor(
    private readonly b: Uint8Array,
    private readonly end: number,
  ) {}

  ws(i: number): number {
    const b = this.b;
    while (i < this.end && CLASS[b[i]!] === 1) i++;
    return i;
  }

  /** A string starting at its opening quote; returns the index after the closing quote. */
  string(i: number): number {
    const b = this.b;
    const end = this.end;
    let plain = true;
    i++;
    for (;;) {
      if (i >= end) throw FAIL;
      const c = b[i]!;
      if (c === 0x22) break;
      if (c < 0x20) throw FAIL;
      if (c === 0x5c) {
        plain = false;
        const e = this.at(i + 1);
        if (e === 0x75) {
          if (i + 5 >= end || !HEX[b[i + 2]!] || !HEX[b[i + 3]!] || !HEX[b[i + 4]!] || !HEX[b[i + 5]!]) throw FAIL;
          i += 6;
          continue;
        }
        if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) throw FAIL;
        i += 2;
        continue;
      }
      if (c >= 0x80) plain = false;
      i++;
    }
    this.plain = plain;
    return i + 1;
  }

  private number(i: number): number {
    const b = this.b;
    const end = this.end;
    if (b[i] === 0x2d) i++;
    if (i >= end) throw FAIL;
    if (b[i] === 0x30) i++;
    else if (CLASS[b[i]!] === 2) while (i < end && CLASS[b[i]!] === 2) i++;
    else throw FAIL;
    if (i < end && b[i] === 0x2e) {
      i++;
      if (i >= end || CLASS[b[i]!] !== 2) throw FAIL;
      while (i < end && CLASS[b[i]!] === 2) i++;
    }
    if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
      i++;
      if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) i++;
      if (i >= end || CLASS[b[i]!] !== 2) throw FAIL;
      while (i < end && CLASS[b[i]!] === 2) i++;
    }
    return i;
  }

  private literal(i: number, word: string): number {
    if (i + word.length > this.end) throw FAIL;
    for (let k = 0; k < word.length; k++) if (this.b[i + k] !== word.charCodeAt(k)) throw FAIL;
    return i + word.length;
  }

  /** The byte at `i`, or -1 past the line's end (the buffer goes on with the next line). */
  private at(i: number): number {
    return i < this.end ? this.b[i]! : -1;
  }

  /** A value starting at `i` (no whitespace before it); returns the index after it. */
  value(i: number, depth: number): number {
    const c = this.at(i);
    if (c === 0x22) return this.string(i);
    if (c === 0x7b) return this.object(i, depth + 1);
    if (c === 0x5b) return this.array(i, depth + 1);
    if (c === 0x2d || (c >= 0 && CLASS[c] === 2)) return this.number(i);
    if (c === 0x74) return this.literal(i, 'true');
    if (c === 0x66) return this.literal(i, 'false');
    if (c === 0x6e) return this.literal(i, 'null');
    throw FAIL;
  }

  object(i: number, depth: number): number {
    if (depth > MAX_DEPTH) throw FAIL;
    const b = this.b;
    i = this.ws(i + 1);
    if (this.at(i) === 0x7d) return i + 1;
    for (;;) {
      if (this.at(i) !== 0x22) throw FAIL;
      const keyStart = i + 1;
      i = this.string(i);
      const keyEnd = i - 1;
      let which = 0;
      if (depth === 1) {
        if (!this.plain) this.bad = true; // an escaped key may decode to resourceType or id
        else if (same(b, keyStart, keyEnd, RESOURCE_TYPE)) which = 1;
        else if (same(b, keyStart, keyEnd, ID)) which = 2;
      }
      i = this.ws(i);
      if (this.at(i) !== 0x3a) throw FAIL;
      i = this.ws(i + 1);
      const valueStart = i;
      i = this.value(i, depth);
      if (which !== 0) {
        // The last occurrence of a key is the one JSON.parse keeps.
        const isString = b[valueStart] === 0x22;
        if (which === 1) {
          this.rtStart = isString ? valueStart + 1 : -1;
          this.rtEnd = i - 1;
        } else {
          this.idStart = valueStart + 1;
          this.idEnd = i - 1;
        }
        // Unusual values: read by JSON.parse, so the key is exactly what the slow path makes of them.
        if (!isString || !this.plain) this.bad = true;
      }
      i = this.ws(i);
      const c = this.at(i);
      if (c === 0x7d) return i + 1;
      if (c !== 0x2c) throw FAIL;
      i = this.ws(i + 1);
    }
  }

  private array(i: number, depth: number): number {
    if (depth > MAX_DEPTH) throw FAIL;
    i = this.ws(i + 1);
    if (this.at(i) === 0x5d) return i + 1;
    for (;;) {
      i = this.ws(this.value(i, depth));
      const c = this.at(i);
      if (c === 0x5d) return i + 1;
      if (c !== 0x2c) throw FAIL;
      i = this.ws(i + 1);
    }
  }
}

function same(b: Uint8Array, from: number, to: number, word: Buffer): boolean {
  if (to - from !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (b[from + k] !== word[k]) return false;
  return true;
}
