import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { CoverageIndex, coverage, mustSupportElements, notApplicableReason, resourceProfiles } from '../../src/validate/coverage.js';
import type { Definitions } from '../../src/validate/definitions.js';
import { JUDGED_NOT_APPLICABLE } from '../../src/validate/not-applicable.js';
import type { FhirPackage } from '../../src/validate/packages.js';
import { CompiledProfile } from '../../src/validate/profile.js';
import { Terminology } from '../../src/validate/terminology.js';
import type { ElementDefinition, StructureDefinition } from '../../src/validate/types.js';
import type { Validator } from '../../src/validate/validator.js';

/**
 * Must-support coverage counted by hand (issue 19) on a small hand-made IG package, so it runs in milliseconds
 * and Stryker can run it against every mutant of coverage.ts: which profiles count, which elements are must
 * support, which are not applicable, what a claiming resource fills (false and 0 included, null not), versioned
 * claims, merging the indexes of several workers. The IG-example case is test/mutation-kill/validator-rules.test.ts.
 */

const el = (id: string, rest: Partial<ElementDefinition> = {}): ElementDefinition => ({ id, path: id.replace(/:[^.]+/g, ''), ...rest });
const sd = (url: string, type: string, element: ElementDefinition[], rest: Partial<StructureDefinition> = {}): StructureDefinition => ({
  resourceType: 'StructureDefinition', url, version: '1.0.0', name: url.split('/').pop()!, type, kind: 'resource', derivation: 'constraint', snapshot: { element }, ...rest,
});

const patientProfile = sd('http://example.org/patient', 'Patient', [
  el('Patient', { mustSupport: false }),
  el('Patient.active', { mustSupport: true }),
  el('Patient.multipleBirth[x]', { mustSupport: true }),
  el('Patient.gender', { mustSupport: true }),
  el('Patient.photo', { mustSupport: true, max: '0' }),
  el('Patient.link'),
]);
const orgProfile = sd('http://example.org/org', 'Organization', [el('Organization'), el('Organization.name', { mustSupport: true })]);
const pkg: FhirPackage = {
  name: 'example.ig', version: '2.0.0', dependencies: {}, examples: [],
  resources: [
    patientProfile,
    orgProfile,
    sd('http://example.org/abstract', 'Patient', [el('Patient.name', { mustSupport: true })], { abstract: true }),
    sd('http://example.org/ext', 'Extension', [el('Extension.url', { mustSupport: true })], { kind: 'complex-type' }),
    sd('http://example.org/special', 'Patient', [el('Patient.name', { mustSupport: true })], { derivation: 'specialization' }),
    sd('http://example.org/no-snapshot', 'Patient', [], { snapshot: undefined }),
    { resourceType: 'ValueSet', url: 'http://example.org/vs' },
    { resourceType: 'Basic', url: 'http://example.org/basic', kind: 'resource', derivation: 'constraint', snapshot: { element: [] } },
  ],
};

const defs = { structureDefinition: () => undefined, valueSet: () => undefined, codeSystem: () => undefined } as unknown as Definitions;
const terminology = new Terminology(defs);

/** A validator that compiles the package's profiles, counting how often each is asked for. */
function validator(): Validator & { asked: string[] } {
  const asked: string[] = [];
  const byUrl = new Map([patientProfile, orgProfile].map((p) => [`${p.url}|${p.version}`, p]));
  return {
    asked,
    profile: (canonical: string) => {
      asked.push(canonical);
      const p = byUrl.get(canonical);
      return p ? new CompiledProfile(p, defs, terminology) : undefined;
    },
  } as unknown as Validator & { asked: string[] };
}

const patient = (extra: Record<string, unknown>, profile = 'http://example.org/patient'): Resource =>
  ({ resourceType: 'Patient', id: 'p', meta: { profile: [profile] }, ...extra }) as Resource;

describe('which profiles and elements count', () => {
  it('should take the constraints on resources that have a snapshot, and their must-support elements', () => {
    expect(resourceProfiles(pkg).map((p) => p.url)).toEqual(['http://example.org/patient', 'http://example.org/org']);
    expect(mustSupportElements(patientProfile)).toEqual(['Patient.active', 'Patient.multipleBirth[x]', 'Patient.gender', 'Patient.photo']);
    expect(mustSupportElements({ ...patientProfile, snapshot: undefined })).toEqual([]);
    expect(notApplicableReason({ ...patientProfile, snapshot: undefined }, 'Patient.photo')).toBeUndefined();
  });

  it('should say why an element is not applicable: prohibited, or the vital-signs special cases', () => {
    expect(notApplicableReason(patientProfile, 'Patient.photo')).toBe('the profile prohibits it (max 0)');
    expect(notApplicableReason(patientProfile, 'Patient.active')).toBeUndefined();
    const vital = (base: string, components: ElementDefinition[]) =>
      sd('http://example.org/vs', 'Observation', [el('Observation'), el('Observation.component'), ...components], { baseDefinition: base });
    const single = vital('http://hl7.org/fhir/StructureDefinition/vitalsigns', []);
    expect(notApplicableReason(single, 'Observation.component.code')).toBe('single-value vital sign: component is must-support only through the vital-signs base profile');
    expect(notApplicableReason(single, 'Observation.value[x]')).toBeUndefined();
    const bp = vital('http://hl7.org/fhir/us/core/StructureDefinition/us-core-vital-signs', [el('Observation.component:systolic', { min: 1 }), el('Observation.component:systolic.code')]);
    expect(notApplicableReason(bp, 'Observation.value[x]:valueQuantity')).toBe('the values are in required components, so the Observation has no value[x]');
    expect(notApplicableReason(bp, 'Observation.component')).toBeUndefined();
    // Only the slices themselves count, not their required children.
    const optional = vital('http://hl7.org/fhir/StructureDefinition/vitalsigns', [el('Observation.component:extra', { min: 0 }), el('Observation.component:extra.code', { min: 1 })]);
    expect(notApplicableReason({ ...optional, snapshot: undefined }, 'Observation.value[x]')).toBeUndefined();
    expect(notApplicableReason(optional, 'Observation.value[x]')).toBeUndefined();
    expect(notApplicableReason(vital('http://example.org/other-base', []), 'Observation.component')).toBeUndefined();
    expect(notApplicableReason({ ...single, type: 'Patient' }, 'Observation.component')).toBeUndefined();
  });
});

describe('CoverageIndex', () => {
  it('should leave out the elements judged not applicable in src/validate/not-applicable.ts, with their reason and source', () => {
    const entry = JUDGED_NOT_APPLICABLE[0]!;
    const type = entry.element.split('.')[0]!;
    const judgedProfile = sd(entry.profile, type, [el(type), el(entry.element, { mustSupport: true }), el(`${type}.name`, { mustSupport: true })]);
    const index = new CoverageIndex({ ...pkg, resources: [judgedProfile] }, validator());
    const [report] = index.report().profiles;
    expect(report!.notApplicable).toEqual([{ id: entry.element, reason: entry.reason, source: entry.source }]);
    expect(report!.missing).toEqual([`${type}.name`]);
    expect(report!.total).toBe(2);
  });

  it('should count false and 0 as filled, null and absent as not, and only for resources that claim the profile', () => {
    const v = validator();
    const report = coverage(
      [
        patient({ active: false, multipleBirthInteger: 0, gender: null }),
        patient({ gender: 'female' }, 'http://example.org/other'),
        { resourceType: 'Organization', id: 'o' } as Resource,
      ],
      pkg,
      v,
    );
    expect(report.ig).toBe('example.ig#2.0.0');
    expect(report.profiles).toEqual([
      {
        profile: 'http://example.org/patient', name: 'patient', resources: 1, covered: 2, total: 4,
        missing: ['Patient.gender'], notApplicable: [{ id: 'Patient.photo', reason: 'the profile prohibits it (max 0)' }],
      },
      { profile: 'http://example.org/org', name: 'org', resources: 0, covered: 0, total: 1, missing: ['Organization.name'], notApplicable: [] },
    ]);
    expect(report.unclaimed).toEqual(['http://example.org/org']);
  });

  it('should take a versioned claim, count a resource once per profile however often it claims it, and compile each profile once', () => {
    const v = validator();
    const index = new CoverageIndex(pkg, v);
    expect(v.asked).toEqual([]);
    index.add(patient({ active: true }, 'http://example.org/patient|1.0.0'));
    index.add({ ...patient({ gender: 'male' }), meta: { profile: ['http://example.org/patient', 'http://example.org/patient|1.0.0'] } } as Resource);
    index.add({ resourceType: 'Organization', id: 'o', meta: { profile: ['http://example.org/org'] }, name: 'Acme' } as Resource);
    expect(v.asked).toEqual(['http://example.org/patient|1.0.0', 'http://example.org/org|1.0.0']);
    expect(index.state()).toEqual({ claims: [2, 1], filled: [['Patient.active', 'Patient.gender'], ['Organization.name']] });
    const report = index.report();
    expect(report.profiles.map((p) => [p.resources, p.covered, p.missing])).toEqual([[2, 2, ['Patient.multipleBirth[x]']], [1, 1, []]]);
    expect(report.unclaimed).toEqual([]);
  });

  it('should count a resource against a profile the validator cannot compile, without filling anything', () => {
    const noProfiles = { profile: () => undefined } as unknown as Validator;
    const index = new CoverageIndex(pkg, noProfiles);
    index.add(patient({ active: true }));
    expect(index.state()).toEqual({ claims: [1, 0], filled: [[], []] });
  });

  it('should merge the indexes of several workers into the report of one pass', () => {
    const resources = [patient({ active: true }), patient({ gender: 'other' }), patient({ multipleBirthBoolean: true })];
    const one = new CoverageIndex(pkg, validator());
    for (const r of resources) one.add(r);
    const a = new CoverageIndex(pkg, validator());
    const b = new CoverageIndex(pkg, validator());
    a.add(resources[0]!);
    b.add(resources[1]!);
    b.add(resources[2]!);
    const main = new CoverageIndex(pkg, validator());
    main.merge(a.state());
    main.merge(b.state());
    main.merge({ claims: [], filled: [] });
    expect(main.report()).toEqual(one.report());
    expect(main.report().profiles[0]!.resources).toBe(3);
  });
});
