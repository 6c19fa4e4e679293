import type { ExplanationOfBenefit, ExplanationOfBenefitSupportingInfo } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { buildC4bbEob } from '../../../src/fhir/carin-bb/index.js';
import { carinBbProfile, ids } from '../../../src/fhir/context.js';
import { SYSTEMS } from '../../../src/fhir/systems.js';
import type { ClaimFact, MemberStory } from '../../../src/story/types.js';
import { cents } from '../../helpers/fhir-walk.js';
import { dependentStory, fixtureContext, subscriberStory } from '../../fixtures/carin-bb-fixture.js';
import { codeOf } from './helpers/build.js';

const claimOf = (story: MemberStory, pick: (c: ClaimFact) => boolean) => {
  const claim = story.claims.find(pick);
  if (!claim) throw new Error('fixture claim missing');
  return claim;
};
const build = (story: MemberStory, claim: ClaimFact) => buildC4bbEob(story, claim, fixtureContext);
const info = (eob: ExplanationOfBenefit, code: string): ExplanationOfBenefitSupportingInfo[] =>
  (eob.supportingInfo ?? []).filter((s) => codeOf(s.category) === code);
const adjudicationOf = (list: ExplanationOfBenefit['adjudication'], code: string) => (list ?? []).filter((a) => codeOf(a.category) === code);

const inpatient = claimOf(dependentStory, (c) => c.type === 'inpatient');
const outpatient = claimOf(dependentStory, (c) => c.type === 'outpatient');
const professional = claimOf(dependentStory, (c) => c.type === 'professional' && !c.ambulance && !c.replaces);
const ambulance = claimOf(dependentStory, (c) => Boolean(c.ambulance));
const pharmacy = claimOf(dependentStory, (c) => c.type === 'pharmacy' && !c.lines.some((l) => l.denial));
const rejected = claimOf(dependentStory, (c) => c.type === 'pharmacy' && c.lines.some((l) => l.denial));
const oral = claimOf(dependentStory, (c) => c.type === 'oral');

describe('buildC4bbEob', () => {
  it.each([
    ['inpatient', inpatient, 'C4BB-ExplanationOfBenefit-Inpatient-Institutional', 'Organization'],
    ['outpatient', outpatient, 'C4BB-ExplanationOfBenefit-Outpatient-Institutional', 'Organization'],
    ['professional', professional, 'C4BB-ExplanationOfBenefit-Professional-NonClinician', 'Organization'],
    ['pharmacy', pharmacy, 'C4BB-ExplanationOfBenefit-Pharmacy', 'Organization'],
    ['oral', oral, 'C4BB-ExplanationOfBenefit-Oral', 'Practitioner'],
  ] as const)('should build a %s claim to its profile, with the provider a %s', (_, claim, profile, providerType) => {
    const eob = build(dependentStory, claim);
    expect(eob.meta?.profile).toEqual([carinBbProfile(profile)]);
    expect(eob.provider.reference?.split('/')[0]).toBe(providerType);
  });

  it('should carry the claim number, dates, patient, insurer and focal coverage', () => {
    const eob = build(dependentStory, inpatient);
    expect(eob.id).toBe(ids.eob(dependentStory, inpatient.ordinal));
    expect(eob.identifier).toEqual([
      { type: { coding: [{ system: SYSTEMS.c4bbIdentifierType, code: 'uc' }] }, system: 'https://fhirseed.example.org/fsx01/claim-number', value: inpatient.claimNumber },
    ]);
    expect(eob.billablePeriod).toEqual({ start: inpatient.serviceStart, end: inpatient.serviceEnd });
    expect(eob.created).toBe(inpatient.adjudicated);
    expect(info(eob, 'clmrecvddate')[0]?.timingDate).toBe(inpatient.received);
    expect(eob.patient.reference).toBe(`Patient/${ids.patient(dependentStory)}`);
    expect(eob.insurer?.reference).toBe(`Organization/${fixtureContext.directory.payer.id}`);
    expect(eob.insurance).toEqual([{ focal: true, coverage: { reference: `Coverage/${ids.coverage(dependentStory, inpatient.coverageOrdinal)}` } }]);
  });

  it('should state the payment by outcome: type, date and amount', () => {
    for (const claim of [inpatient, professional, rejected]) {
      const eob = build(dependentStory, claim);
      expect(codeOf(eob.payment?.type)).toBe(claim.outcome);
      expect(eob.payment?.date).toBe(claim.paymentDate);
      expect(cents(eob.payment?.amount?.value)).toBe(claim.totals.benefit);
      // Processing complete for every adjudicated claim, partial denials included (the CARIN kit fails 'partial').
      expect(eob.outcome).toBe('complete');
    }
    expect(new Set([inpatient.outcome, professional.outcome, rejected.outcome])).toEqual(new Set(['partiallypaid', 'denied']));
  });

  it('should pay the provider organization, or the subscriber: the RelatedPerson of a dependent, the Patient of a subscriber', () => {
    expect(build(dependentStory, inpatient).payee).toMatchObject({ type: { coding: [{ code: 'provider' }] }, party: { reference: `Organization/${inpatient.billingProviderId}` } });
    expect(build(dependentStory, professional).payee).toMatchObject({ type: { coding: [{ code: 'subscriber' }] }, party: { reference: `RelatedPerson/${ids.subscriber(dependentStory)}` } });
    expect(build(subscriberStory, subscriberStory.claims[0]!).payee?.party?.reference).toBe(`Patient/${ids.patient(subscriberStory)}`);
  });

  it('should point a corrected claim at the claim it replaces and put its note on every line', () => {
    for (const claim of subscriberStory.claims) {
      const eob = build(subscriberStory, claim);
      expect(eob.related).toEqual([
        { relationship: { coding: [{ system: SYSTEMS.relatedClaimRelationship, code: 'prior' }] }, reference: { system: 'https://fhirseed.example.org/fsx01/claim-number', value: claim.replaces } },
      ]);
      expect(eob.processNote).toEqual([{ number: 1, type: 'display', text: claim.processNote }]);
      for (const item of eob.item ?? []) expect(item.noteNumber).toEqual([1]);
    }
    const original = build(dependentStory, inpatient);
    expect(original).not.toHaveProperty('related');
    expect(original).not.toHaveProperty('processNote');
  });

  it('should report network status from the claim', () => {
    const status = (eob: ExplanationOfBenefit, code: string) => adjudicationOf(eob.adjudication, code).map((a) => codeOf(a.reason));
    expect(status(build(dependentStory, outpatient), 'billingnetworkstatus')).toEqual(['outofnetwork']);
    expect(status(build(dependentStory, outpatient), 'benefitpaymentstatus')).toEqual(['outofnetwork']);
    expect(status(build(dependentStory, professional), 'renderingnetworkstatus')).toEqual(['innetwork']);
  });

  it('should give a denied line its X12 CARC, and a rejected fill its NCPDP reject code instead', () => {
    const denied = build(dependentStory, professional).item!.find((i) => i.sequence === 2)!;
    expect(adjudicationOf(denied.adjudication, 'adjustmentreason').map((a) => a.reason?.coding?.[0])).toEqual([
      { system: SYSTEMS.carc, code: '50', display: professional.lines[1]!.denial!.display },
    ]);
    const fill = build(dependentStory, rejected).item![0]!;
    expect(adjudicationOf(fill.adjudication, 'rejectreason').map((a) => a.reason?.coding?.[0])).toEqual([{ system: SYSTEMS.ncpdpReject, code: '70' }]);
    expect(adjudicationOf(fill.adjudication, 'adjustmentreason')).toEqual([]);
    const paid = build(dependentStory, professional).item!.find((i) => i.sequence === 1)!;
    expect(adjudicationOf(paid.adjudication, 'adjustmentreason')).toEqual([]);
  });
});

describe('institutional EOBs', () => {
  it('should code inpatient diagnoses with their types and present-on-admission, and procedures in ICD-10-PCS', () => {
    const eob = build(dependentStory, inpatient);
    expect(eob.diagnosis?.map((d) => [d.diagnosisCodeableConcept?.coding?.[0]?.code, d.type?.[0]?.coding?.[0]?.system, codeOf(d.type?.[0]), codeOf(d.onAdmission)])).toEqual([
      ['I21.4', SYSTEMS.diagnosisType, 'principal', 'Y'],
      ['E11.9', SYSTEMS.c4bbClaimDiagnosisType, 'other', 'Y'],
      ['R07.9', SYSTEMS.diagnosisType, 'admitting', 'U'],
    ]);
    expect(eob.procedure).toEqual([
      {
        sequence: 1, type: [{ coding: [{ system: SYSTEMS.c4bbClaimProcedureType, code: 'principal' }] }], date: '2024-03-05',
        procedureCodeableConcept: { coding: [{ system: SYSTEMS.icd10pcs, code: '02703DZ', display: inpatient.procedures[0]!.display }] },
      },
    ]);
  });

  it('should carry the admission period, bill type, origin, admission type, discharge status, DRG and record numbers', () => {
    const eob = build(dependentStory, inpatient);
    const facts = inpatient.institutional!;
    expect(info(eob, 'admissionperiod')[0]?.timingPeriod).toEqual(facts.admissionPeriod);
    expect(codeOf(info(eob, 'typeofbill')[0]?.code)).toBe(facts.typeOfBill);
    expect(codeOf(info(eob, 'pointoforigin')[0]?.code)).toBe(facts.pointOfOrigin);
    expect(codeOf(info(eob, 'admtype')[0]?.code)).toBe(facts.admissionType);
    expect(codeOf(info(eob, 'discharge-status')[0]?.code)).toBe(facts.dischargeStatus);
    expect(info(eob, 'drg')[0]?.code?.coding?.[0]).toEqual({ system: SYSTEMS.msDrg, code: '247', display: fixtureContext.codeMaps.drgs.get('247')!.display });
    expect(info(eob, 'medicalrecordnumber')[0]?.valueString).toBe(facts.medicalRecordNumber);
    expect(info(eob, 'patientaccountnumber')[0]?.valueString).toBe(facts.patientAccountNumber);
    expect(info(build(dependentStory, outpatient), 'admissionperiod')).toEqual([]);
  });

  it('should bill institutional lines by revenue code (with the story\'s display) and allowed units', () => {
    const items = build(dependentStory, inpatient).item!;
    expect(items[0]!.revenue?.coding?.[0]).toEqual({ system: SYSTEMS.revenue, code: '0120', display: 'Room & Board - Semi-Private' });
    expect(items[0]!.productOrService.coding?.[0]).toMatchObject({ system: SYSTEMS.dataAbsentReason, code: 'not-applicable' });
    expect(adjudicationOf(items[0]!.adjudication, 'allowedunits').map((a) => a.value)).toEqual([3]);
    expect(items[0]!.servicedPeriod).toEqual({ start: '2024-03-04', end: '2024-03-07' });
    expect(items[2]!.revenue?.coding?.[0]).toEqual({ system: SYSTEMS.revenue, code: '0250', display: inpatient.lines[2]!.revenue!.display });
  });

  it('should give outpatient and pharmacy lines a servicedDate even when the line spans days (their profiles allow no period)', () => {
    for (const claim of [outpatient, pharmacy]) {
      const spanning = { ...claim, lines: claim.lines.map((l) => ({ ...l, serviceEnd: '2024-12-30' })) };
      for (const item of build(dependentStory, spanning).item!) {
        expect(item.servicedDate).toBe(claim.lines.find((l) => l.sequence === item.sequence)!.serviceDate);
        expect(item).not.toHaveProperty('servicedPeriod');
      }
    }
  });
});

describe('professional EOBs', () => {
  it('should list rendering and referring providers with NUCC qualifications, and link lines to the rendering one', () => {
    const eob = build(dependentStory, professional);
    expect(eob.careTeam?.map((c) => [c.sequence, c.provider.reference, codeOf(c.role), codeOf(c.qualification)])).toEqual([
      [1, `Practitioner/${professional.renderingPractitionerId}`, 'rendering', '207Q00000X'],
      [2, `Practitioner/${professional.referringPractitionerId}`, 'referring', '207RC0000X'],
    ]);
    for (const item of eob.item!) expect(item.careTeamSequence).toEqual([1]);
  });

  it('should give each line its place of service, modifiers and benefit payment status, and name the service facility', () => {
    const eob = build(dependentStory, professional);
    const first = eob.item![0]!;
    expect(first.locationCodeableConcept?.coding?.[0]).toEqual({ system: SYSTEMS.placeOfService, code: '11', display: 'Office' });
    expect(first.modifier?.map(codeOf)).toEqual(['25']);
    for (const item of eob.item!) expect(adjudicationOf(item.adjudication, 'benefitpaymentstatus').map((a) => codeOf(a.reason))).toEqual(['innetwork']);
    expect(info(eob, 'servicefacility')[0]?.valueReference?.reference).toBe(`Organization/${professional.facilityId}`);
  });

  it('should carry an ambulance transport: reason, distance, weight, purposes and locations', () => {
    const eob = build(dependentStory, ambulance);
    const a = ambulance.ambulance!;
    expect(info(eob, 'ambulancetransportreason')[0]?.reason).toMatchObject({ system: SYSTEMS.ambulanceTransportReason, code: a.reason });
    expect(info(eob, 'transportationdistance')[0]?.valueQuantity).toMatchObject({ value: a.miles, system: SYSTEMS.ucum, code: '[mi_i]' });
    expect(info(eob, 'patientweight')[0]?.valueQuantity).toMatchObject({ value: a.weightLb, system: SYSTEMS.ucum, code: '[lb_av]' });
    expect(info(eob, 'pickuplocation')[0]?.valueString).toBe(a.pickup);
    expect(info(eob, 'dropofflocation')[0]?.valueString).toBe(a.dropoff);
    expect(info(eob, 'stretcherpurpose')[0]?.valueString).toBe(a.stretcherPurpose);
    expect(info(eob, 'roudtrippurpose')[0]?.valueString).toBe(a.roundTripPurpose);
    expect(adjudicationOf(eob.item![1]!.adjudication, 'allowedunits').map((x) => x.value)).toEqual([8]);
  });
});

describe('pharmacy EOBs', () => {
  it('should carry the NCPDP facts of the fill as supportingInfo and the NDC on the line', () => {
    const eob = build(dependentStory, pharmacy);
    const rx = pharmacy.pharmacy!;
    expect(info(eob, 'dayssupply')[0]?.valueQuantity?.value).toBe(rx.daysSupply);
    expect(info(eob, 'refillnum')[0]?.valueQuantity?.value).toBe(rx.refillNumber);
    expect(info(eob, 'refillsauthorized')[0]?.valueQuantity?.value).toBe(rx.refillsAuthorized);
    expect(info(eob, 'dawcode')[0]?.code?.coding?.[0]).toMatchObject({ system: SYSTEMS.ncpdpDaw, code: rx.dawCode });
    expect(info(eob, 'brandgenericindicator')[0]?.code?.coding?.[0]).toMatchObject({ system: SYSTEMS.ncpdpBrandGeneric, code: rx.brandGeneric });
    expect(info(eob, 'rxorigincode')[0]?.code?.coding?.[0]).toMatchObject({ system: SYSTEMS.ncpdpRxOrigin, code: rx.rxOrigin });
    expect(info(eob, 'compoundcode')[0]?.code?.coding?.[0]).toMatchObject({ system: SYSTEMS.ncpdpCompound, code: rx.compound });
    expect(eob.item![0]!.productOrService.coding?.[0]).toMatchObject({ system: SYSTEMS.ndc, code: rx.ndc });
    expect(eob.careTeam?.map((c) => [c.provider.reference, codeOf(c.role)])).toEqual([[`Practitioner/${pharmacy.prescriberId}`, 'prescribing']]);
  });

  it('should keep codes the code maps lack (DAW 1, brand 1) with their system and no display', () => {
    const eob = build(dependentStory, rejected);
    expect(info(eob, 'dawcode')[0]?.code?.coding?.[0]).toEqual({ system: SYSTEMS.ncpdpDaw, code: '1' });
    expect(info(eob, 'brandgenericindicator')[0]?.code?.coding?.[0]).toEqual({ system: SYSTEMS.ncpdpBrandGeneric, code: '1' });
  });
});

describe('oral EOBs', () => {
  it('should put tooth and surfaces on lines, list missing teeth, and qualify the orthodontic line', () => {
    const eob = build(dependentStory, oral);
    const filling = eob.item!.find((i) => i.sequence === 2)!;
    expect(filling.bodySite?.coding?.[0]).toEqual({ system: SYSTEMS.toothNumber, code: '30', display: 'Tooth 30' });
    expect(filling.subSite?.map((s) => s.coding?.[0])).toEqual([{ system: SYSTEMS.c4bbSurfaceCodes, code: 'O', display: 'Occlusal' }]);
    expect(info(eob, 'missingtoothnumber').map((s) => codeOf(s.code))).toEqual(['3', '14']);
    const ortho = info(eob, 'orthodontics')[0]!;
    expect(ortho.valueQuantity).toMatchObject({ value: 24, system: SYSTEMS.ucum, code: 'mo' });
    expect(eob.item!.find((i) => i.sequence === 3)!.informationSequence).toEqual([ortho.sequence]);
    expect(eob.careTeam?.map((c) => [c.provider.reference, codeOf(c.role), codeOf(c.qualification)])).toEqual([
      [`Practitioner/${oral.renderingPractitionerId}`, 'rendering', '1223G0001X'],
    ]);
  });

  it('should record whether a prosthesis is the initial placement', () => {
    const denture = claimOf(subscriberStory, (c) => c.type === 'oral');
    const eob = build(subscriberStory, denture);
    const prosthesis = info(eob, 'prosthesis')[0]!;
    expect(prosthesis.valueBoolean).toBe(true);
    expect(eob.item![0]!.informationSequence).toEqual([prosthesis.sequence]);
  });

  it('should refuse an oral claim without a rendering dentist, since the profile requires a Practitioner provider', () => {
    expect(() => build(dependentStory, { ...oral, renderingPractitionerId: undefined })).toThrow(/rendering dentist/);
  });
});
