// The key table's size (issue 13): filled up to three quarters before it doubles, so 6 million keys take 64 MiB, not 128.
import { describe, expect, it } from 'vitest';
import { KeySet } from '../../src/validate/key-set.js';

describe('KeySet size', () => {
  it('should hold up to three quarters of its slots before growing, and find every key after growing', () => {
    const keys = new KeySet();
    const slots = keys.buffer.byteLength / 8;
    for (let i = 0; i < (slots * 3) / 4 - 1; i++) keys.add(`Observation/${i}`);
    expect(keys.buffer.byteLength).toBe(slots * 8);
    for (let i = 0; i < slots; i++) keys.add(`Observation/${i}`);
    expect(keys.buffer.byteLength).toBe(slots * 16);
    expect(keys.size).toBe(slots);
    let found = 0;
    for (let i = 0; i < slots; i++) if (keys.has(`Observation/${i}`)) found++;
    expect(found).toBe(slots);
    expect(keys.has(`Observation/${slots}`)).toBe(false);
  });
});
