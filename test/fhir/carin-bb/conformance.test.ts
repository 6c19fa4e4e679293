import type { ExplanationOfBenefit, Patient, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { carinBbProfile } from '../../../src/fhir/context.js';
import { SYSTEMS } from '../../../src/fhir/systems.js';
import { readPackageJson } from '../../helpers/packages.js';
import { checkAgainstProfile } from '../../helpers/profile-check.js';
import { byProfile, codeOf, fixtureEobs, fixtureResources } from './helpers/build.js';
import { elementNodes, snapshotElements, unpopulatedMustSupport } from './helpers/must-support.js';

const resources = fixtureResources();
const eobs = fixtureEobs();

/** The one profile of a built resource. */
function profileOf(r: Resource): string {
  const profiles = r.meta?.profile ?? [];
  expect(profiles).toHaveLength(1);
  return profiles[0]!;
}

function eobOfProfile(name: string): ExplanationOfBenefit {
  const eob = eobs.find((e) => profileOf(e) === carinBbProfile(name));
  if (!eob) throw new Error(`the fixture builds no ${name}`);
  return structuredClone(eob);
}

const withoutCategory = (list: { category?: { coding?: { code?: string }[] } }[] | undefined, code: string) =>
  (list ?? []).filter((s) => codeOf(s.category) !== code);

describe('CARIN BB builders against the 2.0.0 snapshots', () => {
  it.each(resources.map((r) => [`${r.resourceType}/${r.id}`, r] as const))(
    'should give %s every required element, slice, fixed/pattern value and required code of its profile',
    (_, resource) => {
      expect(checkAgainstProfile(resource, profileOf(resource))).toEqual([]);
    },
  );

  it.each(resources.map((r) => [`${r.resourceType}/${r.id}`, r] as const))(
    'should fill every slice %s has to have (min ≥ 1 under a present parent)',
    (_, resource) => {
      const elements = snapshotElements(profileOf(resource));
      const missing: string[] = [];
      for (const el of elements) {
        const last = el.id.slice(el.id.lastIndexOf('.') + 1);
        if (!last.includes(':') || ((el as { min?: number }).min ?? 0) < 1) continue;
        const parentId = el.id.slice(0, el.id.lastIndexOf('.'));
        if (elementNodes(resource, elements, parentId).length > 0 && elementNodes(resource, elements, el.id).length === 0) missing.push(el.id);
      }
      expect(missing).toEqual([]);
    },
  );

  it.each([
    ['C4BB-ExplanationOfBenefit-Pharmacy', 'dayssupply', 'ExplanationOfBenefit.supportingInfo:dayssupply'],
    ['C4BB-ExplanationOfBenefit-Pharmacy', 'dawcode', 'ExplanationOfBenefit.supportingInfo:dawcode'],
    ['C4BB-ExplanationOfBenefit-Pharmacy', 'refillnum', 'ExplanationOfBenefit.supportingInfo:refillNum'],
    ['C4BB-ExplanationOfBenefit-Pharmacy', 'refillsauthorized', 'ExplanationOfBenefit.supportingInfo:refillsAuthorized'],
    ['C4BB-ExplanationOfBenefit-Inpatient-Institutional', 'admissionperiod', 'ExplanationOfBenefit.supportingInfo:admissionperiod'],
  ])('should notice when a %s EOB loses its %s supportingInfo (the check has teeth)', (profile, code, elementId) => {
    const eob = eobOfProfile(profile);
    eob.supportingInfo = withoutCategory(eob.supportingInfo, code) as ExplanationOfBenefit['supportingInfo'];
    expect(checkAgainstProfile(eob, profileOf(eob)).some((p) => p.startsWith(`${elementId}:`))).toBe(true);
  });

  it.each(['C4BB-ExplanationOfBenefit-Professional-NonClinician', 'C4BB-ExplanationOfBenefit-Oral'])(
    'should notice when a %s line loses its benefit payment status',
    (profile) => {
      const eob = eobOfProfile(profile);
      eob.item![0]!.adjudication = withoutCategory(eob.item![0]!.adjudication, 'benefitpaymentstatus') as never;
      const problems = checkAgainstProfile(eob, profileOf(eob));
      expect(problems.some((p) => p.startsWith('ExplanationOfBenefit.item.adjudication:benefitpaymentstatus:'))).toBe(true);
    },
  );

  it('should put header benefit payment and network statuses where each EOB profile asks for them', () => {
    const header = (e: ExplanationOfBenefit) => (e.adjudication ?? []).map((a) => codeOf(a.category)).sort();
    expect(header(eobOfProfile('C4BB-ExplanationOfBenefit-Inpatient-Institutional'))).toEqual(expect.arrayContaining(['benefitpaymentstatus', 'billingnetworkstatus']));
    expect(header(eobOfProfile('C4BB-ExplanationOfBenefit-Outpatient-Institutional'))).toEqual(expect.arrayContaining(['benefitpaymentstatus', 'billingnetworkstatus']));
    expect(header(eobOfProfile('C4BB-ExplanationOfBenefit-Pharmacy'))).toEqual(expect.arrayContaining(['benefitpaymentstatus', 'billingnetworkstatus']));
    expect(header(eobOfProfile('C4BB-ExplanationOfBenefit-Professional-NonClinician'))).toEqual(expect.arrayContaining(['billingnetworkstatus', 'renderingnetworkstatus']));
    expect(header(eobOfProfile('C4BB-ExplanationOfBenefit-Oral'))).toEqual(
      expect.arrayContaining(['benefitpaymentstatus', 'billingnetworkstatus', 'renderingnetworkstatus']),
    );
  });
});

describe('US Core 3.1.1 extensions on C4BB Patient', () => {
  const vsCodes = (file: string) =>
    new Set(((readPackageJson('hl7.fhir.us.core-3.1.1', file) as any).compose.include as any[]).flatMap((inc) => inc.concept.map((c: any) => `${inc.system}|${c.code}`)));
  const patients = resources.filter((r): r is Patient => r.resourceType === 'Patient');
  const sub = (p: Patient, ext: string, url: string) =>
    (p.extension ?? []).filter((e) => e.url.endsWith(`/${ext}`)).flatMap((e) => e.extension ?? []).filter((e) => e.url === url);

  it('should put only OMB categories in ombCategory and anything else in detailed', () => {
    const race = vsCodes('ValueSet-omb-race-category.json');
    const ethnicity = vsCodes('ValueSet-omb-ethnicity-category.json');
    for (const p of patients) {
      for (const [ext, omb] of [['us-core-race', race], ['us-core-ethnicity', ethnicity]] as const) {
        const categories = sub(p, ext, 'ombCategory').map((e) => `${e.valueCoding?.system}|${e.valueCoding?.code}`);
        const detailed = sub(p, ext, 'detailed').map((e) => `${e.valueCoding?.system}|${e.valueCoding?.code}`);
        expect(categories.every((c) => omb.has(c))).toBe(true);
        expect(detailed.some((c) => omb.has(c))).toBe(false);
        expect(categories.length + detailed.length).toBe(1);
        expect(sub(p, ext, 'text')).toHaveLength(1);
      }
    }
    // The fixture's dependent is "Other Race" (2131-1), which is no OMB category.
    expect(patients.some((p) => sub(p, 'us-core-race', 'detailed').length === 1)).toBe(true);
  });

  it('should give birth sex a code from the US Core birthsex value set', () => {
    const allowed = new Set([...vsCodes('ValueSet-birthsex.json')].map((c) => c.split('|')[1]));
    for (const p of patients) {
      const birthsex = (p.extension ?? []).filter((e) => e.url === 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex');
      expect(birthsex).toHaveLength(1);
      expect(allowed.has(birthsex[0]!.valueCode!)).toBe(true);
    }
  });

  it('should code communication.language in BCP 47', () => {
    for (const p of patients) expect(p.communication?.[0]?.language.coding?.[0]?.system).toBe(SYSTEMS.language);
  });
});

/**
 * Must-support elements the fixture cannot populate because a member story never holds the data.
 * Everything else must appear somewhere in the fixture's resources.
 */
const NO_STORY_DATA: Record<string, string[]> = {
  // The story adjudicates institutional claims by line; claim-level amounts are in `total`.
  'C4BB-ExplanationOfBenefit-Inpatient-Institutional': ['ExplanationOfBenefit.adjudication:adjudicationamounttype'],
  'C4BB-ExplanationOfBenefit-Outpatient-Institutional': [
    'ExplanationOfBenefit.adjudication:adjudicationamounttype',
    'ExplanationOfBenefit.adjudication:adjudicationamounttype.amount',
  ],
  // Record and account numbers exist only on institutional claims in the story.
  'C4BB-ExplanationOfBenefit-Professional-NonClinician': [
    'ExplanationOfBenefit.supportingInfo:medicalrecordnumber',
    'ExplanationOfBenefit.supportingInfo:medicalrecordnumber.value[x]:valueString',
    'ExplanationOfBenefit.supportingInfo:patientaccountnumber',
    'ExplanationOfBenefit.supportingInfo:patientaccountnumber.value[x]:valueString',
  ],
  // Compound ingredients (item.detail) are not simulated: every fill is a single NDC.
  'C4BB-ExplanationOfBenefit-Pharmacy': [
    'ExplanationOfBenefit.item.detail',
    'ExplanationOfBenefit.item.detail.productOrService',
    'ExplanationOfBenefit.item.detail.quantity',
  ],
  // Dental lines have no modifiers or allowed units in the story, and no oral areas beyond teeth.
  'C4BB-ExplanationOfBenefit-Oral': [
    'ExplanationOfBenefit.supportingInfo:additionalbodysite',
    'ExplanationOfBenefit.supportingInfo:additionalbodysite.sequence',
    'ExplanationOfBenefit.supportingInfo:additionalbodysite.category',
    'ExplanationOfBenefit.supportingInfo:additionalbodysite.code',
    'ExplanationOfBenefit.supportingInfo:medicalrecordnumber',
    'ExplanationOfBenefit.supportingInfo:medicalrecordnumber.value[x]:valueString',
    'ExplanationOfBenefit.supportingInfo:patientaccountnumber',
    'ExplanationOfBenefit.supportingInfo:patientaccountnumber.value[x]:valueString',
    'ExplanationOfBenefit.item.modifier',
    'ExplanationOfBenefit.item.adjudication:allowedunits',
    'ExplanationOfBenefit.item.adjudication:allowedunits.category',
  ],
};

describe('must-support coverage of the fixture', () => {
  const grouped = byProfile(resources);
  const profiles = [
    'C4BB-Patient', 'C4BB-Coverage', 'C4BB-Organization', 'C4BB-Practitioner', 'C4BB-RelatedPerson',
    'C4BB-ExplanationOfBenefit-Inpatient-Institutional', 'C4BB-ExplanationOfBenefit-Outpatient-Institutional',
    'C4BB-ExplanationOfBenefit-Professional-NonClinician', 'C4BB-ExplanationOfBenefit-Pharmacy', 'C4BB-ExplanationOfBenefit-Oral',
  ];

  it.each(profiles)('should populate every must-support element of %s the story has data for', (name) => {
    const built = grouped.get(carinBbProfile(name)) ?? [];
    expect(built.length).toBeGreaterThan(0);
    expect(unpopulatedMustSupport(built, carinBbProfile(name))).toEqual(NO_STORY_DATA[name] ?? []);
  });

  it('should notice a must-support element that goes missing (the coverage check has teeth)', () => {
    const patients = (grouped.get(carinBbProfile('C4BB-Patient')) ?? []).map((p) => {
      const copy = structuredClone(p) as Patient;
      copy.extension = copy.extension?.filter((e) => !e.url.endsWith('/us-core-race'));
      delete copy.communication;
      return copy;
    });
    expect(unpopulatedMustSupport(patients, carinBbProfile('C4BB-Patient'))).toEqual(
      expect.arrayContaining(['Patient.extension:race', 'Patient.communication', 'Patient.communication.language']),
    );
  });
});
