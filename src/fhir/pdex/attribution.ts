import type { CareTeam, Group, Meta, Patient, Reference, Resource } from '@medplum/fhirtypes';
import { SYSTEMS } from '../systems.js';

/**
 * Provider-attribution Groups, the member lists Bulk Data `Group/[id]/$export` serves (the CMS-0057-F Provider
 * Access API exports the members attributed to a provider): one Group per provider Organization at least one
 * member is attributed to, `member.entity` per attributed Patient (sorted by id). No IG at hand profiles them
 * (PDex 2.0.0 has no Group profile; Da Vinci ATR's is not in the packages), so they claim base R4 Group.
 * A member is attributed to the Organizations its Patient names (`generalPractitioner` Organizations and
 * PractitionerRoles' organizations, `managingOrganization`) and to the managing Organization of its active
 * CareTeams (fhirseed's data: the member's primary-care clinic). `generate` writes them
 * (bundles/provider-attribution.json, ndjson/Group.ndjson); `serve` derives the same from older outputs (src/serve/attribution.ts).
 */

/** An attribution Group's id: `attributed-<organization id>` (cut to FHIR's 64 characters). */
export function attributionGroupId(organizationId: string): string {
  return `attributed-${organizationId}`.slice(0, 64);
}

/**
 * The Organization ids each Patient among `resources` is attributed to, by Patient id, from the Patients and
 * active CareTeams there. `roleOrganization` answers a PractitionerRole id with its organization's id;
 * `known` says whether an Organization id names one that exists (others are left out).
 */
export function attributedOrganizations(
  resources: Iterable<Resource>,
  roleOrganization: (roleId: string) => string | undefined,
  known: (organizationId: string) => boolean = () => true,
): Map<string, Set<string>> {
  const byPatient = new Map<string, Set<string>>();
  const attribute = (ref: Reference, patientId: string | undefined) => {
    const [type, id] = (ref.reference ?? '').split('/');
    const organization = type === 'Organization' ? id : type === 'PractitionerRole' && id ? roleOrganization(id) : undefined;
    if (!organization || !patientId || !known(organization)) return;
    const set = byPatient.get(patientId) ?? new Set<string>();
    set.add(organization);
    byPatient.set(patientId, set);
  };
  for (const r of resources) {
    if (r.resourceType === 'Patient') {
      const patient = r as Patient;
      for (const ref of [...(patient.generalPractitioner ?? []), ...(patient.managingOrganization ? [patient.managingOrganization] : [])]) attribute(ref, patient.id);
    } else if (r.resourceType === 'CareTeam') {
      const team = r as CareTeam;
      if (team.status !== 'active') continue;
      const patientId = /^Patient\/([^/]+)$/.exec(team.subject?.reference ?? '')?.[1];
      for (const ref of team.managingOrganization ?? []) attribute(ref, patientId);
    }
  }
  return byPatient;
}

/** Patient ids by Organization id (both sorted), from attributions by Patient. */
export function membersByOrganization(byPatient: Iterable<[string, Iterable<string>]>): [string, string[]][] {
  const members = new Map<string, Set<string>>();
  for (const [patientId, organizations] of byPatient) {
    for (const organization of organizations) (members.get(organization) ?? members.set(organization, new Set()).get(organization)!).add(patientId);
  }
  return [...members.keys()].sort().map((o) => [o, [...members.get(o)!].sort()]);
}

/** The attribution Group of an Organization (`name` its name) with its attributed Patients (ids, sorted), with `meta` as given. */
export function buildAttributionGroup(organizationId: string, name: string, patientIds: readonly string[], meta: Meta): Group {
  return {
    resourceType: 'Group',
    id: attributionGroupId(organizationId),
    meta,
    identifier: [{ system: SYSTEMS.fhirseedAttribution, value: organizationId }],
    active: true,
    type: 'person',
    actual: true,
    name: `Members attributed to ${name}`,
    managingEntity: { reference: `Organization/${organizationId}` },
    quantity: patientIds.length,
    member: patientIds.map((id) => ({ entity: { reference: `Patient/${id}` } })),
  };
}
