import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/output/generate.js';
import { randomProfiles } from '../helpers/arbitraries.js';
import { bundleResources, generateTo, tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

function generated(profile: Parameters<typeof generateTo>[1], options: Parameters<typeof generateTo>[2] = {}): { dir: string; manifest: Manifest } {
  const t = tempDir('fhirseed-k-formats-');
  temps.push(t.cleanup);
  const manifest = generateTo(t.dir, profile, options);
  return { dir: t.dir, manifest };
}

/** type → the resources' JSON, sorted (a multiset that can be compared). */
function byType(resources: Resource[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of resources) (out[r.resourceType] ??= []).push(JSON.stringify(r));
  for (const list of Object.values(out)) list.sort();
  return out;
}

function ndjsonResources(dir: string): Resource[] {
  return readdirSync(join(dir, 'ndjson'))
    .sort()
    .flatMap((file) => {
      const type = file.replace(/\.ndjson$/, '');
      const lines = readFileSync(join(dir, 'ndjson', file), 'utf8').split('\n').filter(Boolean);
      const resources = lines.map((l) => JSON.parse(l) as Resource);
      // A file holds its own type only.
      expect(resources.filter((r) => r.resourceType !== type).map((r) => r.resourceType), file).toEqual([]);
      return resources;
    });
}

describe('one population, three views', () => {
  it('should hold the same resources in the NDJSON files as in the bundles, in the numbers the manifest gives', () => {
    fc.assert(
      fc.property(randomProfiles, fc.option(fc.integer({ min: 20, max: 200 }), { nil: undefined }), (profile, maxBundleEntries) => {
        const { dir, manifest } = generated(profile, maxBundleEntries ? { maxBundleEntries } : {});
        const fromBundles = byType(bundleResources(dir).flatMap((b) => b.resources));
        const fromNdjson = byType(ndjsonResources(dir));
        expect(Object.keys(fromNdjson).sort()).toEqual(Object.keys(fromBundles).sort());
        for (const type of Object.keys(fromBundles)) expect(fromNdjson[type], type).toEqual(fromBundles[type]);
        const counts = Object.fromEntries(Object.entries(fromBundles).map(([t, list]) => [t, list.length]));
        expect(manifest.counts.byType).toEqual(counts);
        expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).counts.byType).toEqual(counts);
        const profiles: Record<string, number> = {};
        for (const list of Object.values(fromBundles)) for (const json of list) for (const p of (JSON.parse(json) as Resource).meta?.profile ?? []) profiles[p] = (profiles[p] ?? 0) + 1;
        expect(manifest.counts.byProfile).toEqual(profiles);
      }),
      { numRuns: 4 },
    );
  });

  it('should share no resource id between the outputs of two seeds, directory included', () => {
    fc.assert(
      fc.property(randomProfiles, fc.integer({ min: 1, max: 2 ** 20 }), (profile, delta) => {
        const small = { ...profile, members: Math.min(profile.members, 4) };
        const a = generated(small);
        const b = generated({ ...small, seed: (small.seed + delta) % 2 ** 31 });
        const ids = (dir: string) => bundleResources(dir).flatMap((x) => x.resources.map((r) => `${r.resourceType}/${r.id}`));
        const first = new Set(ids(a.dir));
        const shared = ids(b.dir).filter((k) => first.has(k));
        expect(shared).toEqual([]);
        // The directory bundle is part of what was compared.
        expect(bundleResources(a.dir).find((x) => x.file === 'directory.json')?.resources.length).toBeGreaterThan(0);
      }),
      { numRuns: 3 },
    );
  });
});
