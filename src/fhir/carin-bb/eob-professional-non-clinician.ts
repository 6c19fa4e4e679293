import type { ExplanationOfBenefit } from '@medplum/fhirtypes';
import type { AmbulanceFacts, ClaimFact, MemberStory } from '../../story/types.js';
import { tableCoding } from './codings.js';
import { ref, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { addPatientRecord, careTeam, diagnoses, eobBase, networkStatus, professionalItem, SupportingInfo, type CareTeamMember } from './eob-common.js';

const UCUM = SYSTEMS.ucum;

/**
 * The transport details CARIN BB asks of an ambulance claim; returns their sequences, which every
 * line must list in informationSequence (invariant EOB-prof-all-transportation-supportinginfo-linked-to-line).
 */
function addAmbulanceInfo(info: SupportingInfo, a: AmbulanceFacts, ctx: BuildContext): number[] {
  const first = info.entries.length + 1;
  info
    // supportingInfo.reason is a Coding in R4, not a CodeableConcept.
    .add('ambulancetransportreason', { reason: tableCoding(ctx.codeMaps, 'ambulance-transport-reason', a.reason) })
    .add('transportationdistance', { valueQuantity: { value: a.miles, unit: '[mi_i]', system: UCUM, code: '[mi_i]' } })
    .add('patientweight', { valueQuantity: { value: a.weightLb, unit: '[lb_av]', system: UCUM, code: '[lb_av]' } })
    .add('stretcherpurpose', { valueString: a.stretcherPurpose })
    .add('pickuplocation', { valueString: a.pickup })
    .add('dropofflocation', { valueString: a.dropoff });
  if (a.roundTripPurpose) info.add('roudtrippurpose', { valueString: a.roundTripPurpose });
  return info.entries.slice(first - 1).map((e) => e.sequence);
}

/** C4BB ExplanationOfBenefit Professional NonClinician 2.0.0. */
export function buildC4bbEobProfessionalNonClinician(story: MemberStory, claim: ClaimFact, ctx: BuildContext): ExplanationOfBenefit {
  const team: CareTeamMember[] = [];
  if (claim.renderingPractitionerId) team.push({ practitionerId: claim.renderingPractitionerId, role: 'rendering', withQualification: true });
  if (claim.referringPractitionerId) team.push({ practitionerId: claim.referringPractitionerId, role: 'referring', withQualification: true });
  const info = new SupportingInfo().add('clmrecvddate', { timingDate: claim.received });
  if (claim.facilityId) info.add('servicefacility', { valueReference: ref('Organization', claim.facilityId) });
  if (claim.patientRecord) addPatientRecord(info, claim.patientRecord);
  const transportSequences = claim.ambulance ? addAmbulanceInfo(info, claim.ambulance, ctx) : [];
  const linkTransport = transportSequences.length ? { informationSequence: transportSequences } : {};
  return {
    ...eobBase(story, claim, ctx, 'C4BB-ExplanationOfBenefit-Professional-NonClinician', { code: 'professional' }, ref('Organization', claim.billingProviderId)),
    ...(team.length ? { careTeam: careTeam(team, ctx) } : {}),
    supportingInfo: info.entries,
    diagnosis: diagnoses(claim, ctx),
    item: claim.lines.map((line) => professionalItem(claim, line, ctx, linkTransport, team.length > 0)),
    adjudication: [
      networkStatus('billingnetworkstatus', claim.network),
      networkStatus('renderingnetworkstatus', claim.network),
    ],
  };
}
