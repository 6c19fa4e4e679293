import type { ExplanationOfBenefit } from '@medplum/fhirtypes';
import type { AmbulanceFacts, ClaimFact, MemberStory } from '../../story/types.js';
import { tableConcept } from './codings.js';
import { ref, type BuildContext } from '../context.js';
import { careTeam, diagnoses, eobBase, networkStatus, professionalItem, SupportingInfo, type CareTeamMember } from './eob-common.js';

const UCUM = 'http://unitsofmeasure.org';

/** The transport details CARIN BB asks of an ambulance claim. */
function addAmbulanceInfo(info: SupportingInfo, a: AmbulanceFacts, ctx: BuildContext): void {
  info
    .add('ambulancetransportreason', { reason: tableConcept(ctx.codeMaps, 'ambulance-transport-reason', a.reason) })
    .add('transportationdistance', { valueQuantity: { value: a.miles, unit: '[mi_i]', system: UCUM, code: '[mi_i]' } })
    .add('patientweight', { valueQuantity: { value: a.weightLb, unit: '[lb_av]', system: UCUM, code: '[lb_av]' } })
    .add('stretcherpurpose', { valueString: a.stretcherPurpose })
    .add('pickuplocation', { valueString: a.pickup })
    .add('dropofflocation', { valueString: a.dropoff });
  if (a.roundTripPurpose) info.add('roudtrippurpose', { valueString: a.roundTripPurpose });
}

/** C4BB ExplanationOfBenefit Professional NonClinician 2.0.0. */
export function buildC4bbEobProfessionalNonClinician(story: MemberStory, claim: ClaimFact, ctx: BuildContext): ExplanationOfBenefit {
  const team: CareTeamMember[] = [];
  if (claim.renderingPractitionerId) team.push({ practitionerId: claim.renderingPractitionerId, role: 'rendering', withQualification: true });
  if (claim.referringPractitionerId) team.push({ practitionerId: claim.referringPractitionerId, role: 'referring', withQualification: true });
  const info = new SupportingInfo().add('clmrecvddate', { timingDate: claim.received });
  if (claim.facilityId) info.add('servicefacility', { valueReference: ref('Organization', claim.facilityId) });
  if (claim.ambulance) addAmbulanceInfo(info, claim.ambulance, ctx);
  return {
    ...eobBase(story, claim, ctx, 'C4BB-ExplanationOfBenefit-Professional-NonClinician', { code: 'professional' }, ref('Organization', claim.billingProviderId)),
    ...(team.length ? { careTeam: careTeam(team, ctx) } : {}),
    supportingInfo: info.entries,
    diagnosis: diagnoses(claim, ctx),
    item: claim.lines.map((line) => professionalItem(claim, line, ctx, {}, team.length > 0)),
    adjudication: [
      networkStatus('billingnetworkstatus', claim.network),
      networkStatus('renderingnetworkstatus', claim.network),
    ],
  };
}
