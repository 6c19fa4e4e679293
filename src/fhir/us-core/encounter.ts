import type { Encounter, EncounterParticipant } from '@medplum/fhirtypes';
import type { EncounterFact } from '../../story/clinical/types.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { coding, concept } from '../carin-bb/codings.js';
import { clinicalConcept, codeFactCoding, locationRef, patientRef } from './care-common.js';

const CLASS_DISPLAY = { AMB: 'ambulatory', EMER: 'emergency', IMP: 'inpatient encounter' } as const;

/**
 * US Core Encounter: one visit, as billed (type is the billed code), with its diagnoses as reasons.
 * A visit going on at the run's "now" is `in-progress`, its period without an end.
 */
export function buildUsCoreEncounter(story: MemberStory, encounter: EncounterFact, ctx: BuildContext): Encounter {
  const care = ctx.codeMaps.clinical.care;
  const kind = care.encounterTypes.get(encounter.kind);
  const period = encounter.inProgress ? { start: encounter.start } : { start: encounter.start, end: encounter.end };
  const org = ctx.directory.organizations.find((o) => o.id === encounter.organizationId);
  const claimOrdinal = encounter.claimOrdinals[encounter.claimOrdinals.length - 1];
  const claim = [...story.claims, ...(story.inFlightClaims ?? [])].find((c) => c.ordinal === claimOrdinal);
  const principal = encounter.diagnoses[0];
  const problem = story.clinical.care.encounterDiagnoses.find((d) => d.encounterOrdinal === encounter.ordinal && d.k === 1);
  // The reason is the problem-list Condition, not the visit's own encounter-diagnosis Condition: that one
  // points at this Encounter, and references both ways would be a cycle no server lets anyone delete.
  const reasonReference = problem?.problemIndex !== undefined ? [ref('Condition', ids.problem(story, problem.problemIndex))] : [];
  const participant: EncounterParticipant[] = encounter.practitionerId && kind
    ? [{ type: [concept('v3ParticipationType', kind.participantType.code, kind.participantType.display)], period, individual: ref('Practitioner', encounter.practitionerId) }]
    : [];
  const disposition = encounter.dischargeStatus ? care.dischargeDispositions.get(encounter.dischargeStatus) : undefined;
  const location = locationRef(ctx, encounter.organizationId);
  // The facility's patient account number identifies a stay or hospital visit; an office visit has none of its own.
  const accountNumber = claim?.institutional?.patientAccountNumber;
  const conditionRow = problem?.problemIndex !== undefined ? ctx.codeMaps.conditions.get(story.conditions[problem.problemIndex]!.key) : undefined;
  // A stay's first billed line is whatever the hospital billed first (often a lab): the stay itself is the type.
  const billed = encounter.kind === 'inpatient' && kind?.snomed ? [] : [codeFactCoding(encounter.type)];
  const encounterType = clinicalConcept(kind?.snomed, billed, billed.length ? encounter.type.display : kind?.snomed?.display);
  return {
    resourceType: 'Encounter',
    id: ids.encounter(story, encounter.ordinal),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-encounter')]),
    ...(org && accountNumber ? { identifier: [{ use: 'usual', system: `https://fhirseed.example.org/provider/${org.npi}/account-number`, value: accountNumber }] } : {}),
    status: encounter.inProgress ? 'in-progress' : 'finished',
    class: coding('v3ActCode', encounter.actClass, CLASS_DISPLAY[encounter.actClass]),
    type: [encounterType],
    subject: patientRef(story),
    ...(participant.length ? { participant } : {}),
    period,
    ...(principal ? { reasonCode: [clinicalConcept(conditionRow?.snomed, [coding('icd10cm', principal.icd10cm, principal.display)], principal.display)] } : {}),
    ...(reasonReference.length ? { reasonReference } : {}),
    ...(disposition ? { hospitalization: { dischargeDisposition: concept('nubcPatientDischarge', disposition.code, disposition.display) } } : {}),
    ...(location ? { location: [{ location, period }] } : {}),
    serviceProvider: ref('Organization', encounter.organizationId),
  };
}
