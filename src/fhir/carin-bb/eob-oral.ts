import type { ExplanationOfBenefit } from '@medplum/fhirtypes';
import type { ClaimFact, MemberStory } from '../../story/types.js';
import { ref, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { tableConcept } from './codings.js';
import { addPatientRecord, careTeam, diagnoses, eobBase, networkStatus, professionalItem, SupportingInfo } from './eob-common.js';

/** C4BB ExplanationOfBenefit Oral 2.0.0: CDT lines with tooth and surfaces, billed by the dentist. */
export function buildC4bbEobOral(story: MemberStory, claim: ClaimFact, ctx: BuildContext): ExplanationOfBenefit {
  const dentist = claim.renderingPractitionerId;
  if (!dentist) throw new Error(`oral claim ${claim.claimNumber} has no rendering dentist`);
  const info = new SupportingInfo().add('clmrecvddate', { timingDate: claim.received });
  if (claim.facilityId) info.add('servicefacility', { valueReference: ref('Organization', claim.facilityId) });
  for (const tooth of claim.oral?.missingTeeth ?? []) info.add('missingtoothnumber', { code: tableConcept(ctx.codeMaps, 'tooth', tooth) });
  // Orthodontic and prosthesis lines point at the supportingInfo that qualifies them.
  const infoFor = new Map<string, number>();
  if (claim.oral?.orthodonticMonths !== undefined) {
    info.add('orthodontics', { valueQuantity: { value: claim.oral.orthodonticMonths, unit: 'mo', system: SYSTEMS.ucum, code: 'mo' } });
    infoFor.set('orthodontic', info.entries.length);
  }
  if (claim.oral?.prosthesisInitial !== undefined) {
    info.add('prosthesis', { valueBoolean: claim.oral.prosthesisInitial });
    infoFor.set('prosthesis', info.entries.length);
  }
  if (claim.patientRecord) addPatientRecord(info, claim.patientRecord);
  // Teeth after the first of a multi-tooth line: additional body sites, which the line must reference.
  const bodySitesOf = new Map<number, number[]>();
  for (const line of claim.lines) {
    for (const tooth of line.additionalTeeth ?? []) {
      info.add('additionalbodysite', { code: tableConcept(ctx.codeMaps, 'tooth', tooth) });
      bodySitesOf.set(line.sequence, [...(bodySitesOf.get(line.sequence) ?? []), info.entries.length]);
    }
  }
  const informationSequence = (line: ClaimFact['lines'][number]) => [
    ...(infoFor.has(useOf(line.code.code)) ? [infoFor.get(useOf(line.code.code))!] : []),
    ...(bodySitesOf.get(line.sequence) ?? []),
  ];
  const useOf = (code: string) => [...ctx.codeMaps.dental.values()].find((d) => d.code === code)?.use ?? '';
  return {
    ...eobBase(story, claim, ctx, 'C4BB-ExplanationOfBenefit-Oral', { code: 'oral' }, ref('Practitioner', dentist)),
    careTeam: careTeam([{ practitionerId: dentist, role: 'rendering', withQualification: true }], ctx),
    supportingInfo: info.entries,
    ...(claim.diagnoses.length ? { diagnosis: diagnoses(claim, ctx) } : {}),
    item: claim.lines.map((line) =>
      professionalItem(claim, line, ctx, {
        ...(informationSequence(line).length ? { informationSequence: informationSequence(line) } : {}),
        ...(line.tooth ? { bodySite: tableConcept(ctx.codeMaps, 'tooth', line.tooth) } : {}),
        ...(line.surfaces?.length ? { subSite: line.surfaces.map((s) => tableConcept(ctx.codeMaps, 'surface', s)) } : {}),
      }),
    ),
    adjudication: [
      networkStatus('billingnetworkstatus', claim.network),
      networkStatus('renderingnetworkstatus', claim.network),
      networkStatus('benefitpaymentstatus', claim.network),
    ],
  };
}
