import type { ExplanationOfBenefit } from '@medplum/fhirtypes';
import type { ClaimFact, MemberStory } from '../../story/types.js';
import { ref, type BuildContext } from '../context.js';
import { careTeam, claimLevelAmounts, diagnoses, eobBase, headerAdjustmentReason, institutionalItem, networkStatus, type CareTeamMember } from './eob-common.js';
import { institutionalSupportingInfo } from './eob-institutional-info.js';

/** C4BB ExplanationOfBenefit Outpatient Institutional 2.0.0. */
export function buildC4bbEobOutpatientInstitutional(story: MemberStory, claim: ClaimFact, ctx: BuildContext): ExplanationOfBenefit {
  const team: CareTeamMember[] = [];
  if (claim.attendingPractitionerId) team.push({ practitionerId: claim.attendingPractitionerId, role: 'attending' });
  if (claim.referringPractitionerId) team.push({ practitionerId: claim.referringPractitionerId, role: 'referring' });
  return {
    ...eobBase(story, claim, ctx, 'C4BB-ExplanationOfBenefit-Outpatient-Institutional', { code: 'institutional', subType: 'outpatient' }, ref('Organization', claim.billingProviderId)),
    careTeam: careTeam(team, ctx),
    supportingInfo: institutionalSupportingInfo(claim, ctx).entries,
    diagnosis: diagnoses(claim, ctx),
    item: claim.lines.map((line) => institutionalItem(claim, line, 'date')),
    adjudication: [
      networkStatus('billingnetworkstatus', claim.network),
      networkStatus('benefitpaymentstatus', claim.network),
      ...headerAdjustmentReason(claim),
      ...claimLevelAmounts(claim),
    ],
  };
}
