import type { Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { buildUsCoreSdohConcerns } from './condition-problems-health-concerns.js';
import { buildUsCoreObservationOccupation } from './observation-occupation.js';
import { buildUsCoreObservationPregnancyIntent } from './observation-pregnancyintent.js';
import { buildUsCoreObservationPregnancyStatus } from './observation-pregnancystatus.js';
import { buildUsCoreObservationScreeningAssessment } from './observation-screening-assessment.js';
import { buildUsCoreObservationSexualOrientation } from './observation-sexual-orientation.js';
import { buildUsCoreSimpleObservation } from './observation-simple.js';
import { buildUsCoreSmokingStatus } from './observation-smokingstatus.js';
import { buildUsCoreQuestionnaireResponses } from './questionnaire-response.js';

/**
 * The social domain's US Core resources of one member, in load order: the responses before the
 * observations derived from them, then the health concerns they imply. In 3.1.1 only smoking status exists; the other builders return [].
 */
export function buildSocialResources(story: MemberStory, ctx: BuildContext): Resource[] {
  return [
    ...buildUsCoreQuestionnaireResponses(story, ctx),
    ...buildUsCoreSmokingStatus(story, ctx),
    ...buildUsCoreObservationOccupation(story, ctx),
    ...buildUsCoreObservationPregnancyStatus(story, ctx),
    ...buildUsCoreObservationPregnancyIntent(story, ctx),
    ...buildUsCoreObservationSexualOrientation(story, ctx),
    ...buildUsCoreObservationScreeningAssessment(story, ctx),
    ...buildUsCoreSimpleObservation(story, ctx),
    ...buildUsCoreSdohConcerns(story, ctx),
  ];
}
