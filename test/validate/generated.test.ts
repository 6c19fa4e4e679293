import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { ValidationReport } from '../../src/validate/summary.js';
import type { Validator } from '../../src/validate/validator.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { sharedValidator } from '../helpers/validator.js';

const temp = tempDir('fhirseed-validate-');
afterAll(() => temp.cleanup());

let validator: Validator;
let resources: Resource[];
beforeAll(async () => {
  validator = await sharedValidator();
  generateTo(temp.dir, shippedProfile('default'));
  resources = bundleResources(temp.dir).flatMap((b) => b.resources);
});

/** Runs `fhirseed validate …` through the CLI entry, as bin.ts does. */
async function runValidate(args: string[]) {
  let stdout = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: () => undefined, isTty: false });
  return { code, stdout };
}

describe('validating the generated default population', () => {
  it('should find no errors in any resource', () => {
    const errors = validator.validate(resources).filter((i) => i.severity === 'error');
    expect(errors.slice(0, 10)).toEqual([]);
  });

  it('should print 0 errors and must-support coverage per profile from the CLI, reading bundles and NDJSON once each', async () => {
    const r = await runValidate(['validate', temp.dir, '--packages', SHARED_PACKAGES, '--ig', 'carin-bb@2.0.0', '--ig', 'us-core@6.1.0']);
    // The bundles' resources and the user-access brands bundle's (brands.json: the brand Organization and its Endpoint).
    const brands = (JSON.parse(readFileSync(join(temp.dir, 'brands.json'), 'utf8')) as { entry: unknown[] }).entry.length;
    expect(r.stdout).toMatch(new RegExp(`^validated ${resources.length + brands} resources: 0 errors`));
    expect(r.stdout).toContain('must-support coverage, hl7.fhir.us.carin-bb#2.0.0:');
    expect(r.stdout).toMatch(/C4BBExplanationOfBenefitPharmacy\s+\d+\/\d+/);
    expect(r.code).toBe(0);
  });

  it('should give a JSON report and exit 1 when a resource is broken, naming the NDJSON line that cannot be read', async () => {
    const broken = structuredClone(resources.find((r) => r.resourceType === 'Patient')!) as any;
    broken.birthDate = '2001-02-29';
    writeFileSync(join(temp.dir, 'broken.ndjson'), `${JSON.stringify(broken)}\n{not json\n`);
    const r = await runValidate(['validate', join(temp.dir, 'broken.ndjson'), '--packages', SHARED_PACKAGES, '--ig', 'carin-bb@2.0.0', '--json']);
    const report = JSON.parse(r.stdout) as ValidationReport;
    expect(r.code).toBe(1);
    expect(report.readProblems).toEqual([expect.stringMatching(/broken\.ndjson:2:2: invalid JSON: /)]);
    expect(report.issues).toContainEqual(expect.objectContaining({ path: 'Patient.birthDate', severity: 'error', message: expect.stringMatching(/not a real calendar date/) }));
    // The other resources are absent, so the Patient's references no longer resolve: those are errors too.
    expect(report.errors).toBeGreaterThan(1);
  });
});
