// About 10-15 s on 2 shared cores: it loads the Formulary, PDex and US Core 6.1.0 packages once and simulates
// the 25 default members at a second seed, to check 0 errors and must-support coverage at two seeds.
import type { ExplanationOfBenefit, Extension, Provenance, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildC4bbEob } from '../../../src/fhir/carin-bb/index.js';
import { buildFormularyDirectoryResources } from '../../../src/fhir/formulary/index.js';
import { layerPdex } from '../../../src/fhir/pdex/layer.js';
import { buildPdexMemberResources } from '../../../src/fhir/pdex/prior-authorization.js';
import { buildUsCoreMemberResources } from '../../../src/fhir/us-core/index.js';
import { buildDirectory } from '../../../src/story/directory.js';
import { authorizationNeeded as needed } from '../../../src/story/prior-auth.js';
import { simulateMember } from '../../../src/story/simulate.js';
import type { ClaimDraft } from '../../../src/story/claims/draft.js';
import type { MemberStory } from '../../../src/story/types.js';
import { coverage } from '../../../src/validate/coverage.js';
import { createValidator, type Validator } from '../../../src/validate/validator.js';
import { addDays, daysBetween } from '../../../src/util/dates.js';
import { codeMaps } from '../../helpers/output.js';
import { SHARED_PACKAGES } from '../../helpers/packages.js';
import { buildContext, defaultStories, profile } from '../../helpers/population.js';

const ctx = buildContext('6.1.0');
let stories: MemberStory[];
let pas: ExplanationOfBenefit[];
beforeAll(() => {
  stories = defaultStories();
  pas = stories.flatMap((s) => buildPdexMemberResources(s, ctx));
});

const PAS_SD = 'http://hl7.org/fhir/us/davinci-pas/StructureDefinition/';

/*
 * Da Vinci PAS 2.0.1 is not in ../shared/fhir-packages, so the validator cannot judge the contents of its
 * complex extensions; their rules are transcribed here from hl7.org/fhir/us/davinci-pas (STU 2, v2.0.1:
 * StructureDefinition-extension-itemAuthorizedDetail / -itemAuthorizedProvider) and HL7/davinci-pas
 * input/fsh/ClaimResponse.fsh, with PDex 2.0.0's slices (authorizedItemDetail 0..1, authorizedProvider 0..*).
 */
/** Sub-extensions of itemAuthorizedDetail: url → [value type, max]; the named ones are PAS extensions of their own. */
const AUTHORIZED_DETAIL: Record<string, [string | undefined, number]> = {
  productOrServiceCode: ['valueCodeableConcept', 1], [`${PAS_SD}extension-productOrServiceCodeEnd`]: ['valueCodeableConcept', 1],
  modifier: ['valueCodeableConcept', Infinity], unitPrice: ['valueMoney', 1], quantity: ['valueQuantity', 1],
  [`${PAS_SD}extension-epsdtIndicator`]: [undefined, 1], [`${PAS_SD}extension-nursingHomeLevelOfCare`]: [undefined, 1],
  revenue: ['valueCodeableConcept', 1], [`${PAS_SD}extension-revenueUnitRateLimit`]: [undefined, 1], [`${PAS_SD}extension-requestedService`]: [undefined, 1],
};
const AUTHORIZED_PROVIDER: Record<string, [string, number]> = { provider: ['valueReference', 1], providerType: ['valueCodeableConcept', 1] };

/** The PAS 2.0.1 rules on an item's authorizedItemDetail and authorizedProvider extensions, as "where: problem". */
function pasItemExtensionProblems(eob: ExplanationOfBenefit): string[] {
  const problems: string[] = [];
  const complex = (where: string, e: Extension, parts: Record<string, [string | undefined, number]>) => {
    if (Object.keys(e).some((k) => k.startsWith('value'))) problems.push(`${where}: value[x] 0..0`);
    for (const [url, [type, max]] of Object.entries(parts)) {
      const found = (e.extension ?? []).filter((x) => x.url === url);
      if (found.length > max) problems.push(`${where}.${url}: more than ${max}`);
      for (const x of found) {
        const values = Object.keys(x).filter((k) => k.startsWith('value'));
        if (type && (values.length !== 1 || values[0] !== type)) problems.push(`${where}.${url}: must be ${type}`);
      }
    }
    for (const x of e.extension ?? []) if (!(x.url in parts)) problems.push(`${where}: unknown sub-extension ${x.url}`);
    if (!e.extension?.length) problems.push(`${where}: no sub-extension`);
  };
  (eob.item ?? []).forEach((item, n) => {
    const details = (item.extension ?? []).filter((e) => e.url === `${PAS_SD}extension-itemAuthorizedDetail`);
    if (details.length > 1) problems.push(`item[${n}].authorizedItemDetail: 0..1`);
    for (const d of details) {
      complex(`item[${n}].authorizedItemDetail`, d, AUTHORIZED_DETAIL);
      // SimpleQuantity: no comparator.
      const q = d.extension?.find((x) => x.url === 'quantity')?.valueQuantity;
      if (q && (q.comparator || typeof q.value !== 'number')) problems.push(`item[${n}].authorizedItemDetail.quantity: a SimpleQuantity with a value`);
    }
    for (const p of (item.extension ?? []).filter((e) => e.url === `${PAS_SD}extension-itemAuthorizedProvider`)) {
      complex(`item[${n}].authorizedProvider`, p, AUTHORIZED_PROVIDER);
      const who = p.extension?.find((x) => x.url === 'provider')?.valueReference?.reference ?? '';
      if (who && !/^(Practitioner|Organization)\//.test(who)) problems.push(`item[${n}].authorizedProvider.provider: a Practitioner or Organization`);
      // Required binding to X12 element 98 (NM101 entity identifier codes).
      const type = p.extension?.find((x) => x.url === 'providerType')?.valueCodeableConcept?.coding ?? [];
      if (type.length && !type.every((c) => c.system === 'https://codesystem.x12.org/005010/98' && c.code)) problems.push(`item[${n}].authorizedProvider.providerType: X12 98 codes`);
    }
  });
  return problems;
}

const decisionOf = (eob: ExplanationOfBenefit) =>
  eob.item?.[0]?.adjudication?.[0]?.extension?.[0]?.extension?.find((e) => e.url.endsWith('extension-reviewActionCode'))?.valueCodeableConcept?.coding?.[0]?.code;

/** Every claim's prior-auth number names an approved request, and no denied or pended request has a claim. */
function checkLinks(story: MemberStory): void {
  const claims = [...story.claims, ...(story.inFlightClaims ?? [])];
  for (const claim of claims.filter((c) => c.priorAuthNumber)) {
    const auth = story.priorAuthorizations?.find((a) => a.number === claim.priorAuthNumber);
    expect(auth, `request ${claim.priorAuthNumber}`).toBeDefined();
    expect(auth!.items[0]!.decision).toBe('approved');
    const period = auth!.items[0]!.authorizedPeriod!;
    expect(claim.serviceStart >= period.start && claim.serviceEnd <= period.end).toBe(true);
  }
  for (const auth of story.priorAuthorizations ?? []) {
    if (auth.items[0]!.decision !== 'approved') expect(claims.filter((c) => c.priorAuthNumber === auth.number)).toEqual([]);
    if (!auth.previousNumber) continue;
    // A renewal names an earlier approval of the same rented equipment, which ran out before the renewed service.
    const previous = story.priorAuthorizations?.find((a) => a.number === auth.previousNumber);
    expect(previous?.items[0]?.decision).toBe('approved');
    expect(previous!.items[0]!.code.code).toBe(auth.items[0]!.code.code);
    expect(RENTED).toContain(auth.items[0]!.code.code);
    expect(previous!.ordinal).toBeLessThan(auth.ordinal);
    expect(previous!.items[0]!.authorizedPeriod!.end < auth.service.start).toBe(true);
  }
}

/** HCPCS codes of rented equipment (PAP devices, home oxygen), whose approvals are renewed. */
const RENTED = ['E0601', 'E0470', 'E1390', 'E0431', 'E0424'];

/** The member's renewals: requests naming a previous authorization number. */
const renewalsOf = (story: MemberStory) => (story.priorAuthorizations ?? []).filter((a) => a.previousNumber);

describe('PDex prior authorizations', () => {
  it('should have each approved request referenced by its claim EOB and no claim for a denied or pended one', () => {
    const byNumber = new Map(pas.map((p) => [p.identifier?.[0]?.value, p]));
    const decisions = new Set(pas.map(decisionOf));
    expect(decisions).toEqual(new Set(['A1', 'A3', 'A4']));
    let referenced = 0;
    for (const story of stories) {
      checkLinks(story);
      for (const claim of story.claims.filter((c) => c.priorAuthNumber)) {
        const eob = buildC4bbEob(story, claim, ctx);
        const ref = eob.insurance?.[0]?.preAuthRef?.[0];
        const pa = byNumber.get(ref);
        expect(pa?.use).toBe('preauthorization');
        expect(decisionOf(pa!)).toBe('A1');
        expect(pa!.patient).toEqual(eob.patient);
        referenced++;
      }
    }
    expect(referenced).toBeGreaterThan(0);
    for (const pa of pas.filter((p) => decisionOf(p) !== 'A1')) {
      const number = pa.identifier?.[0]?.value;
      expect(stories.some((s) => [...s.claims, ...(s.inFlightClaims ?? [])].some((c) => c.priorAuthNumber === number))).toBe(false);
      expect(pa.preAuthRef).toBeUndefined();
    }
    // Answered (complete), the decision pended: the CARIN BB kit wants every EOB a patient search returns complete.
    expect(pas.every((p) => p.outcome === 'complete')).toBe(true);
  });

  it('should give approved items the PAS authorized detail (the units) and provider (the performing organization), and no other item', () => {
    const approvedItems = pas.flatMap((p) => (p.item ?? []).filter((i) => i.adjudication?.[0]?.extension?.[0]?.extension?.some((e) => e.valueCodeableConcept?.coding?.[0]?.code === 'A1')).map((i) => [p, i] as const));
    expect(approvedItems.length).toBeGreaterThan(0);
    for (const [eob, i] of approvedItems) {
      const units = i.adjudication?.find((a) => a.category?.coding?.[0]?.code === 'allowedunits')?.value;
      const detail = i.extension?.find((e) => e.url === `${PAS_SD}extension-itemAuthorizedDetail`);
      expect(detail?.extension).toEqual([{ url: 'quantity', valueQuantity: { value: units } }]);
      const provider = i.extension?.find((e) => e.url === `${PAS_SD}extension-itemAuthorizedProvider`)?.extension;
      expect(provider?.find((e) => e.url === 'provider')?.valueReference).toEqual(eob.provider);
      expect(provider?.find((e) => e.url === 'providerType')?.valueCodeableConcept?.coding?.[0]?.code).toBe(eob.facility ? 'FA' : 'SJ');
    }
    for (const eob of pas) expect(pasItemExtensionProblems(eob)).toEqual([]);
    const others = pas.flatMap((p) => p.item ?? []).filter((i) => !approvedItems.some(([, a]) => a === i));
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((i) => !i.extension?.some((e) => e.url.includes('itemAuthorized')))).toBe(true);
  });

  it('should tell broken PAS item extensions (the transcribed rules can fail)', () => {
    const eob = structuredClone(pas.find((p) => p.item?.[0]?.extension?.some((e) => e.url.endsWith('itemAuthorizedDetail')))!);
    const ext = eob.item![0]!.extension!;
    const detail = ext.find((e) => e.url.endsWith('itemAuthorizedDetail'))!;
    detail.extension = [{ url: 'quantity', valueQuantity: { value: 2, comparator: '<' } }, { url: 'unitPrice', valueDecimal: 3 }, { url: 'authorizedUnits', valueInteger: 2 }];
    const provider = ext.find((e) => e.url.endsWith('itemAuthorizedProvider'))!;
    provider.extension = [{ url: 'provider', valueReference: { reference: 'Patient/x' } }, { url: 'providerType', valueCodeableConcept: { coding: [{ system: 'http://example.org', code: 'SJ' }] } }];
    ext.push({ url: `${PAS_SD}extension-itemAuthorizedDetail`, valueString: 'x' });
    expect(pasItemExtensionProblems(eob)).toEqual([
      'item[0].authorizedItemDetail: 0..1',
      'item[0].authorizedItemDetail.unitPrice: must be valueMoney',
      'item[0].authorizedItemDetail: unknown sub-extension authorizedUnits',
      'item[0].authorizedItemDetail.quantity: a SimpleQuantity with a value',
      'item[0].authorizedItemDetail: value[x] 0..0',
      'item[0].authorizedItemDetail: no sub-extension',
      'item[0].authorizedProvider.provider: a Practitioner or Organization',
      'item[0].authorizedProvider.providerType: X12 98 codes',
    ]);
  });

  it('should link requests and claims for any member (property over members)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 20_000 }), (index) => checkLinks(simulateMember({ profile, codeMaps, directory: ctx.directory }, index))), { numRuns: 40 });
  });

  /**
   * The coverage plan's rental (member 0): approved for 91 days, billed again the day after under an approved renewal
   * naming it, with a claim under each approval; also when the CPAP is billed under an approval of the member's own
   * (at seed 588729 the member's CPAP came first, was not renewed, and the forced one fell under its approval).
   */
  const checkRental = (p: typeof profile) => {
    const story = simulateMember({ profile: p, codeMaps, directory: buildDirectory(p, codeMaps) }, 0);
    checkLinks(story);
    const renewal = renewalsOf(story).find((a) => a.items[0]!.code.code === 'E0601');
    expect(renewal?.items[0]?.decision, `seed ${p.seed}, ${p.period.start}..${p.period.end}`).toBe('approved');
    const first = story.priorAuthorizations!.find((a) => a.number === renewal!.previousNumber)!;
    const period = first.items[0]!.authorizedPeriod!;
    expect(daysBetween(period.start, period.end)).toBe(91);
    // The rental goes on the day after the first approval ends, under the renewal.
    expect(story.claims.some((c) => c.priorAuthNumber === renewal!.number && c.serviceStart === addDays(period.end, 1))).toBe(true);
    expect(story.claims.some((c) => c.priorAuthNumber === first.number)).toBe(true);
  };

  it('should renew the coverage plan\'s CPAP rental after its first three months, with a claim under each approval, at any seed', () => {
    checkRental({ ...profile, seed: 588729 });
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => checkRental({ ...profile, seed })), { numRuns: 12 });
    // The PriorAuthorization EOB of the renewal names the previous number (PAS authorizationNumber).
    const renewal = stories.flatMap((s) => renewalsOf(s))[0]!;
    const eob = pas.find((p) => p.identifier?.[0]?.value === renewal.number)!;
    expect(eob.item?.[0]?.extension?.find((e) => e.url.endsWith('/extension-authorizationNumber'))?.valueString).toBe(renewal.previousNumber);
  });

  it('should renew it in a shorter period too, when the coverage holds the first approval\'s 91 days before the last day a service is paid', () => {
    // Services are paid in the period up to 45 days before its end (MemberClaimsContext.lastServiceDay): 136 days is the least.
    const days = fc.oneof(fc.constant(136), fc.integer({ min: 136, max: 364 }));
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), days, (seed, length) => {
      checkRental({ ...profile, seed, period: { start: profile.period.start, end: addDays(profile.period.start, length) } });
    }), { numRuns: 12 });
  });

  it('should ask for authorization of elective admissions, advanced imaging and DME only', () => {
    const draft = (over: Partial<ClaimDraft>, code?: { system: 'cpt' | 'hcpcs'; code: string }): ClaimDraft => ({
      type: 'professional', coverageOrdinal: 1, serviceStart: '2025-03-01', serviceEnd: '2025-03-01', billingProviderId: 'o', network: 'innetwork',
      diagnoses: [], procedures: [],
      lines: code ? [{ serviceDate: '2025-03-01', code: { ...code, display: '', licensed: false }, modifiers: [], quantity: 1, diagnosisSequences: [], price: { submitted: 100, allowedRatio: 0.5, preventive: false } }] : [],
      ...over,
    } as ClaimDraft);
    const inpatient = (type: string) => draft({ type: 'inpatient', institutional: { admissionType: type } as ClaimDraft['institutional'] });
    const authorizationNeeded = (d: ClaimDraft) => needed(d, codeMaps.priorAuth);
    expect(authorizationNeeded(inpatient('3'))?.kind).toBe('inpatient-admission');
    expect(authorizationNeeded(inpatient('1'))).toBeUndefined();
    expect(authorizationNeeded(draft({}, { system: 'cpt', code: '72148' }))?.kind).toBe('advanced-imaging');
    expect(authorizationNeeded(draft({}, { system: 'cpt', code: '78815' }))?.kind).toBe('advanced-imaging');
    expect(authorizationNeeded(draft({}, { system: 'cpt', code: '71046' }))).toBeUndefined();
    expect(authorizationNeeded(draft({}, { system: 'hcpcs', code: 'E0601' }))?.kind).toBe('dme');
    expect(authorizationNeeded(draft({ type: 'outpatient' }, { system: 'hcpcs', code: 'K0001' }))?.kind).toBe('dme');
    expect(authorizationNeeded(draft({ type: 'pharmacy' }, { system: 'hcpcs', code: 'E0601' }))).toBeUndefined();
    // Both kinds on one draft: the imaging line is the one reviewed, wherever it is.
    const both = draft({}, { system: 'hcpcs', code: 'E0601' });
    both.lines.push({ ...both.lines[0]!, code: { system: 'cpt', code: '72148', display: '', licensed: true } });
    expect(authorizationNeeded(both)).toEqual({ kind: 'advanced-imaging', line: 1 });
  });
});

describe('validating the Formulary and PDex data of the default population', () => {
  let validator: Validator;
  beforeAll(async () => {
    validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['hl7.fhir.us.davinci-drug-formulary@2.0.1', 'hl7.fhir.us.davinci-pdex@2.0.0', 'us-core@6.1.0'] });
  });

  const errorsOf = (resources: Resource[]) => {
    const issues: ReturnType<Validator['validate']> = [];
    // References to the member's Patient, Coverage and the directory resolve in the full output; here only the profiles are judged.
    for (const r of resources) validator.check(r, () => true, issues);
    return issues.filter((i) => i.severity === 'error');
  };

  it('should give 0 errors and fill every Formulary must-support element, at two seeds', () => {
    for (const seed of [profile.seed, profile.seed + 1]) {
      const p = { ...profile, seed };
      const resources = buildFormularyDirectoryResources({ ...ctx, profile: p, directory: buildDirectory(p, codeMaps) });
      expect(errorsOf(resources)).toEqual([]);
      const report = coverage(resources, validator.packages.find((x) => x.name === 'hl7.fhir.us.davinci-drug-formulary')!, validator);
      for (const prof of report.profiles.filter((x) => x.resources > 0)) expect({ profile: prof.name, missing: prof.missing }).toEqual({ profile: prof.name, missing: [] });
      expect(report.unclaimed.every((u) => u.includes('GraphDefinition'))).toBe(true);
    }
  });

  it('should give 0 errors on the PriorAuthorization EOBs and fill every must-support element at two seeds', () => {
    const p = { ...profile, seed: profile.seed + 1 };
    const dir = buildDirectory(p, codeMaps);
    const other = Array.from({ length: p.members }, (_, i) => simulateMember({ profile: p, codeMaps, directory: dir }, i))
      .flatMap((s) => buildPdexMemberResources(s, { ...ctx, profile: p, directory: dir }));
    for (const eobs of [pas, other]) {
      expect(errorsOf(eobs)).toEqual([]);
      const report = coverage(eobs, validator.packages.find((x) => x.name === 'hl7.fhir.us.davinci-pdex')!, validator);
      const pa = report.profiles.find((x) => x.name === 'PdexPriorAuthorization')!;
      // The previous authorization number too: the coverage plan's CPAP rental is renewed.
      expect(pa.missing).toEqual([]);
      expect(pa.total).toBe(35);
    }
  });

  it('should have the US Core dispenses coded in place, the devices and the Provenances claim PDex too, with 0 errors', () => {
    const layered = stories.flatMap((st) => buildUsCoreMemberResources(st, ctx)).map((r) => layerPdex(r, ctx));
    const dispenses = layered.filter((r) => r.resourceType === 'MedicationDispense');
    const claiming = dispenses.filter((r) => r.meta?.profile?.some((p) => p.includes('pdex-medicationdispense')));
    expect(claiming.length).toBeGreaterThan(0);
    expect(claiming.every((r) => (r as { substitution?: { wasSubstituted: boolean } }).substitution?.wasSubstituted === false)).toBe(true);
    // A dispense pointing to a Medication resource cannot claim PDex's, which allows only a code.
    expect(dispenses.filter((r) => !claiming.includes(r)).every((r) => 'medicationReference' in r)).toBe(true);
    const pdexOnes = layered.filter((r) => r.meta?.profile?.some((p) => p.includes('/davinci-pdex/')));
    expect(errorsOf(pdexOnes)).toEqual([]);
    const report = coverage(pdexOnes, validator.packages.find((x) => x.name === 'hl7.fhir.us.davinci-pdex')!, validator);
    expect(report.profiles.find((x) => x.name === 'PdexMedicationDispense')?.missing).toEqual([]);
    expect(report.profiles.find((x) => x.name === 'PdexDevice')?.missing).toEqual([]);
    expect(report.profiles.find((x) => x.name === 'PdexDevice')?.notApplicable.map((n) => n.id)).toEqual(['Device.url']);
    // Both Provenances of every member claim US Core's and PDex's; the clinical record's names its source format.
    const provenances = layered.filter((r): r is Provenance => r.resourceType === 'Provenance');
    expect(provenances.length).toBe(2 * stories.length);
    expect(provenances.every((p) => p.meta?.profile?.some((x) => x.includes('/us/core/')) && p.meta.profile.some((x) => x.includes('pdex-provenance')))).toBe(true);
    const sources = provenances.map((p) => p.entity?.[0]?.extension?.[0]?.valueCodeableConcept?.coding?.[0]?.code);
    expect(sources.filter((c) => c === 'hl7fhirr4').length).toBe(stories.length);
    expect(provenances.filter((p) => !p.entity).every((p) => p.target.every((t) => /^(Patient|Coverage|RelatedPerson)\//.test(t.reference!)))).toBe(true);
    expect(report.profiles.find((x) => x.name === 'Provenance')?.missing).toEqual([]); // PDex names its profile 'Provenance'
  });
});
