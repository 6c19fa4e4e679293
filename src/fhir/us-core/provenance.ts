import type { Provenance, ProvenanceAgent, Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';

/**
 * US Core Provenance: one per member over all of the member's clinical resources and the member's
 * Patient (whose record the activity produced; US Core Provenance.target is 1..* Reference(Any)). The
 * Patient target is what puts it in the member's compartment: R4's Patient CompartmentDefinition
 * admits a Provenance only by `patient` = `target.where(resolve() is Patient)`, so without it a
 * patient-scoped token (SMART patient launch) can neither read it nor get it by
 * `_revinclude=Provenance:target`. The author is the member's main clinician on behalf of their clinic
 * (their dentist and dental practice for a member with dental visits only; else the clinic itself); the payer, which assembled the record from claims and clinical feeds, is
 * the transmitter. None when there is no clinical resource (targets without an id are skipped).
 */
export function buildUsCoreProvenance(story: MemberStory, targets: readonly Pick<Resource, 'resourceType' | 'id'>[], ctx: BuildContext): Provenance[] {
  const targeted = targets.filter((r) => r.id);
  if (!targeted.length) return [];
  // The member's medical clinician; for a member seen only by a dentist (a dental-only plan), the dentist on behalf of
  // the practice, who recorded every clinical resource there is (US Core Provenance must-supports agent.onBehalfOf).
  const medical = story.clinical.encounters.filter((e) => e.kind !== 'dental');
  const visits = medical.length ? medical : story.clinical.encounters;
  const organizationId = story.clinical.planning.carePlan?.organizationId ?? visits[0]?.organizationId ?? ctx.directory.payer.id;
  const practitionerId = story.clinical.planning.carePlan?.authorId ?? visits.find((e) => e.practitionerId)?.practitionerId;
  const author: ProvenanceAgent = practitionerId
    ? { type: agentType('author'), who: ref('Practitioner', practitionerId), onBehalfOf: ref('Organization', organizationId) }
    : { type: agentType('author'), who: ref('Organization', organizationId) };
  const transmitter: ProvenanceAgent = { type: agentType('transmitter'), who: ref('Organization', ctx.directory.payer.id) };
  return [
    {
      resourceType: 'Provenance',
      id: ids.member(story, 'prov1'),
      meta: meta(ctx, [usCoreProfile(ctx, 'us-core-provenance')]),
      target: [ref('Patient', ids.patient(story)), ...targeted.map((r) => ref(r.resourceType, r.id!))],
      recorded: ctx.lastUpdated,
      // The transmitter type is a US Core code that 3.1.1 also defines.
      agent: [author, transmitter],
    },
  ];
}

/**
 * US Core Provenance of the member's enrollment record (Patient, Coverages and, for a dependent, the
 * subscriber's RelatedPerson): the payer's own eligibility system is both author and transmitter, as
 * payers record the source of member data they hold themselves.
 */
export function buildUsCoreEnrollmentProvenance(story: MemberStory, ctx: BuildContext): Provenance {
  const payer = ref('Organization', ctx.directory.payer.id);
  const subscriber = story.member.subscriber && story.member.relationship !== 'self' ? [ref('RelatedPerson', ids.subscriber(story))] : [];
  return {
    resourceType: 'Provenance',
    id: ids.member(story, 'prov0'),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-provenance')]),
    target: [ref('Patient', ids.patient(story)), ...story.coverages.map((c) => ref('Coverage', ids.coverage(story, c.ordinal))), ...subscriber],
    recorded: ctx.lastUpdated,
    agent: [
      { type: agentType('author'), who: payer },
      { type: agentType('transmitter'), who: payer },
    ],
  };
}

/** The agent types the ProvenanceAuthor and ProvenanceTransmitter slices fix. */
function agentType(kind: 'author' | 'transmitter') {
  return kind === 'author'
    ? { coding: [{ system: SYSTEMS.provenanceParticipantType, code: 'author', display: 'Author' }] }
    : { coding: [{ system: SYSTEMS.usCoreProvenanceParticipantType, code: 'transmitter', display: 'Transmitter' }] };
}
