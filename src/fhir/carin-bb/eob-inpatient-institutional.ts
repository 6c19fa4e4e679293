import type { ExplanationOfBenefit } from '@medplum/fhirtypes';
import type { ClaimFact, MemberStory } from '../../story/types.js';
import { ref, type BuildContext } from '../context.js';
import { concept } from './codings.js';
import { careTeam, claimLevelAmounts, diagnoses, eobBase, headerAdjustmentReason, institutionalItem, networkStatus, type CareTeamMember } from './eob-common.js';
import { institutionalSupportingInfo } from './eob-institutional-info.js';

/** C4BB ExplanationOfBenefit Inpatient Institutional 2.0.0. */
export function buildC4bbEobInpatientInstitutional(story: MemberStory, claim: ClaimFact, ctx: BuildContext): ExplanationOfBenefit {
  const facts = claim.institutional;
  if (!facts?.admissionPeriod) throw new Error(`inpatient claim ${claim.claimNumber} has no admission period`);
  const team: CareTeamMember[] = [];
  if (claim.attendingPractitionerId) team.push({ practitionerId: claim.attendingPractitionerId, role: 'attending' });
  if (claim.operatingPractitionerId) team.push({ practitionerId: claim.operatingPractitionerId, role: 'operating' });
  if (claim.referringPractitionerId) team.push({ practitionerId: claim.referringPractitionerId, role: 'referring' });
  const info = institutionalSupportingInfo(claim, ctx).add('admissionperiod', { timingPeriod: facts.admissionPeriod });
  if (facts.drg) {
    const drg = ctx.codeMaps.drgs.get(facts.drg);
    info.add('drg', { code: concept('msDrg', facts.drg, drg?.display) });
  }
  return {
    ...eobBase(story, claim, ctx, 'C4BB-ExplanationOfBenefit-Inpatient-Institutional', { code: 'institutional', subType: 'inpatient' }, ref('Organization', claim.billingProviderId)),
    careTeam: careTeam(team, ctx),
    supportingInfo: info.entries,
    diagnosis: diagnoses(claim, ctx, true),
    ...(claim.procedures.length
      ? {
          procedure: claim.procedures.map((p) => ({
            sequence: p.sequence,
            type: [concept('c4bbClaimProcedureType', p.role)],
            date: p.date,
            procedureCodeableConcept: concept('icd10pcs', p.pcs, p.display),
          })),
        }
      : {}),
    item: claim.lines.map((line) => institutionalItem(claim, line, 'date-or-period')),
    adjudication: [
      networkStatus('billingnetworkstatus', claim.network),
      networkStatus('benefitpaymentstatus', claim.network),
      ...headerAdjustmentReason(claim),
      ...claimLevelAmounts(claim),
    ],
  };
}

