import type { ExplanationOfBenefit, Resource } from '@medplum/fhirtypes';
import type { ClaimFact, MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { buildC4bbCoverage } from './coverage.js';
import { buildC4bbEobInpatientInstitutional } from './eob-inpatient-institutional.js';
import { buildC4bbEobOral } from './eob-oral.js';
import { buildC4bbEobOutpatientInstitutional } from './eob-outpatient-institutional.js';
import { buildC4bbEobPharmacy } from './eob-pharmacy.js';
import { buildC4bbEobProfessionalNonClinician } from './eob-professional-non-clinician.js';
import { buildC4bbPayerOrganization, buildC4bbProviderOrganization } from './organization.js';
import { buildC4bbPatient } from './patient.js';
import { buildC4bbPractitioner } from './practitioner.js';
import { buildC4bbRelatedPerson } from './related-person.js';

const EOB_BUILDERS = {
  inpatient: buildC4bbEobInpatientInstitutional,
  outpatient: buildC4bbEobOutpatientInstitutional,
  professional: buildC4bbEobProfessionalNonClinician,
  pharmacy: buildC4bbEobPharmacy,
  oral: buildC4bbEobOral,
} as const;

export function buildC4bbEob(story: MemberStory, claim: ClaimFact, ctx: BuildContext): ExplanationOfBenefit {
  const eob = EOB_BUILDERS[claim.type](story, claim, ctx);
  // The process note of a corrected claim applies to all of its lines.
  if (eob.processNote?.length) for (const item of eob.item ?? []) item.noteNumber = [1];
  return eob;
}

/** A member's CARIN BB resources, in load order: Patient, subscriber, Coverages, EOBs. */
export function buildCarinBbMemberResources(story: MemberStory, ctx: BuildContext): Resource[] {
  return [...buildMemberCoreResources(story, ctx), ...buildCarinBbEobs(story, ctx)];
}

/**
 * The member, subscriber and Coverages (Patient, RelatedPerson, Coverage), built as CARIN BB resources:
 * every IG selection has them (see claimSelectedIgs for the profiles they then claim).
 */
export function buildMemberCoreResources(story: MemberStory, ctx: BuildContext): Resource[] {
  const related = buildC4bbRelatedPerson(story, ctx);
  return [buildC4bbPatient(story, ctx), ...(related ? [related] : []), ...story.coverages.map((c) => buildC4bbCoverage(story, c, ctx))];
}

/** A member's claims as CARIN BB ExplanationOfBenefits, in claim order. */
export function buildCarinBbEobs(story: MemberStory, ctx: BuildContext): ExplanationOfBenefit[] {
  return story.claims.map((c) => buildC4bbEob(story, c, ctx));
}

/** buildCarinBbEobs one at a time, for a caller that renders each as it comes (src/output/member-builder.ts; issue 13). */
export function* carinBbEobs(story: MemberStory, ctx: BuildContext): Generator<ExplanationOfBenefit, void, void> {
  for (const c of story.claims) yield buildC4bbEob(story, c, ctx);
}

/** The shared directory: payer, provider organizations, practitioners. */
export function buildCarinBbDirectoryResources(ctx: BuildContext): Resource[] {
  return [
    buildC4bbPayerOrganization(ctx),
    ...ctx.directory.organizations.map((o) => buildC4bbProviderOrganization(o, ctx)),
    ...ctx.directory.practitioners.map((p) => buildC4bbPractitioner(p, ctx)),
  ];
}
