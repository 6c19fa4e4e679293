import type { ExplanationOfBenefit } from '@medplum/fhirtypes';
import type { ClaimFact, MemberStory } from '../../story/types.js';
import { ref, type BuildContext } from '../context.js';
import { careTeam, diagnoses, eobBase, networkStatus, professionalItem, SupportingInfo, type CareTeamMember } from './eob-common.js';

/** C4BB ExplanationOfBenefit Professional NonClinician 2.0.0. */
export function buildC4bbEobProfessionalNonClinician(story: MemberStory, claim: ClaimFact, ctx: BuildContext): ExplanationOfBenefit {
  const team: CareTeamMember[] = [];
  if (claim.renderingPractitionerId) team.push({ practitionerId: claim.renderingPractitionerId, role: 'rendering', withQualification: true });
  if (claim.referringPractitionerId) team.push({ practitionerId: claim.referringPractitionerId, role: 'referring', withQualification: true });
  const info = new SupportingInfo().add('clmrecvddate', { timingDate: claim.received });
  if (claim.facilityId) info.add('servicefacility', { valueReference: ref('Organization', claim.facilityId) });
  return {
    ...eobBase(story, claim, ctx, 'C4BB-ExplanationOfBenefit-Professional-NonClinician', { code: 'professional' }, ref('Organization', claim.billingProviderId)),
    careTeam: careTeam(team, ctx),
    supportingInfo: info.entries,
    diagnosis: diagnoses(claim, ctx),
    item: claim.lines.map((line) => professionalItem(claim, line, ctx)),
    adjudication: [
      networkStatus('billingnetworkstatus', claim.network),
      networkStatus('renderingnetworkstatus', claim.network),
    ],
  };
}
