import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import type { Coded } from '../../codemaps/types.js';
import type { CodeFact } from '../../story/clinical/types.js';
import type { MemberStory } from '../../story/types.js';
import { ids, ref, type BuildContext } from '../context.js';
import { SYSTEMS, type SystemName } from '../systems.js';
import { coding } from '../carin-bb/codings.js';

/** Organization kinds that are places of care and so have a Location. */
const FACILITY_KINDS = new Set(['hospital', 'clinic', 'dental-practice']);

export function locationId(organizationId: string): string {
  return `${organizationId}-loc`;
}

export function practitionerRoleId(practitionerId: string): string {
  return `${practitionerId}-role`;
}

export function endpointId(organizationId: string): string {
  return `${organizationId}-endpoint`;
}

export function isFacility(ctx: BuildContext, organizationId: string): boolean {
  const org = ctx.directory.organizations.find((o) => o.id === organizationId);
  return Boolean(org && FACILITY_KINDS.has(org.kind));
}

/** Reference to an organization's Location, when it has one. */
export function locationRef(ctx: BuildContext, organizationId: string): { reference: string } | undefined {
  return isFacility(ctx, organizationId) ? ref('Location', locationId(organizationId)) : undefined;
}

export function snomedCoding(c: Coded): Coding {
  return coding('snomed', c.code, c.display);
}

export function codeFactCoding(c: CodeFact): Coding {
  const system = c.system in SYSTEMS ? (c.system as SystemName) : undefined;
  if (!system) throw new Error(`unknown code system '${c.system}'`);
  return coding(system, c.code, c.display);
}

/** SNOMED CT first (when known), then the billed codes; text is the most readable display. */
export function clinicalConcept(snomed: Coded | undefined, billed: Coding[], text?: string): CodeableConcept {
  const codings = [...(snomed ? [snomedCoding(snomed)] : []), ...billed];
  return { coding: codings, text: text ?? snomed?.display ?? codings[0]?.display };
}

export function patientRef(story: MemberStory): { reference: string } {
  return ref('Patient', ids.patient(story));
}

export function encounterRef(story: MemberStory, ordinal: number): { reference: string } {
  return ref('Encounter', ids.encounter(story, ordinal));
}
