// Packages loaded slim (what `validate` and its workers load: no examples, no documentation) validate as the full ones.
import { describe, expect, it } from 'vitest';
import { loadPackages } from '../../src/validate/packages.js';
import { createValidator } from '../../src/validate/validator.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { examplesOf, sharedValidator } from '../helpers/validator.js';

describe('slim packages', () => {
  it('should leave out examples and documentation, and keep what validation reads', () => {
    const full = loadPackages(['us-core@6.1.0'], SHARED_PACKAGES).packages[0]!;
    const slim = loadPackages(['us-core@6.1.0'], SHARED_PACKAGES, { slim: true }).packages[0]!;
    expect(full.examples.length).toBeGreaterThan(0);
    expect(slim.examples).toEqual([]);
    expect(slim.resources.map((r) => r.url)).toEqual(full.resources.map((r) => r.url));
    const url = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient';
    const [fullSd, slimSd] = [full, slim].map((p) => p.resources.find((r) => r.url === url));
    expect(fullSd.text).toBeDefined();
    expect(slimSd.text).toBeUndefined();
    expect(slimSd.differential).toBeUndefined();
    expect(slimSd.snapshot.element.map((e: any) => [e.id, e.min, e.max, e.mustSupport, e.constraint, e.binding])).toEqual(
      fullSd.snapshot.element.map((e: any) => [e.id, e.min, e.max, e.mustSupport, e.constraint, e.binding]),
    );
    expect(slimSd.snapshot.element.some((e: any) => e.definition !== undefined)).toBe(false);
  });

  it('should find the same issues in the CARIN BB and US Core examples as the full packages', async () => {
    const full = await sharedValidator();
    const slim = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['carin-bb@2.0.0', 'us-core@6.1.0'], slim: true });
    const examples = [...examplesOf(full, 'hl7.fhir.us.carin-bb'), ...examplesOf(full, 'hl7.fhir.us.core')].map((e) => e.resource);
    expect(examples.length).toBeGreaterThan(100);
    const issues = full.validate(examples);
    expect(issues.length).toBeGreaterThan(0);
    expect(slim.validate(examples)).toEqual(issues);
  });
});
