import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExplanationOfBenefit, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { detailedReport } from '../../src/report/index.js';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { coverage, eob, ICD10CM, patient, writeNdjson } from './builders.js';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

const temp = tempDir('fhirseed-report-html-');
afterAll(() => temp.cleanup());

/** Three members, four claims whose allowed, paid and member liability fall in known bins. */
function population(): Resource[] {
  const withLiability: ExplanationOfBenefit = eob('e4', 'b', 'pharmacy', { start: '2025-06-01', lines: [{ allowed: 30, paid: 20 }], daysSupply: 30 });
  withLiability.item![0]!.adjudication!.push({ category: { coding: [{ code: 'memberliability' }] }, amount: { value: 0.5, currency: 'USD' } });
  const gold = coverage('c1', 'a', 'HIP', '2025-01-01', '2025-12-31');
  gold.class!.push({ type: { coding: [{ code: 'plan' }] }, value: 'P1', name: 'Gold PPO' });
  return [
    patient('a', '1980-02-01', 'female'),
    patient('b', '1950-02-01', 'male'),
    patient('c', '2010-02-01', 'male'),
    gold,
    coverage('c2', 'b', 'HIP', '2025-01-01', '2025-12-31'),
    coverage('c3', 'c', 'HIP', '2025-01-01', '2025-12-31'),
    eob('e1', 'a', 'professional', { start: '2025-01-10', lines: [{ allowed: 120, paid: 100 }], dx: ['E11.9'] }),
    eob('e2', 'a', 'professional', { start: '2025-03-10', lines: [{ allowed: 60, paid: 60 }], dx: ['E11.9', 'I10'] }),
    eob('e3', 'b', 'inpatient', { start: '2025-05-01', end: '2025-05-04', lines: [{ allowed: 9000, paid: 7000 }, { allowed: 3000, paid: 2600 }], admission: { start: '2025-05-01', end: '2025-05-04' } }),
    withLiability,
  ];
}

describe('report details for the HTML page', () => {
  const dir = join(temp.dir, 'small');
  beforeAll(() => writeNdjson(dir, population()));

  it('should bin per-claim allowed, paid and member liability (memberliability when present, else allowed − paid)', async () => {
    const { details } = await detailedReport(dir);
    const counts = (bins: { label: string; claims: number }[]) => Object.fromEntries(bins.filter((b) => b.claims).map((b) => [b.label, b.claims]));
    expect(counts(details.distributions.allowed)).toEqual({ '$25–50': 1, '$50–100': 1, '$100–250': 1, '$10k–25k': 1 });
    expect(counts(details.distributions.paid)).toEqual({ '$1–25': 1, '$50–100': 1, '$100–250': 1, '$5k–10k': 1 });
    // e1 20, e2 0, e3 2,400, e4 0.50 (its memberliability, not 30 − 20).
    expect(counts(details.distributions.memberLiability)).toEqual({ '< $1': 2, '$1–25': 1, '$1k–2.5k': 1 });
    expect(details.distributions.allowed.map((b) => b.label)).toEqual(['< $1', '$1–25', '$25–50', '$50–100', '$100–250', '$250–500', '$500–1k', '$1k–2.5k', '$2.5k–5k', '$5k–10k', '$10k–25k', '$25k–50k', '$50k–100k', '$100k+']);
  });

  it('should count coverages per plan, resources per type and profile, and the top codes per system', async () => {
    const { details } = await detailedReport(dir);
    expect(details.plans).toEqual([
      { book: 'commercial', plan: '(no plan class)', coverages: 2 },
      { book: 'commercial', plan: 'Gold PPO', coverages: 1 },
    ]);
    expect(details.profiles).toContainEqual({ type: 'ExplanationOfBenefit', profile: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician', resources: 2 });
    expect(details.profiles).toContainEqual({ type: 'Patient', profile: null, resources: 3 });
    const icd = details.topCodes.find((s) => s.system === ICD10CM)!;
    expect(icd.distinct).toBe(2);
    expect(icd.top.map((c) => [c.code, c.codings])).toEqual([['E11.9', 2], ['I10', 1]]);
  });
});

describe('report --html from the command line', () => {
  const dir = join(temp.dir, 'cli');
  beforeAll(() => writeNdjson(dir, population()));

  it('should write the page and say so in one line', async () => {
    const file = join(temp.dir, 'page.html');
    const r = await cli(['report', dir, '--html', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fhirseed: wrote the HTML report of 3 members to .*page\.html \(\d+ KiB\)\n$/);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('data-chart="pyramid"');
    expect(html).toContain('Gold PPO');
    expect(html).toContain('No validation report');
  });

  it('should still print the JSON report on stdout with --json', async () => {
    const file = join(temp.dir, 'page-json.html');
    const r = await cli(['report', dir, '--html', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).members.total).toBe(3);
    expect(existsSync(file)).toBe(true);
  });

  it.each([
    ['a directory that does not exist', (d: string) => join(d, 'no-such-dir', 'r.html'), /^fhirseed: --html .*no-such-dir\/r\.html: cannot write \(ENOENT\)\n$/],
    ['a directory', (d: string) => d, /^fhirseed: --html .*: cannot write \(EISDIR\)\n$/],
  ])('should refuse an --html path in %s: one line, exit 2', async (_name, path, message) => {
    const r = await cli(['report', dir, '--html', path(temp.dir)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('should name the file, line and column of a corrupt NDJSON line, exit 2, and write no page', async () => {
    const bad = join(temp.dir, 'corrupt');
    mkdirSync(bad);
    writeFileSync(join(bad, 'Patient.ndjson'), `${JSON.stringify(patient('a', '1980-01-01', 'female'))}\n{"resourceType":"Patient",\n`);
    const file = join(temp.dir, 'corrupt.html');
    const r = await cli(['report', bad, '--html', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fhirseed: ${join(bad, 'Patient.ndjson')}:2:27: not JSON (Expected double-quoted property name)\n`);
    expect(existsSync(file)).toBe(false);
  });

  it('should check the --html path before reading any data', async () => {
    const bad = join(temp.dir, 'corrupt-too');
    mkdirSync(bad);
    writeFileSync(join(bad, 'Patient.ndjson'), '{not json\n');
    const r = await cli(['report', bad, '--html', join(temp.dir, 'missing', 'r.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fhirseed: --html .*missing\/r\.html: cannot write \(ENOENT\)\n$/);
  });

  it('should say a directory holds no FHIR data: one line, exit 2, no page', async () => {
    const empty = join(temp.dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'nothing here');
    const file = join(temp.dir, 'empty.html');
    const r = await cli(['report', empty, '--html', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fhirseed: .*empty: no FHIR resources found .*\n$/);
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    ['not JSON', '{"resources": 3,', /^fhirseed: --validation .*v\.json:1:17: not JSON \(Expected double-quoted property name\)\n$/],
    ['JSON of another kind', '{"resourceType":"Patient"}', /^fhirseed: --validation .*v\.json: not a 'fhirseed validate --json' report .*\n$/],
  ])('should refuse a --validation file that is %s: one line, exit 2', async (_name, text, message) => {
    const v = join(temp.dir, 'v.json');
    writeFileSync(v, text);
    const r = await cli(['report', dir, '--html', join(temp.dir, 'v.html'), '--validation', v]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('should refuse --validation or --validate without --html', async () => {
    const r = await cli(['report', dir, '--validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('fhirseed: --validate goes with --html FILE\n');
  });

  it('should show must-support elements judged not applicable with their reason, out of the denominator', async () => {
    const validation = join(temp.dir, 'validation.json');
    const network = {
      profile: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/plannet-Network', name: 'PlannetNetwork', resources: 5, covered: 20, total: 22, missing: [],
      notApplicable: [{ id: 'Organization.telecom', reason: 'the profile prohibits it (max 0)' }, { id: 'Organization.identifier:NPI', reason: 'a network is not a health care provider', source: '45 CFR 162.410' }],
    };
    writeFileSync(validation, JSON.stringify({ resources: 10, errors: 0, warnings: 0, readProblems: [], errorsByProfile: {}, issues: [], notes: [], coverage: [{ ig: 'hl7.fhir.us.davinci-pdex-plan-net#1.1.0', profiles: [network], unclaimed: [] }] }));
    const file = join(temp.dir, 'not-applicable.html');
    const r = await cli(['report', dir, '--html', file, '--validation', validation]);
    expect(r.stderr).toBe('');
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('n/a Organization.identifier:NPI (a network is not a health care provider)');
    expect(html).not.toContain('n/a Organization.telecom');
    expect(html).toContain('>20/20<');
  });

  // F9 of session 17's trial: a US Core 6.1.0 validation was shown on a 3.1.1 output's page.
  it.each([
    ['of other IGs than the output was generated for', 'hl7.fhir.us.core#6.1.0', 10, /^fhirseed: --validation .*other\.json: validates against hl7\.fhir\.us\.core#6\.1\.0, but .* was generated for hl7\.fhir\.us\.carin-bb#2\.0\.0, hl7\.fhir\.us\.core#3\.1\.1; give the output of 'fhirseed validate .* --json', or use --validate\n$/],
    ['of another number of resources', 'hl7.fhir.us.core#3.1.1', 2572, /^fhirseed: --validation .*other\.json: validated 2,572 resources, but .* holds 10; give the output of/],
  ])('should refuse a --validation report %s: one line naming both, exit 2, no page', async (_name, ig, resources, message) => {
    const out = join(temp.dir, 'generated');
    writeNdjson(out, population());
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ generator: 'fhirseed', igs: { 'hl7.fhir.us.carin-bb': '2.0.0', 'hl7.fhir.us.core': '3.1.1' } }));
    const other = join(temp.dir, 'other.json');
    writeFileSync(other, JSON.stringify({ resources, errors: 0, warnings: 0, readProblems: [], errorsByProfile: {}, issues: [], notes: [], coverage: [{ ig, profiles: [], unclaimed: [] }] }));
    const file = join(temp.dir, 'mismatch.html');
    const r = await cli(['report', out, '--html', file, '--validation', other]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(existsSync(file)).toBe(false);
  });

  it('should validate inline with --validate and show coverage and the errors found', async () => {
    const file = join(temp.dir, 'validated.html');
    const r = await cli(['report', dir, '--html', file, '--validate', '--packages', SHARED_PACKAGES]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('data-chart="coverage-hl7.fhir.us.carin-bb#2.0.0"');
    // The hand-built EOBs lack what C4BB requires: the page lists errors, not "No errors".
    expect(html).toMatch(/10 resources validated: [1-9]\d* errors/);
    expect(html).not.toContain('No errors.');
  });
});
