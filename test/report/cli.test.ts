import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { runBin } from '../helpers/cli.js';
import { tempDir } from '../helpers/output.js';

const BIN = join('dist', 'src', 'cli', 'bin.js');

/** Runs the built CLI (`npm run build` first) in a child process. */
function fhirseed(args: string[]) {
  if (!existsSync(join('dist', 'src', 'report', 'index.js'))) throw new Error('dist/ has no report command: run npm run build first');
  return runBin(BIN, args, process.cwd());
}

/** Runs the CLI in this process (same parsing and error handling as bin.ts, without process.exit). */
async function inProcess(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

// Each CLI child took up to a minute on a 2-core machine shared with other work (spawnSync, as before, had no limit).
describe('fhirseed report on a generated population', { timeout: 240_000 }, () => {
  const temp = tempDir('fhirseed-report-cli-');
  const out = join(temp.dir, 'out');
  // The population and the reports whose process is not the point are made in this process (a CLI child costs about
  // 1.5 CPU-s to start): the JSON and text reports and the missing path below run the built CLI.
  beforeAll(async () => {
    const g = await inProcess(['generate', '--profile', 'medicare-advantage', '--members', '40', '--out', out]);
    expect(g.code, g.stderr).toBe(0);
  });
  afterAll(() => temp.cleanup());

  it('should print one JSON document whose numbers agree with a direct count of the NDJSON', async () => {
    const r = await fhirseed(['report', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).sort()).toEqual(['absent', 'ageSex', 'books', 'codes', 'members', 'plans', 'resources', 'source', 'states', 'summary', 'targetsFile', 'window']);
    const patients = lines(join(out, 'ndjson', 'Patient.ndjson'));
    const byState = new Map<string, number>();
    for (const p of patients) byState.set(p.address[0].state, (byState.get(p.address[0].state) ?? 0) + 1);
    expect(new Map(report.states.map((s: { state: string; members: number }) => [s.state, s.members]))).toEqual(byState);
    const eobs = lines(join(out, 'ndjson', 'ExplanationOfBenefit.ndjson'));
    expect(report.members.total).toBe(patients.length);
    expect(report.members.byBook.medicare).toBe(patients.length);
    expect(report.resources.ExplanationOfBenefit).toBe(eobs.length);

    const ofProfile = (name: string) => eobs.filter((e) => e.meta.profile.some((p: string) => p.includes(name)));
    const all = report.books.find((b: { book: string }) => b.book === 'all');
    const row = (id: string) => all.rows.find((x: { statistic: string; population: { minAge?: number } }) => x.statistic === id && x.population.minAge === undefined);
    for (const [statistic, profile] of [['lines-per-claim.inpatient', 'Inpatient'], ['lines-per-claim.professional', 'Professional'], ['lines-per-claim.pharmacy', 'Pharmacy']]) {
      const claims = ofProfile(profile!);
      const items = claims.reduce((n, e) => n + e.item.length, 0);
      const x = row(statistic!);
      expect(x.denominator).toEqual({ value: claims.length, unit: 'claims' });
      expect(x.measured * claims.length).toBeCloseTo(items, 6);
    }
    const pharmacyClaims = row('claims-per-member-year.pharmacy');
    expect(pharmacyClaims.measured * pharmacyClaims.denominator.value).toBeCloseTo(ofProfile('Pharmacy').length, 6);
    expect(pharmacyClaims.denominator.value).toBeCloseTo(all.memberYears, 10);

    const icd = new Set<string>();
    for (const file of ['ExplanationOfBenefit', 'Condition']) {
      const text = readFileSync(join(out, 'ndjson', `${file}.ndjson`), 'utf8');
      for (const m of text.matchAll(/"system":"http:\/\/hl7\.org\/fhir\/sid\/icd-10-cm","code":"([^"]+)"/g)) icd.add(m[1]!);
    }
    expect(report.codes.find((c: { name: string }) => c.name === 'ICD-10-CM').distinct).toBe(icd.size);

    const medicare = report.books.find((b: { book: string }) => b.book === 'medicare');
    const admissions = medicare.rows.find((x: { statistic: string }) => x.statistic === 'admissions-per-1000');
    expect(admissions.target).toMatchObject({ id: '4a', value: 259, source: expect.stringContaining('CMS') });
    expect(['pass', 'fail', 'n too small']).toContain(admissions.result);
    const ageTotal = report.ageSex.reduce((n: number, a: { female: number; male: number; other: number }) => n + a.female + a.male + a.other, 0);
    expect(ageTotal).toBe(patients.length);
  });

  it('should print the tables as text, reading the bundles alone the same as the NDJSON', async () => {
    const text = await fhirseed(['report', out]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^medicare — 40 members, \d+ with exposure/m);
    expect(text.stdout).toMatch(/^\s+4a\s+inpatient admissions per 1,000 member-years/m);
    const fromNdjson = JSON.parse((await inProcess(['report', join(out, 'ndjson'), '--json'])).stdout);
    const fromBundles = JSON.parse((await inProcess(['report', join(out, 'bundles'), '--json'])).stdout);
    expect(fromBundles.books).toEqual(fromNdjson.books);
  });

  it('should measure against the rows of --targets instead of the built-in ones', async () => {
    const file = join(temp.dir, 'targets.yaml');
    writeFileSync(file, 'targets:\n  - { id: mine, statistic: deaths-per-1000, book: medicare, target: 45, tolerance: { min: 35, max: 55 }, source: "CDC life tables" }\n');
    const report = JSON.parse((await inProcess(['report', out, '--json', '--targets', file])).stdout);
    const targeted = report.books.flatMap((b: { rows: { target: unknown }[] }) => b.rows.filter((x) => x.target));
    expect(targeted).toHaveLength(1);
    expect(targeted[0].target).toEqual({ id: 'mine', value: 45, tolerance: { min: 35, max: 55 }, low: 35, high: 55, source: 'CDC life tables' });
    expect(report.targetsFile).toBe(file);
  });
});

describe('fhirseed report on bad input', { timeout: 120_000 }, () => {
  const temp = tempDir('fhirseed-report-bad-');
  afterAll(() => temp.cleanup());
  const oneLine = (r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  };
  const patient = JSON.stringify({ resourceType: 'Patient', id: 'p1', birthDate: '1970-01-01', gender: 'female' });

  it('should name a path that does not exist, exit 2 and print no stack trace (child process)', async () => {
    oneLine(await fhirseed(['report', join(temp.dir, 'nope')]), /^fhirseed: .*nope: cannot read \(ENOENT\)\n$/);
  });

  it('should say when a directory holds no FHIR data', async () => {
    const dir = join(temp.dir, 'empty');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), '{"run": "x"}');
    oneLine(await inProcess(['report', dir]), /^fhirseed: .*empty: no FHIR resources found/);
  });

  it('should name the file, line and column of a corrupt NDJSON line', async () => {
    const dir = join(temp.dir, 'corrupt-ndjson');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Patient.ndjson'), `${patient}\n\n{"resourceType": "Patient", "id": x}\n`);
    oneLine(await inProcess(['report', dir]), new RegExp(`^fhirseed: ${join(dir, 'Patient.ndjson').replace(/[.]/g, '\\.')}:3:35: not JSON \\(Unexpected token 'x'\\)\n$`));
    writeFileSync(join(dir, 'Patient.ndjson'), `\uFEFF${patient}\n{"resourceType": "Patient" "id": "a"}\n{"resourceType": "Patient", "id": \n`);
    oneLine(await inProcess(['report', dir]), /Patient\.ndjson:2:28: not JSON \(Expected ',' or '}' after property value\)\n$/);
  });

  it('should name a corrupt JSON file', async () => {
    const dir = join(temp.dir, 'corrupt-json');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.ndjson'), `${patient}\n`);
    writeFileSync(join(dir, 'b.json'), '{"resourceType": "Bundle", "entry": [');
    oneLine(await inProcess(['report', dir]), /^fhirseed: .*corrupt-json\/b\.json:1:38: not JSON \(.+\)\n$/);
  });

  it('should point at the line and column of a bad targets row', async () => {
    const dir = join(temp.dir, 'ok');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.ndjson'), `${patient}\n`);
    const file = join(temp.dir, 'bad-targets.yaml');
    writeFileSync(file, 'targets:\n  - id: "1"\n    statistic: admissions-per-1000\n    target: 50\n    tolerance: { relative: 0.3 }\n    source: x\n  - id: "2"\n    statistic: scurvy-per-1000\n    target: 1\n    tolerance: { absolute: 1 }\n    source: y\n');
    oneLine(await inProcess(['report', dir, '--targets', file]), /^fhirseed: .*bad-targets\.yaml:8:16: targets\[1\]\.statistic: unknown statistic 'scurvy-per-1000'/);
    oneLine(await inProcess(['report', dir, '--targets', join(temp.dir, 'missing.yaml')]), /^fhirseed: .*missing\.yaml: cannot read the targets file \(ENOENT\)\n$/);
  });
});
