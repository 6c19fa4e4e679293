import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { dependencyOrder, planWork, type Group } from '../../src/seed/plan.js';
import type { SeedEntry } from '../../src/seed/source.js';

function entry(type: string, id: string, refs: string[] = [], source = 'f'): SeedEntry {
  const resource = { resourceType: type, id, extension: refs.map((r) => ({ url: 'x', valueReference: { reference: r } })) } as unknown as Resource;
  return { resource, type, id, source };
}

/** A member as the generator writes it, in a shuffled order: EOBs → Coverage → Patient, Coverage → RelatedPerson. */
const memberArb = fc.tuple(fc.nat({ max: 12 }), fc.boolean(), fc.nat()).chain(([eobs, related, key]) => {
  const list = [
    entry('Patient', `p${key}`),
    ...(related ? [entry('RelatedPerson', `r${key}`, [`Patient/p${key}`])] : []),
    entry('Coverage', `c${key}`, [`Patient/p${key}`, ...(related ? [`RelatedPerson/r${key}`] : []), 'Organization/payer']),
    ...Array.from({ length: eobs }, (_, i) => entry('ExplanationOfBenefit', `e${key}-${i}`, [`Patient/p${key}`, `Coverage/c${key}`])),
  ];
  return fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length });
});

describe('planWork', () => {
  it('should send every entry exactly once, keep groups whole and chunks within the size', () => {
    fc.assert(
      fc.property(fc.array(memberArb, { maxLength: 20 }), fc.integer({ min: 1, max: 30 }), (members, size) => {
        const groups: Group[] = members.map((entries, i) => ({ file: `m${i}`, entries: entries.map((e) => ({ ...e, source: `m${i}` })) }));
        const items = [...planWork(groups, size)];
        const sent = items.flatMap((it) => it.chunks.flat());
        expect(sent.map((e) => `${e.type}/${e.id}`).sort()).toEqual(groups.flatMap((g) => g.entries.map((e) => `${e.type}/${e.id}`)).sort());
        for (const item of items) for (const chunk of item.chunks) expect(chunk.length).toBeLessThanOrEqual(size);
        // A group lives in exactly one work item, and that item names it.
        for (const g of groups) {
          if (!g.entries.length) continue;
          const holders = items.filter((it) => it.chunks.flat().some((e) => e.source === g.file));
          expect(holders).toHaveLength(1);
          expect(holders[0]!.files).toContain(g.file);
        }
      }),
    );
  });

  it('should put referenced entries in an earlier or the same chunk when it splits a member', () => {
    fc.assert(
      fc.property(memberArb, fc.integer({ min: 1, max: 5 }), (entries, size) => {
        const [item] = [...planWork([{ file: 'm', entries }], size)];
        const chunkOf = new Map<string, number>();
        item!.chunks.forEach((chunk, i) => chunk.forEach((e) => chunkOf.set(`${e.type}/${e.id}`, i)));
        for (const [key, i] of chunkOf) {
          const e = entries.find((x) => `${x.type}/${x.id}` === key)!;
          for (const ext of (e.resource as unknown as { extension: { valueReference: { reference: string } }[] }).extension) {
            const target = chunkOf.get(ext.valueReference.reference);
            if (target !== undefined) expect(target).toBeLessThanOrEqual(i);
          }
        }
      }),
    );
  });
});

describe('dependencyOrder', () => {
  it('should order Patient before Coverage before ExplanationOfBenefit and keep file order otherwise', () => {
    const list = [entry('ExplanationOfBenefit', 'e1', ['Coverage/c', 'Patient/p']), entry('Observation', 'o'), entry('Coverage', 'c', ['Patient/p']), entry('Patient', 'p')];
    expect(dependencyOrder(list).map((e) => e.id)).toEqual(['p', 'c', 'e1', 'o']);
  });

  it('should survive reference cycles', () => {
    const list = [entry('A', '1', ['B/2']), entry('B', '2', ['A/1'])];
    expect(dependencyOrder(list)).toHaveLength(2);
  });
});
