import { createHash } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stableUuid, transactionBundle } from '../../src/output/bundle.js';
import { references, splitGroup } from '../../src/output/split.js';

/**
 * src/output's bundle parts, on hand-made groups (issue 19): split parts lose nothing, stay within the limit
 * and keep references ahead; bundles are the transaction the docs name. No population is simulated, so
 * Stryker can run this against every mutant of split.ts and bundle.ts (render.ts: test/output/render.test.ts).
 */

const key = (r: Resource) => `${r.resourceType}/${r.id}`;
const TYPES = ['Patient', 'Coverage', 'ExplanationOfBenefit', 'Organization'] as const;

/** A group of `n` resources, resource i referring to the resources `refs[i]` (indexes), some refs nested in arrays. */
function group(n: number, refs: number[][]): Resource[] {
  return Array.from({ length: n }, (_, i) => {
    const targets = (refs[i] ?? []).map((j) => ({ reference: `${TYPES[j % TYPES.length]}/r${j}` }));
    return {
      resourceType: TYPES[i % TYPES.length],
      id: `r${i}`,
      meta: { profile: [`http://example.org/${TYPES[i % TYPES.length]}`] },
      ...(targets.length ? { contained: [], extension: [{ url: 'x', valueReference: targets[0] }], item: targets.slice(1).map((t) => ({ nested: [t] })) } : {}),
    } as unknown as Resource;
  });
}

const graph = fc.integer({ min: 1, max: 30 }).chain((n) =>
  fc.tuple(fc.constant(n), fc.array(fc.array(fc.nat({ max: n - 1 }), { maxLength: 3 }), { minLength: n, maxLength: n }), fc.integer({ min: 1, max: 12 })),
);

describe('splitGroup', () => {
  it('should keep every resource once, every part within the limit, and a group within the limit as it is', () => {
    fc.assert(
      fc.property(graph, ([n, refs, max]) => {
        const resources = group(n, refs);
        const parts = splitGroup(resources, max);
        expect(parts.flat().map(key).sort()).toEqual(resources.map(key).sort());
        for (const p of parts) {
          expect(p.length).toBeGreaterThan(0);
          expect(p.length).toBeLessThanOrEqual(max);
        }
        if (n <= max) expect(parts).toEqual([resources]);
        else expect(parts.slice(0, -1).some((p) => p.length < max) || parts.length === Math.ceil(n / max)).toBe(true);
      }),
    );
  });

  it('should put each resource after the ones it references when references go one way, in the original order otherwise', () => {
    fc.assert(
      fc.property(graph, ([n, refs, max]) => {
        // Only references to earlier resources: no circle. Then the order is the original one, cut into full parts.
        const oneWay = refs.map((r, i) => r.filter((j) => j < i));
        const parts = splitGroup(group(n, oneWay), max);
        expect(parts.flat().map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => `r${i}`));
        expect(parts.slice(0, -1).every((p) => p.length === max)).toBe(true);
        // References to later resources only, reversed: each resource must move behind its targets.
        const forward = refs.map((r, i) => r.filter((j) => j > i));
        const order = splitGroup(group(n, forward), max).flat().map((r) => r.id);
        if (n > max) forward.forEach((targets, i) => targets.forEach((j) => expect(order.indexOf(`r${j}`)).toBeLessThan(order.indexOf(`r${i}`))));
      }),
    );
  });

  it('should keep a circle of references whole in one part when it fits, and cut one larger than the limit', () => {
    // r0 … r5 stand alone; r6 → r7 → r8 → r6 is a circle of 3; r9 refers to r6. Cut every 4, the circle would straddle two parts.
    const refs = [[], [], [], [], [], [], [7], [8], [6], [6]];
    const ids = splitGroup(group(10, refs), 4).map((p) => p.map((r) => r.id));
    expect(ids).toEqual([['r0', 'r1', 'r2', 'r3'], ['r4', 'r5'], ['r6', 'r7', 'r8', 'r9']]);
    const big = splitGroup(group(10, refs), 2).map((p) => p.map((r) => r.id));
    expect(big).toEqual([['r0', 'r1'], ['r2', 'r3'], ['r4', 'r5'], ['r6', 'r7'], ['r8', 'r9']]);
    // A circle that does not hold the first resource reached (r0 → r1 ⇄ r2): r1 and r2 come first, together, in their order.
    const inner = splitGroup(group(4, [[1], [2], [1], []]), 3).map((p) => p.map((r) => r.id));
    expect(inner).toEqual([['r1', 'r2', 'r0'], ['r3']]);
    // References to resources outside the group change nothing.
    const outside = group(4, [[], [], [], []]).map((r) => ({ ...r, subject: { reference: 'Organization/elsewhere' } }) as Resource);
    expect(splitGroup(outside, 3).map((p) => p.map((r) => r.id))).toEqual([['r0', 'r1', 'r2'], ['r3']]);
    // A member whose resources refer to each other in two circles, the second given first.
    const two = splitGroup(group(6, [[3], [2], [1], [0], [], []]), 2).map((p) => p.map((r) => r.id));
    expect(two).toEqual([['r0', 'r3'], ['r1', 'r2'], ['r4', 'r5']]);
  });
});

describe('references', () => {
  it('should find every string reference at any depth, and nothing else', () => {
    const r = { subject: { reference: 'Patient/1' }, a: [[{ reference: 'Coverage/2' }], { b: { reference: 'Organization/3' } }], reference: 'X/4', c: { reference: 5 }, d: 'reference' };
    expect(references(r)).toEqual(['Patient/1', 'Coverage/2', 'Organization/3', 'X/4']);
    expect(references(null)).toEqual([]);
    expect(references('Patient/1')).toEqual([]);
  });
});

describe('transactionBundle and stableUuid', () => {
  it('should make a version-5-layout UUID from the SHA-256 of "fhirseed:" + the name', () => {
    for (const name of ['Patient/a', 'Coverage/b', 'ExplanationOfBenefit/c-1']) {
      const u = stableUuid(name);
      expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const hex = createHash('sha256').update(`fhirseed:${name}`).digest('hex');
      // Every hex digit but the version and the variant's top bits comes from the hash.
      const plain = u.replaceAll('-', '');
      expect(plain.slice(0, 12) + plain.slice(13, 16) + plain.slice(17)).toBe(hex.slice(0, 12) + hex.slice(13, 16) + hex.slice(17, 32));
      expect(parseInt(plain[16]!, 16) & 0x3).toBe(parseInt(hex[16]!, 16) & 0x3);
    }
    expect(stableUuid('Patient/a')).not.toBe(stableUuid('Patient/b'));
  });

  it('should PUT each resource at Type/id with a urn:uuid fullUrl', () => {
    const resources = group(3, []);
    expect(transactionBundle(resources)).toEqual({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: resources.map((r) => ({ fullUrl: `urn:uuid:${stableUuid(key(r))}`, resource: r, request: { method: 'PUT', url: key(r) } })),
    });
  });
});
