import type { Binary, CarePlan, CareTeam, Condition, DiagnosticReport, DocumentReference, Encounter, Immunization, Observation, Procedure, ServiceRequest, ExplanationOfBenefit, MedicationDispense, MedicationRequest, Patient, Provenance, QuestionnaireResponse, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../../helpers/output.js';

// The data the Inferno CARIN BB and US Core kits look for (issue 11), on the 25-member default population.
const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

let resources: Resource[];
beforeAll(() => {
  const t = tempDir();
  temps.push(t.cleanup);
  generateTo(t.dir, shippedProfile('default'));
  resources = bundleResources(t.dir).flatMap((b) => b.resources);
});

const of = <T extends Resource>(type: T['resourceType']) => resources.filter((r): r is T => r.resourceType === type);
const ids = (type: string) => new Set(resources.filter((r) => r.resourceType === type).map((r) => `${type}/${r.id}`));

describe('data the Inferno kits need, default population', () => {
  it('has a Provenance targeting every Patient, Coverage and RelatedPerson (for _revinclude=Provenance:target)', () => {
    const targeted = new Set(of<Provenance>('Provenance').flatMap((p) => p.target.map((t) => t.reference!)));
    for (const type of ['Patient', 'Coverage', 'RelatedPerson']) {
      const all = ids(type);
      expect(all.size, type).toBeGreaterThan(0);
      expect([...all].filter((r) => !targeted.has(r)), type).toEqual([]);
    }
  });

  it('gives every EOB outcome complete, partial denials kept as payment type partiallypaid', () => {
    const eobs = of<ExplanationOfBenefit>('ExplanationOfBenefit');
    expect(eobs.every((e) => e.outcome === 'complete')).toBe(true);
    expect(eobs.some((e) => e.payment?.type?.coding?.some((c) => c.code === 'partiallypaid'))).toBe(true);
  });

  it('names care team clinicians as Practitioner and as PractitionerRole, each resolving', () => {
    const members = of<CareTeam>('CareTeam').flatMap((c) => (c.participant ?? []).map((p) => p.member?.reference ?? ''));
    const roles = ids('PractitionerRole');
    const practitioners = ids('Practitioner');
    expect(members.some((m) => roles.has(m))).toBe(true);
    expect(members.some((m) => practitioners.has(m))).toBe(true);
    expect(members.filter((m) => m.startsWith('PractitionerRole/') && !roles.has(m))).toEqual([]);
  });

  it('has MedicationRequests reported by a Practitioner and MedicationDispenses referencing a Medication, all resolving', () => {
    const practitioners = ids('Practitioner');
    const medications = ids('Medication');
    const reported = of<MedicationRequest>('MedicationRequest').map((r) => r.reportedReference?.reference ?? '').filter((r) => r.startsWith('Practitioner/'));
    expect(reported.length).toBeGreaterThan(0);
    expect(reported.every((r) => practitioners.has(r))).toBe(true);
    const meds = of<MedicationDispense>('MedicationDispense').map((d) => d.medicationReference?.reference).filter((r): r is string => Boolean(r));
    expect(meds.length).toBeGreaterThan(0);
    expect(meds.every((r) => medications.has(r))).toBe(true);
  });

  it('keeps a previous address as use old (not overwritten by home)', () => {
    const patients = of<Patient>('Patient');
    expect(patients.some((p) => p.address?.some((a) => a.use === 'old' && a.period?.end))).toBe(true);
    expect(patients.every((p) => p.address?.filter((a) => a.use === 'home').length === 1)).toBe(true);
  });

  it('bases office and outpatient procedures during the care plan on the CarePlan', () => {
    const plans = new Map(of<CarePlan>('CarePlan').map((c) => [`CarePlan/${c.id}`, c]));
    const based = of<Procedure>('Procedure').filter((p) => p.basedOn?.length);
    expect(based.length).toBeGreaterThan(0);
    for (const p of based) {
      const plan = plans.get(p.basedOn![0]!.reference!);
      expect(plan?.subject.reference).toBe(p.subject.reference);
      expect((p.performedDateTime ?? p.performedPeriod!.start!) >= plan!.period!.start!).toBe(true);
    }
  });

  it('gives lab orders the reason conditions as codes and, in a stay, an occurrence period to the discharge', () => {
    const orders = of<ServiceRequest>('ServiceRequest');
    expect(orders.some((o) => o.reasonCode?.[0]?.coding?.[0]?.code)).toBe(true);
    expect(orders.filter((o) => o.reasonReference?.length).every((o) => o.reasonCode?.length === o.reasonReference!.length)).toBe(true);
    const encounters = new Map(of<Encounter>('Encounter').map((e) => [`Encounter/${e.id}`, e]));
    const periods = orders.filter((o) => o.occurrencePeriod);
    expect(periods.length).toBeGreaterThan(0);
    for (const o of periods) {
      const stay = encounters.get(o.encounter!.reference!)!;
      expect(stay.class.code).toBe('IMP');
      expect(o.occurrencePeriod!.start).toBe(o.authoredOn);
      expect(o.occurrencePeriod!.end).toBe(stay.period!.end!.slice(0, 10));
    }
  });

  it('derives screening scores (PHQ-9 total, hunger vital sign risk) from the item Observations, each resolving', () => {
    const observations = ids('Observation');
    const derived = resources.filter((r) => r.resourceType === 'Observation')
      .flatMap((o) => ((o as { derivedFrom?: { reference?: string }[] }).derivedFrom ?? []).map((d) => d.reference ?? ''))
      .filter((r) => r.startsWith('Observation/'));
    expect(derived.length).toBeGreaterThan(0);
    expect(derived.every((r) => observations.has(r))).toBe(true);
  });
  it('names a son after his father, the subscriber: the same given names and the suffix Jr.', () => {
    const juniors = of<Patient>('Patient').filter((p) => p.name?.some((n) => n.suffix?.includes('Jr.')));
    expect(juniors.length).toBeGreaterThan(0);
    for (const p of juniors) expect(p.gender).toBe('male');
  });

  it('reports qualitative lab results as text (valueString) and as a SNOMED CT answer (valueCodeableConcept)', () => {
    const labs = of<Observation>('Observation').filter((o) => o.category?.some((c) => c.coding?.some((k) => k.code === 'laboratory')));
    const texts = labs.filter((o) => o.valueString);
    const coded = labs.filter((o) => o.valueCodeableConcept);
    expect(texts.map((o) => o.code.coding?.[0]?.code)).toContain('5767-9');
    expect(coded.length).toBeGreaterThan(0);
    expect(coded.every((o) => o.valueCodeableConcept!.coding?.[0]?.system === 'http://snomed.info/sct')).toBe(true);
  });

  it('reports clinical results (ECG) as a SNOMED CT finding where one concept says it, as text otherwise', () => {
    const results = of<Observation>('Observation').filter((o) => o.meta?.profile?.some((p) => p.includes('us-core-observation-clinical-result')));
    expect(results.some((o) => o.valueCodeableConcept?.coding?.[0]?.code === '64730000' || o.valueCodeableConcept?.coding?.[0]?.code === '49436004')).toBe(true);
    expect(results.some((o) => o.valueString)).toBe(true);
  });

  it('says an unknown lot number of a vaccination reported from a pharmacy with the data absent reason extension', () => {
    const reported = of<Immunization>('Immunization').filter((i) => i.primarySource === false && i.status === 'completed');
    expect(reported.length).toBeGreaterThan(0);
    for (const i of reported) {
      expect(i.lotNumber).toBeUndefined();
      expect((i as { _lotNumber?: unknown })._lotNumber).toEqual({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] });
    }
  });
  it('shows every clinical note type and report category the Inferno clinical notes test asks for, each attachment URL a Binary with the same text', () => {
    const docs = of<DocumentReference>('DocumentReference');
    const types = new Set(docs.map((d) => d.type?.coding?.[0]?.code));
    for (const code of ['11488-4', '18842-5', '34117-2', '28570-0', '11506-3', '18748-4', '11502-2', '11526-1']) expect(types, code).toContain(code);
    const reports = of<DiagnosticReport>('DiagnosticReport');
    const categories = new Set(reports.flatMap((r) => r.category?.map((c) => c.coding?.[0]?.code) ?? []));
    for (const code of ['LP29684-5', 'LP29708-2', 'LP7839-6']) expect(categories, code).toContain(code);
    const binaries = new Map(of<Binary>('Binary').map((b) => [`Binary/${b.id}`, b]));
    const docUrls = new Set(docs.flatMap((d) => d.content.map((c) => c.attachment.url)).filter(Boolean));
    const attachments = [...docs.flatMap((d) => d.content.map((c) => c.attachment)), ...reports.flatMap((r) => r.presentedForm ?? [])].filter((a) => a.url);
    expect(attachments.length).toBeGreaterThan(0);
    for (const a of attachments) {
      expect(binaries.get(a.url!)?.data, a.url).toBe(a.data);
      expect(binaries.get(a.url!)?.contentType).toBe(a.contentType);
    }
    // A report with a URL is also a clinical note: its document has the same attachment (Inferno's clinical note attachments test).
    for (const r of reports) for (const f of r.presentedForm ?? []) if (f.url) expect(docUrls, `${r.id}`).toContain(f.url);
  });

  it('records food insecurity as an sdoh health concern at the first hunger vital sign at risk', () => {
    const sdoh = of<Condition>('Condition').filter((c) => c.category?.some((k) => k.coding?.some((x) => x.system === 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category' && x.code === 'sdoh')));
    expect(sdoh.length).toBeGreaterThan(0);
    const responses = of<QuestionnaireResponse>('QuestionnaireResponse');
    for (const c of sdoh) {
      expect(c.code?.coding?.map((x) => x.code)).toEqual(['445281000124101', 'Z59.41']);
      expect(c.category?.map((k) => k.coding?.[0]?.code)).toEqual(['problem-list-item', 'health-concern', 'sdoh']);
      // The hunger vital sign answered at the same visit says "At risk" (LA19952-3).
      const hvs = responses.filter((r) => r.encounter?.reference === c.encounter?.reference && r.questionnaire?.includes('hunger-vital-sign'));
      expect(hvs.some((r) => r.item?.some((i) => i.linkId === '/88124-3' && i.answer?.[0]?.valueCoding?.code === 'LA19952-3')), c.id).toBe(true);
    }
  });

  it('answers the TAPS prescription-misuse question in free text (a top-level item.answer.valueString), the drinking question by sex', () => {
    const taps = of<QuestionnaireResponse>('QuestionnaireResponse').filter((r) => r.questionnaire === 'http://hl7.org/fhir/us/core/Questionnaire/TAPS');
    expect(taps.length).toBeGreaterThan(0);
    const patients = new Map(of<Patient>('Patient').map((p) => [`Patient/${p.id}`, p]));
    for (const r of taps) {
      expect(r.item?.map((i) => i.linkId)).toEqual(['/96842-0', patients.get(r.subject!.reference!)?.gender === 'female' ? '/75889-6' : '/88037-7', '/96843-8', '/96844-6']);
      expect(['Daily or almost daily', 'Weekly', 'Monthly', 'Less than monthly', 'Never']).toContain(r.item?.[3]?.answer?.[0]?.valueString);
    }
  });

  it('records functional and cognitive status (us-core-category) at the annual wellness visits of members 65 and over', () => {
    const category = (o: Observation) => o.category?.flatMap((c) => c.coding ?? []).find((c) => c.system === 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category')?.code;
    const patients = new Map(of<Patient>('Patient').map((p) => [`Patient/${p.id}`, p]));
    const status = of<Observation>('Observation').filter((o) => category(o) === 'functional-status' || category(o) === 'cognitive-status');
    const functional = status.filter((o) => category(o) === 'functional-status');
    const cognitive = status.filter((o) => category(o) === 'cognitive-status');
    expect(functional.length).toBeGreaterThan(0);
    expect(cognitive.length).toBe(functional.length);
    expect(functional.every((o) => o.code.coding?.[0]?.code === '75276-6' && (o.valueCodeableConcept?.coding?.[0]?.code === '129035000' || o.valueString))).toBe(true);
    expect(cognitive.every((o) => o.code.coding?.[0]?.code === '11332-4' && o.valueString)).toBe(true);
    for (const o of status) {
      const born = patients.get(o.subject!.reference!)!.birthDate!;
      const age = Number(o.effectiveDateTime!.slice(0, 4)) - Number(born.slice(0, 4)) - (o.effectiveDateTime!.slice(5, 10) < born.slice(5, 10) ? 1 : 0);
      expect(age, o.id).toBeGreaterThanOrEqual(65);
    }
  });
});
