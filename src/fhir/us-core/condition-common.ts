import type { Coding, Extension } from '@medplum/fhirtypes';
import type { BuildContext } from '../context.js';
import { usCoreProfile } from '../context.js';
import { concept } from '../carin-bb/codings.js';

const ASSERTED_DATE = 'http://hl7.org/fhir/StructureDefinition/condition-assertedDate';

/** US Core 3.1.1 has one Condition profile for problems and visit diagnoses; 6.1.0 splits it. */
export function conditionProfile(ctx: BuildContext, profile6: 'us-core-condition-problems-health-concerns' | 'us-core-condition-encounter-diagnosis'): string {
  return usCoreProfile(ctx, ctx.usCoreVersion === '3.1.1' ? 'us-core-condition' : profile6);
}

export function assertedDate(date: string): Extension[] {
  return [{ url: ASSERTED_DATE, valueDateTime: date }];
}

export function clinicalStatus(status: 'active' | 'resolved') {
  return concept('conditionClinical', status, status === 'active' ? 'Active' : 'Resolved');
}

export function confirmed() {
  return concept('conditionVerStatus', 'confirmed', 'Confirmed');
}

// Category codes the profiles themselves name (their us-core category slices).
export const PROBLEM_LIST_ITEM = concept('conditionCategory', 'problem-list-item', 'Problem List Item');
export const HEALTH_CONCERN = concept('usCoreConditionCategory', 'health-concern', 'Health Concern');
export const ENCOUNTER_DIAGNOSIS = concept('conditionCategory', 'encounter-diagnosis', 'Encounter Diagnosis');

export function icd10cmCoding(code: string, display: string): Coding {
  return { ...concept('icd10cm', code, display).coding![0]! };
}
