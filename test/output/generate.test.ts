import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shardRange } from '../../src/output/generate.js';
import { bundleResources, generateTo, readTree, shippedProfile, tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
const newDir = () => {
  const t = tempDir();
  temps.push(t.cleanup);
  return t.dir;
};
afterAll(() => temps.forEach((c) => c()));

describe('generate', () => {
  const profile = shippedProfile('default');

  it('should write byte-identical files for the same profile and seed', () => {
    const a = newDir();
    const b = newDir();
    generateTo(a, profile);
    generateTo(b, profile);
    const left = readTree(a);
    const right = readTree(b);
    expect([...left.keys()].sort()).toEqual([...right.keys()].sort());
    for (const [file, bytes] of left) expect(bytes.equals(right.get(file)!), file).toBe(true);
  });

  it('should build the US Core layer of the profile\'s usCore version and record it in the manifest', () => {
    const dir = newDir();
    generateTo(dir, { ...profile, members: 3, usCore: '3.1.1' });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.igs['hl7.fhir.us.core']).toBe('3.1.1');
    const claimed = bundleResources(dir).flatMap((b) => b.resources).flatMap((r) => r.meta?.profile ?? []);
    expect(claimed.filter((p) => p.includes('/us/core/') && !p.endsWith('|3.1.1'))).toEqual([]);
  });

  it('should write different data for a different seed', () => {
    const a = newDir();
    const b = newDir();
    generateTo(a, { ...profile, members: 3 });
    generateTo(b, { ...profile, members: 3, seed: profile.seed + 1 });
    expect(readFileSync(join(a, 'ndjson/Patient.ndjson'), 'utf8')).not.toBe(readFileSync(join(b, 'ndjson/Patient.ndjson'), 'utf8'));
  });

  it('should make shards 1/3 + 2/3 + 3/3 add up to the unsharded run', () => {
    const whole = newDir();
    generateTo(whole, profile);
    const wholeTree = readTree(whole);
    const shardTrees = [1, 2, 3].map((index) => {
      const dir = newDir();
      generateTo(dir, profile, { shard: { index, count: 3 } });
      return readTree(dir);
    });
    // The attribution Groups list members of every shard: only the whole run writes them (serve derives them for shards).
    const groupFiles = ['bundles/provider-attribution.json', 'ndjson/Group.ndjson'];
    for (const file of groupFiles) expect(wholeTree.has(file), file).toBe(true);
    expect(shardTrees.every((t) => [...t.keys()].every((f) => !/provider-attribution|Group\./.test(f)))).toBe(true);
    // Member and directory bundles: each appears in exactly one shard, with the same bytes.
    const bundleFiles = [...wholeTree.keys()].filter((f) => f.startsWith('bundles/') && !groupFiles.includes(f));
    for (const file of bundleFiles) {
      const holders = shardTrees.filter((t) => t.has(file));
      expect(holders.length, file).toBe(1);
      expect(holders[0]!.get(file)!.equals(wholeTree.get(file)!), file).toBe(true);
    }
    expect(shardTrees.flatMap((t) => [...t.keys()].filter((f) => f.startsWith('bundles/'))).length).toBe(bundleFiles.length);
    // NDJSON: the shards' files concatenated in shard order equal the whole run's file.
    for (const file of [...wholeTree.keys()].filter((f) => f.startsWith('ndjson/') && !groupFiles.includes(f))) {
      const type = file.slice('ndjson/'.length, -'.ndjson'.length);
      const joined = Buffer.concat(
        shardTrees.map((t, i) => t.get(`ndjson/${type}.shard-${i + 1}-of-3.ndjson`) ?? Buffer.alloc(0)),
      );
      expect(joined.equals(wholeTree.get(file)!), file).toBe(true);
    }
    // Manifests: per-type counts of the shards sum to the whole.
    const { Group: _groups, ...wholeCounts } = JSON.parse(wholeTree.get('manifest.json')!.toString()).counts.byType as Record<string, number>;
    const summed: Record<string, number> = {};
    shardTrees.forEach((t, i) => {
      const counts = JSON.parse(t.get(`manifest.shard-${i + 1}-of-3.json`)!.toString()).counts.byType as Record<string, number>;
      for (const [k, v] of Object.entries(counts)) summed[k] = (summed[k] ?? 0) + v;
    });
    expect(summed).toEqual(wholeCounts);
  });

  it('should cover all five EOB profiles in the default population', () => {
    const dir = newDir();
    const manifest = generateTo(dir, profile);
    const eobProfiles = Object.keys(manifest.counts.byProfile).filter((p) => p.includes('ExplanationOfBenefit'));
    for (const name of ['Inpatient-Institutional', 'Outpatient-Institutional', 'Professional-NonClinician', 'Pharmacy', 'Oral']) {
      expect(eobProfiles.some((p) => p.includes(`C4BB-ExplanationOfBenefit-${name}|`)), name).toBe(true);
    }
  });

  it('should write one bundle per member plus the directory and the attribution Groups, and accounts for each member', () => {
    const dir = newDir();
    // Unsplit: a member over --max-bundle-entries is written in parts (test/output/bundle-limit.test.ts).
    const manifest = generateTo(dir, { ...profile, members: 7 }, { maxBundleEntries: 100_000 });
    const bundles = bundleResources(dir);
    // The attribution Groups name members: their file sorts after the members', so loading in name order never refers ahead.
    expect(bundles.map((b) => b.file)).toEqual(['directory.json', ...Array.from({ length: 7 }, (_, i) => `member-${String(i).padStart(6, '0')}.json`), 'provider-attribution.json']);
    const accounts = JSON.parse(readFileSync(join(dir, 'test-accounts.json'), 'utf8')) as { patientId: string }[];
    expect(accounts).toHaveLength(7);
    const csvLines = readFileSync(join(dir, 'test-accounts.csv'), 'utf8').trim().split('\n');
    expect(csvLines).toHaveLength(8);
    for (const [i, account] of accounts.entries()) {
      const patient = bundles[i + 1]!.resources.find((r) => r.resourceType === 'Patient');
      expect(patient?.id).toBe(account.patientId);
    }
    expect(manifest.members.written).toBe(7);
  });

  it('should split members into contiguous shard ranges that cover every index once', () => {
    for (let members = 1; members < 40; members++) {
      for (let count = 1; count <= 7; count++) {
        const seen: number[] = [];
        for (let index = 1; index <= count; index++) {
          const { first, end } = shardRange(members, { index, count });
          for (let m = first; m < end; m++) seen.push(m);
        }
        expect(seen).toEqual(Array.from({ length: members }, (_, i) => i));
      }
    }
  });
});
