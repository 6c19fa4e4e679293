// src/output/generate.ts, workers.ts, member-builder.ts and attribution.ts on tiny populations (issue 19): the
// manifest worked out from the files written, the checks made before any work, a failing or interrupted run leaving
// --out as it was, shards, and what each IG selection builds (worker threads: output-workers.test.ts). Each
// population is 2-4 members of the default profile, mostly with the PDex IG alone (its directory is the smallest):
// a run takes 0.3-2 s, and Stryker switches mutants on per test, so every run is made inside its test.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_OPTION_NAMES, generate, generateAsync, shardRange, type Manifest } from '../../src/output/generate.js';
import type { Profile } from '../../src/profile/types.js';
import { Interrupted, UserError } from '../../src/util/errors.js';
import { codeMaps, readTree, shippedProfile, tempDir } from '../helpers/output.js';
import { rejected, thrown } from '../helpers/thrown.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));
function newDir(): string {
  const t = tempDir('fhirseed-k-generate-');
  temps.push(t.cleanup);
  return t.dir;
}

const base: Profile = shippedProfile('default');
const tiny = (members = 3): Profile => ({ ...base, members });
const packageVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

/** The resources of every NDJSON file of dir. */
function ndjson(dir: string): Resource[] {
  if (!existsSync(join(dir, 'ndjson'))) return [];
  return readdirSync(join(dir, 'ndjson')).sort().flatMap((f) => readFileSync(join(dir, 'ndjson', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Resource));
}

/** What a manifest should count, worked out from the NDJSON written. */
function countsOf(resources: Resource[]): Manifest['counts'] {
  const byType: Record<string, number> = {};
  const byProfile: Record<string, number> = {};
  for (const r of resources) {
    byType[r.resourceType] = (byType[r.resourceType] ?? 0) + 1;
    for (const p of r.meta?.profile ?? []) byProfile[p] = (byProfile[p] ?? 0) + 1;
  }
  return { byType, byProfile };
}

const sorted = (keys: string[]) => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const leftovers = (parent: string) => readdirSync(parent).filter((e) => e.includes('.fhirseed-'));

describe('shardRange', () => {
  it('should cut the members into contiguous ranges that cover them once', () => {
    expect(shardRange(10, undefined)).toEqual({ first: 0, end: 10 });
    expect(shardRange(10, { index: 1, count: 1 })).toEqual({ first: 0, end: 10 });
    expect([1, 2, 3].map((index) => shardRange(10, { index, count: 3 }))).toEqual([{ first: 0, end: 3 }, { first: 3, end: 6 }, { first: 6, end: 10 }]);
    expect([1, 2, 3, 4].map((index) => shardRange(3, { index, count: 4 }))).toEqual([{ first: 0, end: 0 }, { first: 0, end: 1 }, { first: 1, end: 2 }, { first: 2, end: 3 }]);
  });

  it('should refuse a shard that is not i/N with 1 ≤ i ≤ N', () => {
    for (const [index, count] of [[0, 2], [3, 2], [1, 0], [0, 0], [1.5, 2], [1, 2.5], [-1, 2]] as const) {
      const error = thrown(() => shardRange(10, { index, count }));
      expect(error, `${index}/${count}`).toBeInstanceOf(UserError);
      expect(error.message).toBe(`--shard ${index}/${count}: expected i/N with 1 ≤ i ≤ N`);
    }
    expect(shardRange(10, { index: 2, count: 2 })).toEqual({ first: 5, end: 10 });
  });
});

describe('generate', () => {
  it('should write a manifest that names the run and counts exactly what the files hold, and report progress per member', () => {
    const out = join(newDir(), 'out');
    const targets = [{ metric: 'm', target: 1 }] as unknown as Profile['targets'];
    const progress: [number, number][] = [];
    const manifest = generate({ profile: { ...tiny(3), targets }, out, codeMaps, igs: ['pdex'], profileFile: 'profiles/x.yaml', onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([[1, 3], [2, 3], [3, 3]]);
    const text = readFileSync(join(out, 'manifest.json'), 'utf8');
    expect(text).toBe(`${JSON.stringify(manifest, null, 2)}\n`);
    const written = JSON.parse(text) as Manifest;
    expect(written).toMatchObject({
      generator: 'fhirseed', version: packageVersion, profile: 'default', profileFile: 'profiles/x.yaml', seed: base.seed, runId: `default-${base.seed}`,
      now: base.period.end, igs: { 'hl7.fhir.us.davinci-pdex': '2.0.0' }, members: { total: 3, first: 0, last: 2, written: 3 }, targets,
    });
    expect('shard' in written).toBe(false);
    const counts = countsOf(ndjson(out));
    expect(written.counts).toEqual(counts);
    expect(Object.keys(written.counts.byType)).toEqual(sorted(Object.keys(counts.byType)));
    expect(Object.keys(written.counts.byProfile)).toEqual(sorted(Object.keys(counts.byProfile)));
    expect(Object.keys(counts.byType).length).toBeGreaterThan(2);
    // Every file written is listed (but the manifest and each member's first bundle, which outputState derives), sorted.
    const tree = [...readTree(out).keys()];
    expect(written.files).toEqual(sorted(written.files));
    expect(written.files).toEqual(sorted(tree.filter((f) => f !== 'manifest.json' && !/^bundles\/member-\d{6}\.json$/.test(f))));
    expect(written.files).toEqual(expect.arrayContaining(['brands.json', 'bundles/directory.json', 'test-accounts.csv', 'test-accounts.json', 'ndjson/Patient.ndjson']));
    expect(tree.filter((f) => /^bundles\/member-\d{6}\.json$/.test(f)).sort()).toEqual(['bundles/member-000000.json', 'bundles/member-000001.json', 'bundles/member-000002.json']);
    const brands = readFileSync(join(out, 'brands.json'), 'utf8');
    expect(brands).toBe(`${JSON.stringify(JSON.parse(brands), null, 2)}\n`);
    expect(JSON.parse(brands).resourceType).toBe('Bundle');
    expect(leftovers(join(out, '..'))).toEqual([]);
  });

  it('should take the run id, now, formats, bundle size and indentation given', () => {
    const out = join(newDir(), 'out');
    const manifest = generate({ profile: tiny(2), out, codeMaps, igs: ['pdex'], runId: 'my.run-1', now: '2025-06-30', formats: ['ndjson'], usCoreVersion: '3.1.1' });
    expect(manifest).toMatchObject({ runId: 'my.run-1', now: '2025-06-30', members: { written: 2 } });
    expect(existsSync(join(out, 'bundles'))).toBe(false);
    const resources = ndjson(out);
    expect(resources.every((r) => r.meta?.tag?.some((t) => t.code === 'my.run-1'))).toBe(true);
    expect(resources.every((r) => r.meta?.lastUpdated === '2025-06-30T00:00:00Z')).toBe(true);

    const pretty = join(newDir(), 'out');
    const split = generate({ profile: tiny(2), out: pretty, codeMaps, igs: ['pdex'], pretty: true, maxBundleEntries: 3 });
    const member = readFileSync(join(pretty, 'bundles', 'member-000000.json'), 'utf8');
    expect(member).toBe(`${JSON.stringify(JSON.parse(member), null, 2)}\n`);
    expect(JSON.parse(member).entry.length).toBeLessThanOrEqual(3);
    expect(split.files).toContain('bundles/member-000000-2.json');
    const compact = join(newDir(), 'out');
    generate({ profile: tiny(1), out: compact, codeMaps, igs: ['pdex'] });
    const one = readFileSync(join(compact, 'bundles', 'member-000000.json'), 'utf8');
    expect(one.trimEnd().includes('\n')).toBe(false);
    expect(JSON.parse(one).entry.length).toBeGreaterThan(3);
  });

  it('should check now, the run id, the shard and out before any work, naming each by its property (options.now…), not the CLI option', () => {
    const parent = newDir();
    const out = join(parent, 'out');
    const run = (o: object, profile = tiny(2)) => thrown(() => generate({ profile, out, codeMaps, igs: ['pdex'], ...o }));
    expect(run({ now: '2025-02-30' }).message).toBe('options.now 2025-02-30: not a calendar date');
    expect(run({ runId: 'a b' }).message).toMatch(/^options\.runId "a b": expected 1–64 letters/);
    expect(run({}, { ...tiny(2), name: 'my plan' }).message).toMatch(/^run id \(from profile name and seed\) "my plan-20260101": expected/);
    expect(run({ shard: { index: 3, count: 2 } }).message).toBe('options.shard 3/2: expected i/N with 1 ≤ i ≤ N');
    writeFileSync(join(parent, 'notes.txt'), '');
    const under = join(parent, 'notes.txt', 'out');
    expect(thrown(() => generate({ profile: tiny(2), out: under, codeMaps, igs: ['pdex'] })).message).toBe(`options.out ${under}: ${join(parent, 'notes.txt')} is a file, not a directory`);
    expect(thrown(() => generate({ profile: tiny(2), out: parent, codeMaps, igs: ['pdex'] })).message).toMatch(/holds files fhirseed did not write \(notes\.txt\); choose an empty options\.out directory$/);
    // The CLI's names when it passes them (its own checks name --out, … before this: test/cli/archive-path.test.ts).
    expect(thrown(() => generate({ profile: tiny(2), out, codeMaps, igs: ['pdex'], now: '2025-02-30' }, CLI_OPTION_NAMES)).message).toBe('--now 2025-02-30: not a calendar date');
    expect(readdirSync(parent)).toEqual(['notes.txt']);
  });

  it("should leave --out as it was when a run fails, and name a full disk as the environment's", () => {
    const parent = newDir();
    const out = join(parent, 'out');
    mkdirSync(join(out, 'seed-state'), { recursive: true });
    writeFileSync(join(out, 'seed-state', 'x'), 'kept');
    const fail = (error: Error) => thrown(() => generate({ profile: tiny(3), out, codeMaps, igs: ['pdex'], onProgress: (d) => { if (d === 2) throw error; } }));
    const full = fail(Object.assign(new Error('write'), { code: 'ENOSPC' }));
    expect(full).toBeInstanceOf(UserError);
    expect(full.message).toBe(`cannot write the output for ${out}: no space left on the device (ENOSPC); removed the partial output, ${out} is as it was`);
    const bug = new Error('bug');
    expect(fail(bug)).toBe(bug);
    expect(readdirSync(parent)).toEqual(['out']);
    expect([...readTree(out).keys()]).toEqual(['seed-state/x']);
  });

  it('should hand the finished directory and its manifest to beforePlace before --out changes, and keep --out when it throws', () => {
    const parent = newDir();
    const out = join(parent, 'out');
    let seen: { dir: string; files: string[]; manifest: Manifest; outThen: boolean } | undefined;
    const manifest = generate({ profile: tiny(2), out, codeMaps, igs: ['pdex'], beforePlace: (dir, m) => { seen = { dir, files: readdirSync(dir), manifest: m, outThen: existsSync(out) }; } });
    expect(seen!.dir).toBe(join(parent, `.out.fhirseed-tmp-${process.pid}`));
    expect(seen!.files).toContain('manifest.json');
    expect(seen!.manifest).toBe(manifest);
    expect(seen!.outThen).toBe(false);
    const before = readTree(out);
    expect(() => generate({ profile: { ...tiny(2), seed: 5 }, out, codeMaps, igs: ['pdex'], beforePlace: () => { throw new Error('archive failed'); } })).toThrow('archive failed');
    expect(readTree(out)).toEqual(before);
    expect(leftovers(parent)).toEqual([]);
  });

  it('should write a shard its members, its suffixed manifest and no directory, brands or Groups, and a shard of one as a whole run', () => {
    const parent = newDir();
    const out = join(parent, 'out');
    const progress: [number, number][] = [];
    const second = generate({ profile: tiny(3), out, codeMaps, igs: ['us-core'], shard: { index: 2, count: 2 }, onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([[1, 2], [2, 2]]); // counted within the shard
    expect(second.members).toEqual({ total: 3, first: 1, last: 2, written: 2 });
    expect(second.shard).toEqual({ index: 2, count: 2 });
    const files = [...readTree(out).keys()];
    expect(files).toContain('manifest.shard-2-of-2.json');
    expect(files.filter((f) => /brands|directory|provider-attribution|Group|manifest\.json/.test(f))).toEqual([]);
    expect(files.filter((f) => /^bundles\/member-\d{6}\.json$/.test(f)).sort()).toEqual(['bundles/member-000001.json', 'bundles/member-000002.json']);
    expect(JSON.parse(readFileSync(join(out, 'manifest.shard-2-of-2.json'), 'utf8'))).toEqual(second);
    const first = generate({ profile: tiny(3), out, codeMaps, igs: ['us-core'], shard: { index: 1, count: 2 } });
    expect(first.members).toEqual({ total: 3, first: 0, last: 0, written: 1 });
    expect(existsSync(join(out, 'bundles', 'directory.json'))).toBe(true);
    expect(existsSync(join(out, 'brands.json'))).toBe(true);
    expect(existsSync(join(out, 'manifest.shard-2-of-2.json'))).toBe(true); // the other shard's files stay

    const whole = join(parent, 'whole');
    const one = generate({ profile: tiny(3), out: whole, codeMaps, igs: ['us-core'], shard: { index: 1, count: 1 }, usCoreVersion: '3.1.1' });
    expect(one.igs).toEqual({ 'hl7.fhir.us.core': '3.1.1' });
    expect(readdirSync(whole)).toContain('manifest.json');
    // The attribution Groups, counted as Group lines of the NDJSON and in the manifest.
    expect(one.counts.byType.Group).toBeGreaterThan(0);
    expect(one.files).toContain('bundles/provider-attribution.json');
    const groups = readFileSync(join(whole, 'ndjson', 'Group.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(groups.length).toBe(one.counts.byType.Group);
  });
});

describe('generate over an earlier run', () => {
  it("should replace a whole run entirely, and a shard's own earlier files (its split bundles too)", () => {
    const parent = newDir();
    const keys = (dir: string) => [...readTree(dir).keys()].sort();
    const fresh = join(parent, 'fresh');
    generate({ profile: tiny(3), out: fresh, codeMaps, igs: ['pdex'] });
    for (const shard of [undefined, { index: 1, count: 1 }]) {
      const out = join(parent, `out-${shard ? 'one' : 'whole'}`);
      generate({ profile: tiny(4), out, codeMaps, igs: ['pdex'], maxBundleEntries: 4 });
      generate({ profile: tiny(3), out, codeMaps, igs: ['pdex'], shard });
      expect(keys(out)).toEqual(keys(fresh));
    }
    const sharded = join(parent, 'sharded');
    generate({ profile: tiny(3), out: sharded, codeMaps, igs: ['pdex'], shard: { index: 2, count: 2 }, maxBundleEntries: 2 });
    expect(keys(sharded).filter((f) => /^bundles\/member-\d+-\d+\.json$/.test(f)).length).toBeGreaterThan(0);
    generate({ profile: tiny(3), out: sharded, codeMaps, igs: ['pdex'], shard: { index: 2, count: 2 } });
    expect(keys(sharded).filter((f) => f.startsWith('bundles/'))).toEqual(['bundles/member-000001.json', 'bundles/member-000002.json']);
  });
});

describe('generateAsync', () => {
  it('should write the same bytes as generate with one job, reporting progress per member', async () => {
    const options = { profile: tiny(4), codeMaps, igs: ['pdex' as const], maxBundleEntries: 4 };
    const sync = join(newDir(), 'out');
    generate({ ...options, out: sync });
    const one = join(newDir(), 'out');
    const progress: number[] = [];
    await generateAsync({ ...options, out: one, jobs: 1, onProgress: (d, t) => progress.push(d * 10 + t) });
    expect(progress).toEqual([14, 24, 34, 44]);
    const reference = readTree(sync);
    expect(reference.size).toBeGreaterThan(8);
    expect(readTree(one)).toEqual(reference);
  });

  it('should stop when the signal aborts, remove the partial output and leave --out as it was (exit 130)', async () => {
    const parent = newDir();
    const out = join(parent, 'out');
    mkdirSync(join(out, 'screenshots'), { recursive: true });
    writeFileSync(join(out, 'screenshots', 'a.png'), 'png');
    for (const at of [0, 1, 3]) { // 3: the last member, after which only the abort check after it stops the run
      const controller = new AbortController();
      if (at === 0) controller.abort();
      const done: number[] = [];
      const error = await rejected(generateAsync({ profile: tiny(3), out, codeMaps, igs: ['pdex'], signal: controller.signal, onProgress: (d) => { done.push(d); if (d === at) controller.abort(); } }));
      expect(error).toBeInstanceOf(Interrupted);
      expect((error as Interrupted).exitCode).toBe(130);
      expect(error.message).toBe(`interrupted; nothing of this run was kept, ${out} is as it was`);
      expect(done).toEqual(at === 0 ? [] : Array.from({ length: at }, (_, i) => i + 1));
      expect([...readTree(out).keys()]).toEqual(['screenshots/a.png']);
      expect(leftovers(parent)).toEqual([]);
    }
  });

  it('should write a shard its members and what its manifest lists, without the directory, counting progress within it', async () => {
    const out = join(newDir(), 'out');
    const progress: [number, number][] = [];
    const second = await generateAsync({ profile: tiny(3), out, codeMaps, igs: ['pdex'], shard: { index: 2, count: 2 }, onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([[1, 2], [2, 2]]);
    const files = [...readTree(out).keys()].sort();
    expect(files.filter((f) => /directory|brands/.test(f))).toEqual([]);
    // Every file but the manifest, less the first bundle of each member (implied by the members range).
    expect(second.files).toEqual(files.filter((f) => f !== 'manifest.shard-2-of-2.json' && !/^bundles\/member-\d{6}\.json$/.test(f)));
    const first = await generateAsync({ profile: tiny(3), out, codeMaps, igs: ['pdex'], shard: { index: 1, count: 2 } }); // no onProgress
    expect(first.members).toEqual({ total: 3, first: 0, last: 0, written: 1 });
    expect(existsSync(join(out, 'bundles', 'directory.json'))).toBe(true);
  });

  it("should name a full disk as the environment's and remove the partial output", async () => {
    const parent = newDir();
    const out = join(parent, 'out');
    const error = await rejected(generateAsync({ profile: tiny(2), out, codeMaps, igs: ['pdex'], onProgress: () => { throw Object.assign(new Error('write'), { code: 'EDQUOT' }); } }));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/: the disk quota is exceeded \(EDQUOT\); removed the partial output/);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('what each IG selection builds (memberBuilder)', () => {
  const canonical: Record<string, string> = {
    'carin-bb': 'http://hl7.org/fhir/us/carin-bb/', 'us-core': 'http://hl7.org/fhir/us/core/', 'plan-net': 'http://hl7.org/fhir/us/davinci-pdex-plan-net/',
    formulary: 'http://hl7.org/fhir/us/davinci-drug-formulary/', pdex: 'http://hl7.org/fhir/us/davinci-pdex/',
  };
  /** Without `igs`: neither the option nor the profile names any (a profile made in code), so every IG. */
  const run = (igs?: (keyof typeof canonical)[]) => {
    const out = join(newDir(), 'out');
    const manifest = generate({ profile: igs ? tiny(2) : { ...tiny(2), igs: undefined }, out, codeMaps, ...(igs ? { igs: igs as never } : {}) });
    const resources = ndjson(out);
    const igsClaimed = new Set(resources.flatMap((r) => r.meta?.profile ?? []).map((p) => Object.keys(canonical).find((ig) => p.startsWith(canonical[ig]!)) ?? 'base'));
    return { manifest, types: new Set<string>(resources.map((r) => r.resourceType)), igsClaimed };
  };

  it('should build the CARIN BB EOBs and its directory only, claiming no other IG', () => {
    const { types, igsClaimed } = run(['carin-bb']);
    expect([...types].sort()).toEqual(['Coverage', 'ExplanationOfBenefit', 'Organization', 'Patient', 'Practitioner']);
    expect([...igsClaimed].sort()).toEqual(['carin-bb']);
  });

  it('should build the US Core record, its directory and the attribution Groups without EOBs', () => {
    const { types, igsClaimed } = run(['us-core']);
    for (const t of ['Condition', 'Observation', 'PractitionerRole', 'Questionnaire', 'Group', 'Location']) expect(types.has(t), t).toBe(true);
    expect(types.has('ExplanationOfBenefit')).toBe(false);
    expect(igsClaimed.has('us-core')).toBe(true);
    expect([...igsClaimed].filter((ig) => ig !== 'us-core' && ig !== 'base')).toEqual([]);
  });

  it("should build Plan-Net's directory on the care directory without US Core's questionnaire, and the formulary's drugs", () => {
    const planNet = run(['plan-net']);
    for (const t of ['InsurancePlan', 'PractitionerRole', 'HealthcareService', 'OrganizationAffiliation', 'Endpoint']) expect(planNet.types.has(t), t).toBe(true);
    expect(planNet.types.has('Questionnaire') || planNet.types.has('ExplanationOfBenefit')).toBe(false);
    expect([...planNet.igsClaimed].filter((ig) => ig !== 'base')).toEqual(['plan-net']);
    const formulary = run(['formulary']);
    for (const t of ['MedicationKnowledge', 'Basic', 'InsurancePlan']) expect(formulary.types.has(t), t).toBe(true);
    expect(formulary.types.has('PractitionerRole')).toBe(false);
    expect([...formulary.igsClaimed].filter((ig) => ig !== 'base')).toEqual(['formulary']);
  });

  it("should build PDex's prior authorizations only for the PDex IG, and every IG's resources when none is named", () => {
    const pdex = run(['pdex']);
    expect(pdex.types.has('ExplanationOfBenefit')).toBe(true);
    expect([...pdex.igsClaimed].filter((ig) => ig !== 'base')).toEqual(['pdex']);
    const all = run();
    expect(Object.keys(all.manifest.igs)).toEqual(['hl7.fhir.us.carin-bb', 'hl7.fhir.us.core', 'hl7.fhir.us.davinci-pdex-plan-net', 'hl7.fhir.us.davinci-drug-formulary', 'hl7.fhir.us.davinci-pdex']);
    expect([...all.igsClaimed].filter((ig) => ig !== 'base').sort()).toEqual(['carin-bb', 'formulary', 'pdex', 'plan-net', 'us-core']);
    for (const t of ['ExplanationOfBenefit', 'Condition', 'InsurancePlan', 'MedicationKnowledge', 'Group', 'Questionnaire']) expect(all.types.has(t), t).toBe(true);
    expect(all.manifest.counts.byType.ExplanationOfBenefit).toBeGreaterThan(pdex.manifest.counts.byType.ExplanationOfBenefit!);
  });
});
