// validate --jobs N on the built CLI (worker threads load dist/src/validate/validate-worker.js): the same report as --jobs 1.
// About 10 s on a quiet machine: two CLI runs over a 3-member population, each loading the packages (per worker too).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { runBin } from '../seed/helpers/bin.js';

const temp = tempDir('fhirseed-validate-jobs-');
afterAll(() => temp.cleanup());
const out = join(temp.dir, 'out');

beforeAll(() => {
  generateTo(out, { ...shippedProfile('default'), members: 3 }, { formats: ['ndjson'] });
  // Findings in several files (so in several workers' units): a bad date, a dangling reference, an unreadable line.
  const ndjson = join(out, 'ndjson');
  for (const [file, i] of [['Condition.ndjson', 0], ['Patient.ndjson', 1]] as const) {
    const lines = readFileSync(join(ndjson, file), 'utf8').trim().split('\n');
    const r = JSON.parse(lines[i]!) as Record<string, unknown>;
    lines[i] = JSON.stringify({ ...r, ...(file === 'Patient.ndjson' ? { birthDate: '1970-02-31' } : { subject: { reference: 'Patient/nobody' } }) });
    lines.push('{"resourceType":');
    writeFileSync(join(ndjson, file), `${lines.join('\n')}\n`);
  }
  // R4's own invariants, which no loaded profile carries there: per-1 on an Encounter's period, bdl-5 on a Bundle line.
  const encounters = readFileSync(join(ndjson, 'Encounter.ndjson'), 'utf8').trim().split('\n');
  encounters[1] = JSON.stringify({ ...JSON.parse(encounters[1]!), period: { start: '2024-02-02', end: '2024-02-01' } });
  writeFileSync(join(ndjson, 'Encounter.ndjson'), `${encounters.join('\n')}\n`);
  writeFileSync(join(ndjson, 'Bundle.ndjson'), `${JSON.stringify({ resourceType: 'Bundle', id: 'b', type: 'searchset', entry: [{ fullUrl: 'urn:uuid:8f9e4f4a-0000-4000-8000-000000000001' }] })}\n`);
}, 120_000);

describe('validate --jobs', () => {
  it('should print the same report with 2 worker threads as in one thread, findings in reading order', async () => {
    const one = await runBin(['validate', out, '--packages', SHARED_PACKAGES, '--json', '--jobs', '1']);
    // 2, not more: --jobs above the cores is lowered with a note (test/cli/jobs-bound.test.ts), and CI has 2.
    const two = await runBin(['validate', out, '--packages', SHARED_PACKAGES, '--json', '--jobs', '2']);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(1);
    const report = JSON.parse(one.stdout) as { issues: { message: string }[]; readProblems: string[] };
    expect(report.issues.some((i) => /'Patient\/nobody' does not resolve/.test(i.message))).toBe(true);
    expect(report.issues.some((i) => /not a real calendar date/.test(i.message))).toBe(true);
    expect(report.readProblems).toHaveLength(2);
    expect(report.issues.filter((i) => /^invariant (per-1|bdl-5) failed/.test(i.message)).map((i) => i.message.split(' ')[1])).toEqual(['bdl-5', 'per-1']);
    expect(two).toEqual(one);
  }, 300_000);

  it('should refuse --jobs 0 in one line, exit 2', async () => {
    const r = await runBin(['validate', out, '--packages', SHARED_PACKAGES, '--jobs', '0']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'fhirseed: --jobs 0: expected a whole number ≥ 1\n' });
  });
});
