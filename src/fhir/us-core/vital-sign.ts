import type { Observation } from '@medplum/fhirtypes';
import type { UcumUnit, VitalRow } from '../../codemaps/clinical-labs-vitals.js';
import type { VitalKey, VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';

const VITAL_SIGNS_CATEGORY = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }],
  text: 'Vital Signs',
};
const BASE = 'http://hl7.org/fhir/StructureDefinition';

/** What was attempted but not obtained. */
export const NOT_PERFORMED = { coding: [{ system: SYSTEMS.dataAbsentReason, code: 'not-performed', display: 'Not Performed' }] };
export const UNKNOWN = { coding: [{ system: SYSTEMS.dataAbsentReason, code: 'unknown', display: 'Unknown' }] };

export function vitalRow(ctx: BuildContext, key: string): VitalRow {
  const row = ctx.codeMaps.clinical.labsVitals.vitals.get(key);
  if (!row) throw new Error(`vitals.json has no '${key}'`);
  return row;
}

export function loincCode(row: VitalRow): Observation['code'] {
  return { coding: [{ system: SYSTEMS.loinc, code: row.loinc.code, display: row.loinc.display }], text: row.loinc.display };
}

export function quantity(value: number, unit: UcumUnit | undefined): NonNullable<Observation['valueQuantity']> {
  return { value, unit: unit?.display || unit?.code, system: SYSTEMS.ucum, code: unit?.code };
}

/**
 * The profiles a vital sign claims: in 6.1.0 its US Core profile and the generic
 * us-core-vital-signs; in 3.1.1 the base FHIR vital-sign profile (or the US Core one where 3.1.1 has it).
 */
export function vitalProfiles(ctx: BuildContext, usCore: string, base311?: string): string[] {
  if (ctx.usCoreVersion === '3.1.1') return [base311 ? `${BASE}/${base311}` : usCoreProfile(ctx, usCore)];
  return [usCoreProfile(ctx, usCore), usCoreProfile(ctx, 'us-core-vital-signs')];
}

/** The shared frame of every vital-sign Observation of one visit. */
export function vitalFrame(story: MemberStory, vitals: VitalsFact, ctx: BuildContext, suffix: string, profiles: string[], code: Observation['code']): Observation {
  return {
    resourceType: 'Observation',
    id: ids.member(story, `enc${vitals.encounterOrdinal}-${suffix}`),
    meta: meta(ctx, profiles),
    status: 'final',
    category: [VITAL_SIGNS_CATEGORY],
    code,
    subject: ref('Patient', ids.patient(story)),
    encounter: ref('Encounter', ids.encounter(story, vitals.encounterOrdinal)),
    effectiveDateTime: vitals.date,
    ...(vitals.practitionerId ? { performer: [ref('Practitioner', vitals.practitionerId)] } : {}),
  };
}

/** A single-quantity vital sign: the value, or a dataAbsentReason when it was not obtained. */
export function simpleVital(
  story: MemberStory, vitals: VitalsFact, ctx: BuildContext, key: VitalKey, suffix: string, profiles: string[],
): Observation | undefined {
  if (!(key in vitals.measures)) return undefined;
  const row = vitalRow(ctx, key);
  const value = vitals.measures[key];
  return {
    ...vitalFrame(story, vitals, ctx, suffix, profiles, loincCode(row)),
    ...(value === undefined ? { dataAbsentReason: NOT_PERFORMED } : { valueQuantity: quantity(value, row.unit) }),
  };
}
