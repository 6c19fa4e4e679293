import type { Condition } from '@medplum/fhirtypes';
import type { EncounterDiagnosisFact } from '../../story/clinical/care.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, type BuildContext } from '../context.js';
import { clinicalConcept, encounterRef, patientRef } from './care-common.js';
import { assertedDate, clinicalStatus, conditionProfile, confirmed, ENCOUNTER_DIAGNOSIS, icd10cmCoding } from './condition-common.js';

/** US Core Condition Encounter Diagnosis: a diagnosis of a visit, coded as the claim codes it (plus SNOMED CT for a known condition). */
export function buildUsCoreConditionEncounterDiagnosis(story: MemberStory, dx: EncounterDiagnosisFact, ctx: BuildContext): Condition {
  const problem = dx.problemIndex === undefined ? undefined : story.clinical.care.problems[dx.problemIndex];
  return {
    resourceType: 'Condition',
    id: ids.encounterDiagnosis(story, dx.encounterOrdinal, dx.k),
    meta: meta(ctx, [conditionProfile(ctx, 'us-core-condition-encounter-diagnosis')]),
    extension: assertedDate(dx.recorded),
    clinicalStatus: clinicalStatus(dx.clinicalStatus),
    verificationStatus: confirmed(),
    category: [ENCOUNTER_DIAGNOSIS],
    code: clinicalConcept(problem?.snomed, [icd10cmCoding(dx.icd10cm.code, dx.icd10cm.display)], dx.icd10cm.display),
    subject: patientRef(story),
    encounter: encounterRef(story, dx.encounterOrdinal),
    onsetDateTime: dx.onset,
    ...(dx.abatement ? { abatementDateTime: dx.abatement } : {}),
    recordedDate: dx.recorded,
  };
}
