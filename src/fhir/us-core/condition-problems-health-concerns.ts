import type { Condition } from '@medplum/fhirtypes';
import type { ProblemFact } from '../../story/clinical/care.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, type BuildContext } from '../context.js';
import { concept } from '../carin-bb/codings.js';
import { clinicalConcept, patientRef } from './care-common.js';
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
