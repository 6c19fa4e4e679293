import { isIcd10PcsFormat, isValidVerhoeff } from '../util/check-digits.js';
import type { CodeMapReader } from './load.js';
import type { ClaimsCodeMaps, Coded, EncounterKind, SourcedRow } from './types.js';

export interface EncounterTypeRow extends SourcedRow {
  kind: EncounterKind;
  /** SNOMED CT encounter type (is-a 308335008); absent where none fits. */
  snomed?: Coded;
  /** v3 ParticipationType of the visit's practitioner. */
  participantType: Coded;
}

export interface DischargeDispositionRow extends SourcedRow {
  /** NUBC patient discharge status on the claim. */
  nubc: string;
  code: string;
  display: string;
}

export interface CareProcedureRow extends SourcedRow {
  system: 'cpt' | 'hcpcs' | 'icd10pcs';
  code: string;
  snomed?: Coded;
}

export interface ConditionCategoryRow extends SourcedRow {
  key: string;
  healthConcern: boolean;
  /** us-core-category code (screening-assessment slice) where the condition describes functioning. */
  assessmentCategory?: Coded;
}

export interface ImplantRow extends SourcedRow {
  key: string;
  /** ICD-10-PCS codes that place this implant. */
  pcs: string[];
  deviceIdentifier: string;
  manufacturer: string;
  deviceName: string;
  snomed: Coded;
  /** Whole years, 1-100: the expiry date is the implant date that many years on (a FHIR date's year has 4 digits). */
  shelfLifeYears: number;
}

export interface PractitionerRoleRow extends SourcedRow {
  role: 'primary-care' | 'specialist' | 'dentist' | 'pharmacist';
  snomed: Coded;
}

export interface CareCodeMaps {
  encounterTypes: ReadonlyMap<string, EncounterTypeRow>;
  dischargeDispositions: ReadonlyMap<string, DischargeDispositionRow>;
  /** Keyed `<system>|<code>`. */
  procedures: ReadonlyMap<string, CareProcedureRow>;
  conditionCategories: ReadonlyMap<string, ConditionCategoryRow>;
  /** Keyed by ICD-10-PCS code. */
  implantsByPcs: ReadonlyMap<string, ImplantRow>;
  practitionerRoles: ReadonlyMap<string, PractitionerRoleRow>;
}

const PRACTITIONER_ROLES: readonly PractitionerRoleRow['role'][] = ['primary-care', 'specialist', 'dentist', 'pharmacist'];
const ENCOUNTER_KINDS: readonly EncounterKind[] = ['office', 'preventive', 'emergency', 'outpatient', 'inpatient', 'dental'];
const ASSESSMENT_CATEGORIES = new Set(['sdoh', 'functional-status', 'disability-status', 'cognitive-status']);

export function careProcedureKey(system: string, code: string): string {
  return `${system}|${code}`;
}

export function loadCareCodeMaps(reader: CodeMapReader, claims: ClaimsCodeMaps): CareCodeMaps {
  const { index, fail, failAt } = reader;
  const checkSnomed = (file: string, key: string, c: Coded | undefined) => {
    if (c && !isValidVerhoeff(c.code)) fail(file, key, `SNOMED CT id ${c.code} fails its Verhoeff check digit`, 'code', c);
  };

  const encounterTypes = index<EncounterTypeRow>('care-encounter-types.json', (r) => r.kind, { kind: 'text', snomed: 'coded?', participantType: 'coded' });
  for (const [kind, r] of encounterTypes) checkSnomed('care-encounter-types.json', kind, r.snomed);
  for (const kind of ENCOUNTER_KINDS) if (!encounterTypes.has(kind)) failAt('care-encounter-types.json', kind, 'every visit kind needs a row', ['rows']);

  const dischargeDispositions = index<DischargeDispositionRow>('care-discharge-disposition.json', (r) => r.nubc, { nubc: 'text', code: 'text', display: 'text' });
  const nubc = claims.tables.get('discharge-status')?.codes ?? [];
  for (const status of nubc) {
    if (!dischargeDispositions.has(status.code)) failAt('care-discharge-disposition.json', status.code, 'a discharge status the claims use has no row', ['rows']);
  }

  const procedures = index<CareProcedureRow>('care-procedures.json', (r) => careProcedureKey(r.system, r.code), { system: 'text', code: 'text', snomed: 'coded?' });
  // Every ICD-10-PCS code of the catalog is a procedure; those without a row here carry no SNOMED CT code.
  for (const p of claims.pcs.values()) {
    const key = careProcedureKey('icd10pcs', p.code);
    if (!procedures.has(key)) procedures.set(key, { system: 'icd10pcs', code: p.code, source: `${p.source} (no SNOMED CT mapping checked)` });
  }
  for (const [key, r] of procedures) {
    checkSnomed('care-procedures.json', key, r.snomed);
    if (!['cpt', 'hcpcs', 'icd10pcs'].includes(r.system)) fail('care-procedures.json', key, `unknown system '${r.system}' (cpt, hcpcs or icd10pcs)`, 'system');
    if (r.system === 'icd10pcs' && !isIcd10PcsFormat(r.code)) fail('care-procedures.json', key, 'not an ICD-10-PCS code', 'code');
  }

  const conditionCategories = index<ConditionCategoryRow>('care-condition-categories.json', (r) => r.key, { key: 'text', healthConcern: 'boolean', assessmentCategory: 'coded?' });
  for (const [key, r] of conditionCategories) {
    if (!claims.conditions.has(key)) fail('care-condition-categories.json', key, 'conditions.json has no such condition', 'key');
    if (r.assessmentCategory && !ASSESSMENT_CATEGORIES.has(r.assessmentCategory.code)) fail('care-condition-categories.json', key, `'${r.assessmentCategory.code}' is not a us-core-category code`, 'assessmentCategory.code');
  }

  const implants = index<ImplantRow>('care-implants.json', (r) => r.key, {
    key: 'text', pcs: 'texts', deviceIdentifier: 'text', manufacturer: 'text', deviceName: 'text', snomed: 'coded', shelfLifeYears: 'whole 1..100',
  });
  const implantsByPcs = new Map<string, ImplantRow>();
  for (const [key, r] of implants) {
    checkSnomed('care-implants.json', key, r.snomed);
    for (const [i, pcs] of r.pcs.entries()) {
      if (!claims.pcs.has(pcs)) fail('care-implants.json', key, `names ICD-10-PCS '${pcs}', which icd10pcs.json does not have`, ['pcs', i]);
      implantsByPcs.set(pcs, r);
    }
  }
  // The coverage-plan member has an operation that places one (src/story/simulate.ts, surgical episodes).
  if (![...claims.conditions.values()].some((c) => c.drgs.length && c.pcs.some((p) => implantsByPcs.has(p)))) {
    failAt('care-implants.json', 'rows', 'no row places an implant at an operation of a condition of catalog/conditions.json (one is needed)', ['rows']);
  }

  const practitionerRoles = index<PractitionerRoleRow>('care-practitioner-roles.json', (r) => r.role, { role: 'text', snomed: 'coded' });
  for (const [role, r] of practitionerRoles) checkSnomed('care-practitioner-roles.json', role, r.snomed);
  // A role without its row left its PractitionerRoles without the SNOMED CT code (src/fhir/us-core/practitioner-role.ts).
  for (const role of PRACTITIONER_ROLES) if (!practitionerRoles.has(role)) failAt('care-practitioner-roles.json', role, 'every practitioner role needs a row', ['rows']);

  return { encounterTypes, dischargeDispositions, procedures, conditionCategories, implantsByPcs, practitionerRoles };
}
