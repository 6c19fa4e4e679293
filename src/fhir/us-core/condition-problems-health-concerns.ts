import type { Condition } from '@medplum/fhirtypes';
import type { ProblemFact } from '../../story/clinical/care.js';
import type { SdohConcernFact } from '../../story/clinical/social.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, type BuildContext } from '../context.js';
import { concept } from '../carin-bb/codings.js';
import { clinicalConcept, patientRef } from './care-common.js';
import { factConcept, factCoding, usCoreCategory } from './social-common.js';
import { assertedDate, clinicalStatus, conditionProfile, confirmed, HEALTH_CONCERN, icd10cmCoding, PROBLEM_LIST_ITEM } from './condition-common.js';

/** US Core Condition Problems and Health Concerns: one of the member's conditions, as on the problem list. */
export function buildUsCoreConditionProblem(story: MemberStory, problem: ProblemFact, ctx: BuildContext): Condition {
  // The screening-assessment category (us-core-category) exists from US Core 5 on.
  const assessment = problem.assessmentCategory && ctx.usCoreVersion !== '3.1.1'
    ? [concept('usCoreCategory', problem.assessmentCategory.code, problem.assessmentCategory.display)]
    : [];
  return {
    resourceType: 'Condition',
    id: ids.problem(story, problem.index),
    meta: meta(ctx, [conditionProfile(ctx, 'us-core-condition-problems-health-concerns')]),
    extension: assertedDate(problem.recorded),
    clinicalStatus: clinicalStatus(problem.clinicalStatus),
    verificationStatus: confirmed(),
    category: [PROBLEM_LIST_ITEM, ...(problem.healthConcern ? [HEALTH_CONCERN] : []), ...assessment],
    code: clinicalConcept(problem.snomed, [icd10cmCoding(problem.icd10cm.code, problem.icd10cm.display)]),
    subject: patientRef(story),
    onsetDateTime: problem.onset,
    ...(problem.abatement ? { abatementDateTime: problem.abatement } : {}),
    recordedDate: problem.recorded,
  };
}

/**
 * US Core Condition Problems and Health Concerns (6.1.0 only) for a social risk the screenings imply:
 * problem-list item, health concern and us-core-category `sdoh`, as US Core's example
 * Condition-condition-SDOH-example; the SNOMED CT finding with its ICD-10-CM code where it has one,
 * recorded (and asserted) at the screening's visit, active. Id fs-<key>-sdohcond<n>.
 */
export function buildUsCoreSdohConcerns(story: MemberStory, ctx: BuildContext): Condition[] {
  if (ctx.usCoreVersion !== '6.1.0') return [];
  return story.clinical.social.sdohConcerns.map((f: SdohConcernFact, i): Condition => {
    const code = factConcept(f.concern);
    if (f.icd10cm) code.coding!.push(factCoding(f.icd10cm));
    return {
      resourceType: 'Condition',
      id: ids.member(story, `sdohcond${i + 1}`),
      meta: meta(ctx, [conditionProfile(ctx, 'us-core-condition-problems-health-concerns')]),
      extension: assertedDate(f.date),
      clinicalStatus: clinicalStatus('active'),
      verificationStatus: confirmed(),
      category: [PROBLEM_LIST_ITEM, HEALTH_CONCERN, usCoreCategory('sdoh')],
      code,
      subject: patientRef(story),
      encounter: ref('Encounter', ids.encounter(story, f.encounterOrdinal)),
      onsetDateTime: f.date,
      recordedDate: f.date,
    };
  });
}
