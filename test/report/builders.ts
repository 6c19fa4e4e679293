import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Condition, Coverage, ExplanationOfBenefit, Patient, Resource } from '@medplum/fhirtypes';

const C4BB = 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/';
const PROFILES = {
  inpatient: 'C4BB-ExplanationOfBenefit-Inpatient-Institutional',
  outpatient: 'C4BB-ExplanationOfBenefit-Outpatient-Institutional',
  professional: 'C4BB-ExplanationOfBenefit-Professional-NonClinician',
  pharmacy: 'C4BB-ExplanationOfBenefit-Pharmacy',
  oral: 'C4BB-ExplanationOfBenefit-Oral',
} as const;
export type Kind = keyof typeof PROFILES;

export function patient(id: string, birthDate: string, gender: 'female' | 'male', deceased?: string): Patient {
  return { resourceType: 'Patient', id, birthDate, gender, ...(deceased ? { deceasedDateTime: deceased } : {}) };
}

/** A Coverage of a plan: `type` the v3 ActCode (HIP, MCPOL, PUBLICPOL, DENTAL), `group` its group name. */
export function coverage(id: string, member: string, type: string, start: string, end: string, group = 'Employer Group'): Coverage {
  return {
    resourceType: 'Coverage',
    id,
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: type }] },
    beneficiary: { reference: `Patient/${member}` },
    payor: [{ reference: 'Organization/payer' }],
    period: { start, end },
    class: [{ type: { coding: [{ code: 'group' }] }, value: 'G1', name: group }],
  };
}

export interface ClaimSpec {
  start: string;
  end?: string;
  /** Allowed and paid per line, dollars. */
  lines?: { allowed: number; paid: number; revenue?: string; pos?: string; code?: string }[];
  dx?: string[];
  daysSupply?: number;
  admission?: { start: string; end: string };
}

export function eob(id: string, member: string, kind: Kind, spec: ClaimSpec): ExplanationOfBenefit {
  const adj = (code: string, value: number) => ({ category: { coding: [{ code }] }, amount: { value, currency: 'USD' as const } });
  const info = [
    ...(spec.daysSupply !== undefined ? [{ sequence: 1, category: { coding: [{ code: 'dayssupply' }] }, valueQuantity: { value: spec.daysSupply } }] : []),
    ...(spec.admission ? [{ sequence: 2, category: { coding: [{ code: 'admissionperiod' }] }, timingPeriod: spec.admission }] : []),
  ];
  return {
    resourceType: 'ExplanationOfBenefit',
    id,
    meta: { profile: [`${C4BB}${PROFILES[kind]}|2.0.0`] },
    status: 'active',
    type: { coding: [{ code: kind === 'inpatient' || kind === 'outpatient' ? 'institutional' : kind }] },
    use: 'claim',
    patient: { reference: `Patient/${member}` },
    billablePeriod: { start: spec.start, end: spec.end ?? spec.start },
    created: spec.start,
    insurer: { reference: 'Organization/payer' },
    provider: { reference: 'Organization/p' },
    outcome: 'complete',
    insurance: [{ focal: true, coverage: { reference: 'Coverage/x' } }],
    ...(info.length ? { supportingInfo: info } : {}),
    diagnosis: (spec.dx ?? []).map((code, i) => ({ sequence: i + 1, diagnosisCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code }] } })),
    item: (spec.lines ?? [{ allowed: 100, paid: 80 }]).map((l, i) => ({
      sequence: i + 1,
      productOrService: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: l.code ?? '99213' }] },
      ...(l.revenue ? { revenue: { coding: [{ system: 'https://www.nubc.org/CodeSystem/RevenueCodes', code: l.revenue }] } } : {}),
      ...(l.pos ? { locationCodeableConcept: { coding: [{ code: l.pos }] } } : {}),
      adjudication: [adj('eligible', l.allowed), adj('benefit', l.paid)],
    })),
  };
}

/** A Condition with a clinical status and codings (system URL → code). */
export function condition(id: string, member: string, status: string, codes: Record<string, string>): Condition {
  return {
    resourceType: 'Condition',
    id,
    subject: { reference: `Patient/${member}` },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: status }] },
    code: { coding: Object.entries(codes).map(([system, code]) => ({ system, code })) },
  };
}

export const SNOMED = 'http://snomed.info/sct';
export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';

/** Writes resources as NDJSON, one file per type (in the given order), under dir/ndjson. */
export function writeNdjson(dir: string, resources: readonly Resource[]): void {
  mkdirSync(join(dir, 'ndjson'), { recursive: true });
  const byType = new Map<string, Resource[]>();
  for (const r of resources) byType.set(r.resourceType, [...(byType.get(r.resourceType) ?? []), r]);
  for (const [type, rs] of byType) writeFileSync(join(dir, 'ndjson', `${type}.ndjson`), rs.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

/** Writes resources as one transaction Bundle file. */
export function writeBundle(file: string, resources: readonly Resource[]): void {
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((r) => ({ fullUrl: `urn:uuid:${r.resourceType}-${r.id}`, resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } })),
  };
  writeFileSync(file, JSON.stringify(bundle));
}
