import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stableUuid } from '../../src/output/bundle.js';

// The UUID as fhirseed made it up to 2026-12-01 (a Hash object and a Buffer per resource): every bundle's fullUrl
// in every output made since must stay the same when the fast path changes (issue 13).
function reference(name: string): string {
  const h = createHash('sha256').update(`fhirseed:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

describe('stableUuid', () => {
  it('should be the version-5-layout UUID of SHA-256("fhirseed:" + name) for any name, UTF-8 included', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (name) => {
      expect(stableUuid(name)).toBe(reference(name));
    }), { numRuns: 2000 });
    // Each of the 16 values of byte 8's high nibble, which the variant bits rewrite.
    const nibbles = new Set<string>();
    for (let i = 0; nibbles.size < 16; i++) {
      const name = `Patient/fs-${i}`;
      nibbles.add(createHash('sha256').update(`fhirseed:${name}`).digest('hex')[16]!);
      expect(stableUuid(name)).toBe(reference(name));
    }
    expect(stableUuid('Patient/a')).toBe(reference('Patient/a'));
  });
});
