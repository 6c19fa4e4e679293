import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { references, splitGroup } from '../../src/output/split.js';
import { readSource } from '../../src/seed/source.js';
import { generateTo, readTree, shippedProfile, tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
const newDir = () => {
  const t = tempDir('fhirseed-limit-');
  temps.push(t.cleanup);
  return t.dir;
};
afterAll(() => temps.forEach((c) => c()));

const key = (r: Resource) => `${r.resourceType}/${r.id}`;

/** n resources in a random order; each refers to some with a lower rank (no circles) or, with `circles`, to any. */
const groups = (circles: boolean) =>
  fc.integer({ min: 1, max: 60 }).chain((n) =>
    fc.record({
      order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      refs: fc.array(fc.array(fc.nat(n - 1), { maxLength: 4 }), { minLength: n, maxLength: n }),
      max: fc.integer({ min: 1, max: 70 }),
    }).map(({ order, refs, max }) => ({
      max,
      resources: order.map((i): Resource => ({
        resourceType: 'Observation',
        id: `o${i}`,
        status: 'final',
        code: {},
        hasMember: refs[i]!.filter((j) => circles || j < i).map((j) => ({ reference: `Observation/o${j}` })),
      })),
    })),
  );

describe('bundles within --max-bundle-entries', () => {
  it('should keep every part within the limit, every resource once, and a group within the limit as it is', () => {
    fc.assert(
      fc.property(groups(true), ({ resources, max }) => {
        const parts = splitGroup(resources, max);
        for (const p of parts) expect(p.length).toBeLessThanOrEqual(max);
        expect(parts.flat().map(key).sort()).toEqual(resources.map(key).sort());
        if (resources.length <= max) expect(parts).toEqual([resources]);
      }),
    );
  });

  it('should put every resource after the resources it references when there is no circle', () => {
    fc.assert(
      fc.property(groups(false), ({ resources, max }) => {
        const parts = splitGroup(resources, max);
        if (parts.length === 1) return;
        const partOf = new Map(parts.flatMap((p, i) => p.map((r) => [key(r), i] as const)));
        for (const r of parts.flat()) for (const ref of references(r)) expect(partOf.get(ref)!).toBeLessThanOrEqual(partOf.get(key(r))!);
      }),
    );
  });

  it('should split big members and the directory in a population, leaving NDJSON unchanged and the seeder reading every part in order', () => {
    const profile = { ...shippedProfile('default'), members: 5 };
    const whole = newDir();
    generateTo(whole, profile);
    const split = newDir();
    const manifest = generateTo(split, profile, { maxBundleEntries: 40 });
    const bundleFiles = readdirSync(join(split, 'bundles')).sort();
    expect(bundleFiles.length).toBeGreaterThan(readdirSync(join(whole, 'bundles')).length);
    expect(bundleFiles).toContain('directory-2.json');
    expect(bundleFiles).toContain('member-000000-2.json');
    const entries = bundleFiles.flatMap((f) => {
      const bundle = JSON.parse(readFileSync(join(split, 'bundles', f), 'utf8')) as Bundle;
      expect(bundle.entry!.length, f).toBeLessThanOrEqual(40);
      return bundle.entry!.map((e) => JSON.stringify(e.resource));
    });
    // NDJSON unchanged; the bundles' resources are exactly the NDJSON resources.
    const ndjson = [...readTree(whole)].filter(([f]) => f.startsWith('ndjson/'));
    const splitTree = readTree(split);
    for (const [file, bytes] of ndjson) expect(splitTree.get(file)!.equals(bytes), file).toBe(true);
    const lines = ndjson.flatMap(([, bytes]) => bytes.toString('utf8').trim().split('\n'));
    expect(entries.sort()).toEqual(lines.sort());
    // The manifest lists the parts; the seeder reads them all, a member's parts in order.
    expect(manifest.files).toContain('bundles/member-000000-2.json');
    const source = readSource(split);
    const partNumber = (f: string) => Number(/^directory-(\d+)/.exec(f)![1]);
    const directoryParts = bundleFiles.filter((f) => /^directory-\d+/.test(f)).sort((a, b) => partNumber(a) - partNumber(b));
    expect(source.directoryParts).toEqual(directoryParts.map((f) => `bundles/${f}`));
    expect(source.memberFiles).toEqual(Array.from({ length: 5 }, (_, i) => `bundles/member-00000${i}.json`));
    const parts = bundleFiles.filter((f) => /^member-000000-\d+\.json$/.test(f));
    expect(source.memberParts!['bundles/member-000000.json']).toEqual(parts.map((_, i) => `bundles/member-000000-${i + 2}.json`));
    expect(Object.values(source.memberParts!).flat()).toHaveLength(bundleFiles.filter((f) => /^member-\d+-\d+\.json$/.test(f)).length);
  });
});
